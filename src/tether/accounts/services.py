"""Writes to accounts: each in one transaction, each audited. The views check
who may call them (administrators, on other people's accounts)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.audit.services import record

from .models import ROLE_FIELDS, Organization, Role, User
from .tasks import send_password_reset


def create_user(admin: User, user: User, temporary: bool) -> tuple[User, str]:
    """Save a new user of the administrator's organization, with a temporary
    password to show once, or a secret nobody knows until the welcome link
    replaces it."""
    password = secrets.token_urlsafe(12) if temporary else ""
    with transaction.atomic():
        user.organization = admin.organization
        user.set_password(password or secrets.token_urlsafe(32))
        user.save()
        via = "temporary-password" if temporary else "email"
        detail = {"roles": sorted(user.roles), "via": via}
        record(admin, "create", "user", user.pk, detail=detail)
    return user, password


def change_roles(admin: User, user: User, roles: Iterable[str]) -> bool:
    """Give `user` exactly `roles`; True when they changed. Audited with the
    roles before and after."""
    old = sorted(user.roles)
    new = sorted({Role(role) for role in roles})
    if not new:
        raise ValueError("a user keeps at least one role")
    if old == new:
        return False
    with transaction.atomic():
        user.roles = new
        user.save(update_fields=list(ROLE_FIELDS.values()))
        record(admin, "update", "user", user.pk, detail={"roles": [old, new]})
    return True


def update_clinic_settings(
    admin: User,
    crisis_region: str,
    crisis_contacts: str,
    plan_reviewed: bool,
) -> list[str]:
    """Save the administrator's organization's settings; the names of the
    fields that changed, audited."""
    organization: Organization = admin.organization  # type: ignore[assignment]
    values = {
        "crisis_region": crisis_region,
        "crisis_contacts": crisis_contacts.strip(),
        "measure_plan_reviewed_at": (
            (organization.measure_plan_reviewed_at or timezone.now())
            if plan_reviewed
            else None
        ),
    }
    changed = [
        name for name, value in values.items() if getattr(organization, name) != value
    ]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(organization, name, values[name])
        organization.save(update_fields=changed)
        record(
            admin,
            "update",
            "organization",
            organization.pk,
            organization=organization,
            detail={"changed": changed, "crisis_region": crisis_region},
        )
    return changed


def request_password_reset(email: str, language: str, site_url: str) -> None:
    """Queue the reset email for whoever has this address, if anyone. The
    request does the same for every address, known or not, and looks nobody
    up: how long it takes tells nothing (docs/security.md §Password reset)."""
    send_password_reset.enqueue(email, language, site_url)


def reset_second_factor(admin: User, user: User) -> int:
    """Delete every authenticator and backup code; the user enrols again."""
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        record(admin, "2fa-reset", "user", user.pk, detail={"devices": len(devices)})
    return len(devices)


def forget_failed_sign_ins(user: User) -> None:
    """`user` has passed the second factor: their failed passwords and codes,
    from any address, no longer count toward a wait (accounts/lockout.py). A
    password alone clears nothing, or whoever has it could guess codes
    without end."""
    axes_reset(username=user.get_username())


def clear_failed_sign_ins(admin: User, user: User) -> int:
    cleared = axes_reset(username=user.get_username())
    record(admin, "unlock", "user", user.pk, detail={"attempts": cleared})
    return int(cleared)


def set_active(admin: User, user: User, active: bool) -> None:
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(admin, "reactivate" if active else "deactivate", "user", user.pk)


# ---- second factor ------------------------------------------------------------

BACKUP_CODE_COUNT = 10


def start_enrolment(user: User) -> TOTPDevice:
    """A fresh authenticator secret for `user`. Unfinished enrolments from
    other sessions, perhaps someone else's with the password, are discarded."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )


def finish_enrolment(user: User, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator and issue a fresh set of backup codes (any
    earlier ones stop working); returns the codes, shown once."""
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="Backup codes")
        StaticToken.objects.bulk_create(
            StaticToken(device=backup, token=code) for code in codes
        )
        record(user, "2fa-setup", "user", user.pk)
    return sorted(codes)


def match_code(user: User, code: str) -> tuple[Device | None, bool]:
    """(the device that accepts `code`, whether trying was allowed): six digits
    are an app code, anything else a backup code (which otp_static deletes
    once used). Not allowed: too many wrong codes in a row."""
    model = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    with transaction.atomic():
        devices = model.objects.devices_for_user(user, confirmed=True)
        for device in devices.select_for_update():
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                return None, False
            if device.verify_token(code):
                return device, True
    return None, True
