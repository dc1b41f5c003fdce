"""Writes to accounts: each in one transaction, each audited. The views check
who may call them (administrators, on other people's accounts)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.audit.services import record

from .models import ROLE_FIELDS, ApiToken, EnrolmentCode, Organization, Role, User
from .tasks import send_password_reset


@dataclass(frozen=True)
class IssuedCode:
    """An enrolment code as it is shown once, and until when it works."""

    code: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class NewAccount:
    """A new account and what is shown once to whoever created it: its
    temporary password ("" when a link to choose one was emailed) and the
    enrolment code its holder needs to set up an authenticator."""

    user: User
    password: str
    enrolment_code: IssuedCode


def create_user(admin: User, user: User, temporary: bool) -> NewAccount:
    """Save a new user of the administrator's organization, with a temporary
    password to show once, or a secret nobody knows until the welcome link
    replaces it, and an enrolment code to hand over."""
    password = secrets.token_urlsafe(12) if temporary else ""
    with transaction.atomic():
        user.organization = admin.organization
        user.set_password(password or secrets.token_urlsafe(32))
        user.save()
        via = "temporary-password" if temporary else "email"
        detail = {"roles": sorted(user.roles), "via": via}
        record(admin, "create", "user", user.pk, detail=detail)
        code = issue_enrolment_code(admin, user)
    return NewAccount(user, password, code)


def create_first_admin(
    organization_name: str, username: str, email: str = ""
) -> NewAccount:
    """`tether createadmin`: an administrator (and their organization, when
    it is new), with a temporary password and an enrolment code to print
    once. ValueError when the username is taken."""
    slug = slugify(organization_name)
    if not slug:
        raise ValueError("the organization needs a name with a letter or digit")
    if User.objects.filter(username=username).exists():
        raise ValueError(f"the username {username!r} is taken")
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        organization, created = Organization.objects.get_or_create(
            slug=slug, defaults={"name": organization_name}
        )
        if created:
            record(None, "create", "organization", organization.pk, organization)
        user = User(username=username, email=email, organization=organization)
        user.roles = {Role.ADMIN}
        user.set_password(password)
        user.save()
        detail = {"roles": ["admin"], "via": "createadmin"}
        record(None, "create", "user", user.pk, organization, detail)
        code = issue_enrolment_code(None, user)
    return NewAccount(user, password, code)


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


def reset_second_factor(admin: User | None, user: User) -> IssuedCode:
    """Delete every authenticator and backup code; the user enrols again with
    the enrolment code returned (shown once to the administrator). `admin` is
    None for `tether createadmin --new-code`."""
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        detail = {"devices": len(devices)}
        record(admin, "2fa-reset", "user", user.pk, user.organization, detail)
        return issue_enrolment_code(admin, user)


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
        if active:
            record(admin, "reactivate", "user", user.pk)
        else:
            # Reactivating someone never brings their old tokens back.
            revoked = revoke_api_tokens_of(user)
            record(
                admin, "deactivate", "user", user.pk, detail={"revoked_tokens": revoked}
            )


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
    earlier ones stop working); returns the codes, shown once. The enrolment
    code that allowed it is spent."""
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        EnrolmentCode.objects.filter(user=user).delete()
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


# ---- enrolment codes ------------------------------------------------------------

