"""Writes to accounts: each in one transaction, each audited. The views check
who may call them (administrators, on other people's accounts)."""

from __future__ import annotations

import secrets

from axes.utils import reset as axes_reset
from django.db import transaction
from django_otp import devices_for_user

from tether.care.audit import record

from .models import User


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
        record(admin, "create", "user", user.pk, detail={"role": user.role, "via": via})
    return user, password


def change_role(admin: User, user: User, role: str) -> bool:
    """True when the role changed."""
    old = user.role
    if old == role:
        return False
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role"])
        record(admin, "update", "user", user.pk, detail={"role": [old, role]})
    return True


def reset_second_factor(admin: User, user: User) -> int:
    """Delete every authenticator and backup code; the user enrols again."""
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        record(admin, "2fa-reset", "user", user.pk, detail={"devices": len(devices)})
    return len(devices)


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
