"""Permission-checked reads of accounts: an administrator reaches the users of
their own organization only; a person's own API tokens; the first-run
checklist of a new clinic."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.audit.services import record

from .models import ApiToken, EnrolmentCode, User
from .services import ENROLMENT_WINDOW


def users_for(admin: User) -> QuerySet[User]:
    """The administrator's organization's users, each with `has_2fa` and
    `enrolment_code_until` (when their enrolment code, issued and not yet
    entered, expires; None without one)."""
    authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    waiting = EnrolmentCode.objects.filter(
        user=OuterRef("pk"), used_at__isnull=True, expires_at__gt=timezone.now()
    )
    return User.objects.filter(organization_id=admin.organization_id).annotate(
        has_2fa=Exists(authenticator),
        enrolment_code_until=Subquery(waiting.values("expires_at")[:1]),
    )


def may_enrol(user: User, code_id: object) -> bool:
    """Whether a session that entered enrolment code `code_id` may still
    attach an authenticator: the code is `user`'s, and was entered within
    ENROLMENT_WINDOW (finishing the enrolment deletes it)."""
    if not isinstance(code_id, int):
        return False
    return EnrolmentCode.objects.filter(
        pk=code_id, user=user, used_at__gt=timezone.now() - ENROLMENT_WINDOW
    ).exists()


def get_user_for(admin: User, user_id: int) -> User:
    """A user of the administrator's organization; 404 for anyone else's."""
    user = users_for(admin).filter(pk=user_id).first()
    if user is None:
        record(admin, "denied", "user", user_id)
        raise Http404("No such user.")
    return user


TOKEN_STATUS = {
    "active": gettext_lazy("active"),
    "expired": gettext_lazy("expired"),
    "revoked": gettext_lazy("revoked"),
}


@dataclass(frozen=True)
class TokenRow:
    """One of a person's API tokens as their token page lists it."""

    token: ApiToken
    status: str
    """"active", "expired" or "revoked" (revoked wins over expired)."""

    @property
    def status_label(self) -> str:
        return str(TOKEN_STATUS[self.status])


def api_tokens_of(user: User) -> list[TokenRow]:
    """The person's own API tokens, newest first, with their status; nobody
    else's (an administrator sees only their own too)."""
    now = timezone.now()
    rows = []
    for token in ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"):
        if token.revoked_at is not None:
            status = "revoked"
        elif token.expires_at <= now:
            status = "expired"
        else:
            status = "active"
        rows.append(TokenRow(token, status))
    return rows


@dataclass(frozen=True)
class ChecklistStep:
    title: str
    done: bool
    url: str
    action: str
    """What the link does: "Add users", "Open the clinic settings"."""


def first_run_checklist(user: User) -> list[ChecklistStep] | None:
    """A new clinic's first steps, for its administrators, computed from the
    data: someone has the clinician role; the clinic's own crisis contacts
    are written (beside the national lines of its country); the default
    measure plan was reviewed. None for anyone else, and once every step is
    done."""
    organization = user.organization if user.is_authenticated else None
    if organization is None or not user.is_org_admin:
        return None
    clinicians = User.objects.filter(
        organization=organization, is_clinician=True, is_active=True
    )
    settings_url = reverse("clinic-settings")
    steps = [
        ChecklistStep(
            _("Add your clinicians (a person may be a clinician and an administrator)"),
            clinicians.exists(),
            reverse("user-create"),
            _("Add a user"),
        ),
        ChecklistStep(
            _("Choose your country's crisis lines and write the clinic's own contacts"),
            bool(organization.crisis_contacts.strip()),
            settings_url + "#crisis",
            _("Crisis lines and contacts"),
        ),
        ChecklistStep(
            _("Choose the default measure plan (or confirm Tether's)"),
            organization.measure_plan_reviewed_at is not None,
            reverse("clinic-plan"),
            _("Default measure plan"),
        ),
    ]
    if all(step.done for step in steps):
        return None
    return steps