ENROLMENT_CODE_LIFETIME = dt.timedelta(days=3)
"""How long a code stays valid once issued: time to hand it over."""
ENROLMENT_WINDOW = dt.timedelta(minutes=30)
"""How long after entering the code the session may attach an authenticator."""
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O or U to misread, 5 bits a character."""
_CODE_LENGTH = 16  # 80 bits
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


class EnrolmentCodeRefused(Exception):
    """A code that does not let this person enrol; `reason` says why."""

    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def enrolment_digest(code: str) -> str:
    """The SHA-256 (hex) of a code as typed: case, spaces and dashes do not
    matter, and I, L and O read as 1, 1 and 0."""
    plain = re.sub(r"[\s-]", "", code).upper().translate(_READ_AS)
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def issue_enrolment_code(issuer: User | None, user: User) -> IssuedCode:
    """A new enrolment code for `user`, replacing any earlier one; returned to
    be shown once, never stored, logged or audited. `issuer` is the
    administrator, or None for `tether createadmin`."""
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    expires = timezone.now() + ENROLMENT_CODE_LIFETIME
    via = EnrolmentCode.Via.COMMAND if issuer is None else EnrolmentCode.Via.ADMIN
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user).delete()
        EnrolmentCode.objects.create(
            user=user,
            code_hash=enrolment_digest(code),
            issued_by=issuer,
            via=via,
            expires_at=expires,
        )
        detail = {"via": via, "expires": expires.isoformat()}
        record(
            issuer, "enrolment-code-issued", "user", user.pk, user.organization, detail
        )
    shown = "-".join(code[i : i + 4] for i in range(0, _CODE_LENGTH, 4))
    return IssuedCode(shown, expires)


def redeem_enrolment_code(user: User, typed: str) -> EnrolmentCode:
    """Spend `user`'s enrolment code: the session that entered it may attach
    an authenticator for ENROLMENT_WINDOW. EnrolmentCodeRefused when it is not
    theirs, was used or has expired; every attempt is audited."""
    now = timezone.now()
    with transaction.atomic():
        code = (
            EnrolmentCode.objects.select_for_update()
            .filter(user=user, code_hash=enrolment_digest(typed))
            .first()
        )
        reason = _refusal(code, now)
        if code is not None and not reason:
            code.used_at = now
            code.save(update_fields=["used_at"])
            record(user, "enrolment-code-used", "user", user.pk)
            return code
    record(user, "enrolment-code-refused", "user", user.pk, detail={"reason": reason})
    raise EnrolmentCodeRefused(reason)


def _refusal(code: EnrolmentCode | None, now: dt.datetime) -> str:
    """Why `code` does not let its holder enrol now, or "" when it does."""
    if code is None:
        return EnrolmentCodeRefused.WRONG
    if code.used_at is not None:
        return EnrolmentCodeRefused.USED
    if code.expires_at <= now:
        return EnrolmentCodeRefused.EXPIRED
    return ""


# ---- personal API tokens -------------------------------------------------------

API_TOKEN_PREFIX = "tether_"
"""Every secret starts so, which secret scanners and people recognise."""
API_TOKEN_DAYS = (7, 30, 90, 365)
"""The lifetimes a person may choose; a token never lives longer than a year."""
LAST_USED_EVERY = dt.timedelta(minutes=5)
"""How stale `last_used_at` may be: writing it on every request would make
every read a write (and, on SQLite, take the database's one writer)."""


@dataclass(frozen=True)
class IssuedToken:
    """A new API token and its secret, shown once."""

    token: ApiToken
    secret: str


NAME_NEEDED = gettext_lazy("Give the token a name, to tell it apart later.")
NAME_TOO_LONG = gettext_lazy(
    "This name is %(length)s characters long; keep it to %(limit)s characters at most."
)
SCOPE_UNKNOWN = gettext_lazy(
    "Choose what the token may do: read only, or read and write."
)
DAYS_UNKNOWN = gettext_lazy("Choose one of the lifetimes offered: %(days)s days.")


class ApiTokenRefused(ValueError):
    """Input a token cannot be made from. `problems` maps each form field
    ("name", "scope", "days") to what was wrong with it, in words, in the
    language active when it was raised (the request's)."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def api_token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_problems(name: str, scope: object, days: object) -> dict[str, str]:
    """What is wrong with a token's name, scope and lifetime, field by field
    (nothing: an empty dict)."""
    problems: dict[str, str] = {}
    limit = ApiToken._meta.get_field("name").max_length
    if not name.strip():
        problems["name"] = str(NAME_NEEDED)
    elif limit is not None and len(name.strip()) > limit:
        problems["name"] = str(NAME_TOO_LONG) % {
            "length": len(name.strip()),
            "limit": limit,
        }
    if scope not in ApiToken.Scope.values:
        problems["scope"] = str(SCOPE_UNKNOWN)
    if isinstance(days, bool) or days not in API_TOKEN_DAYS:
        offered = ", ".join(str(d) for d in API_TOKEN_DAYS)
        problems["days"] = str(DAYS_UNKNOWN) % {"days": offered}
    return problems


def create_api_token(user: User, name: str, scope: str, days: int) -> IssuedToken:
    """A personal token for `user` (who is signed in with their second factor:
    the view checks). An empty or too long name, an unknown scope or a
    lifetime not offered raise `ApiTokenRefused` naming each field, and
    nothing is written. The audit event holds the scope and lifetime, never
    the name (people's words) nor anything of the secret."""
    problems = api_token_problems(name, scope, days)
    if problems:
        raise ApiTokenRefused(problems)
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip(),
            prefix=secret[: len(API_TOKEN_PREFIX) + 6],
            digest=api_token_digest(secret),
            scope=scope,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            user, "create", "api-token", token.pk, detail={"scope": scope, "days": days}
        )
    return IssuedToken(token, secret)


def revoke_api_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of `user`'s own tokens; None, and a `denied` audit event,
    if they have no such token (someone else's included: nothing changes)."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        )
        if token is None:
            record(user, "denied", "api-token", token_id)
            return None
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(user, "revoke", "api-token", token.pk)
    return token


def revoke_api_tokens_of(user: User) -> int:
    """Revoke every token not yet revoked of a user who is deactivated; how many (the
    caller's audit event says so)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def token_in_use(secret: str) -> ApiToken | None:
    """The usable token with this secret (not revoked, not expired, its user
    active and in an organization), noting when it was last used; None for
    any other secret."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(digest=api_token_digest(secret))
        .first()
    )
    now = timezone.now()
    if (
        token is None
        or not token.is_usable(now)
        or not token.user.is_active
        or token.user.organization_id is None
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
