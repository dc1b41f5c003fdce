"""Users belong to one organization and have a set of roles
(docs/architecture.md §Records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class CrisisRegion(models.TextChoices):
    """The countries whose national crisis lines Tether knows
    (accounts/crisis_lines.py; docs/crisis-lines.md)."""

    US = "US", _("United States")
    GB = "GB", _("United Kingdom")
    CA = "CA", _("Canada")


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    crisis_region = models.CharField(
        max_length=2,
        choices=CrisisRegion.choices,
        default=CrisisRegion.US,
        help_text="Whose national crisis lines a respondent who endorses a risk item sees.",
    )
    crisis_contacts = models.TextField(
        blank=True,
        help_text="Shown to a respondent who endorses a risk item, after the national lines.",
    )
    measure_plan_reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an administrator confirmed the default measure plan suits the clinic (first-run checklist).",
    )
    signal_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="Overrides of the signal defaults (SignalConfig).",
    )
    signal_norms = models.JSONField(
        default=dict,
        blank=True,
        help_text="The clinic's alliance noise and expected-response models, from the last refit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


ROLE_FIELDS = {
    Role.CLINICIAN: "is_clinician",
    Role.SUPERVISOR: "is_supervisor",
    Role.ADMIN: "is_org_admin",
}
"""Each role and the `User` field that says a person has it."""


class User(AbstractUser):
    """A staff member of one organization, with a set of roles: a person may be
    an administrator and a clinician. What each role may do
    (docs/architecture.md §Privacy):

    - clinician: sees and changes the cases assigned to them; the only role
      with clinical write access (acknowledging alerts, sessions, links);
    - supervisor: reads every case of the organization, changes none;
    - administrator: manages accounts, the clinic's settings, and which
      clinicians a case has; sees no clinical data through this role.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    is_clinician = models.BooleanField(
        "clinician",
        default=True,
        help_text="Sees and changes the cases assigned to them.",
    )
    is_supervisor = models.BooleanField(
        "supervisor",
        default=False,
        help_text="Reads every case of the organization; changes none.",
    )
    is_org_admin = models.BooleanField(
        "administrator",
        default=False,
        help_text="Manages accounts, the clinic's settings and case assignments; no clinical access of its own.",
    )
    is_demo_account = models.BooleanField(
        default=False,
        help_text="Created by `tether demo`; may skip the second factor only in demo mode.",
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(
            role for role, name in ROLE_FIELDS.items() if getattr(self, name)
        )

    @roles.setter
    def roles(self, roles: Iterable[str]) -> None:
        chosen = {Role(role) for role in roles}
        for role, name in ROLE_FIELDS.items():
            setattr(self, name, role in chosen)

    @property
    def roles_display(self) -> str:
        """The roles as people read them, in a fixed order: "Clinician, Administrator"."""
        return ", ".join(str(role.label) for role in Role if role in self.roles)

    @property
    def sees_cases(self) -> bool:
        """Has clinical read access: the assigned cases of a clinician, every
        case of a supervisor. An administrator alone has none."""
        return self.is_clinician or self.is_supervisor

    @property
    def reads_only(self) -> bool:
        """A supervisor who is not also a clinician: every case read-only."""
        return self.is_supervisor and not self.is_clinician

    @property
    def display(self) -> str:
        return self.get_full_name() or self.username


class EnrolmentCode(models.Model):
    """A one-time code an administrator hands over (or `tether createadmin`
    prints) so that a person without an authenticator may attach one: a
    password alone never can (docs/security.md §Second-factor enrolment).
    Only the SHA-256 of the code is stored, as for link tokens; a person has
    at most one, and a new one replaces it."""

    class Via(models.TextChoices):
        ADMIN = "admin", _("An administrator")
        COMMAND = "command", _("The createadmin command")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="enrolment_codes"
    )
    code_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 (hex) of the code."
    )
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was entered; the session that entered it may then attach an authenticator.",
    )


class ApiToken(models.Model):
    """A personal API token: the bearer acts as its user, with the user's
    permissions narrowed to the token's scope (docs/api.md §Tokens). Only the
    SHA-256 of the secret is stored — the secret is random and long, so a
    slow password hash buys nothing — and the secret is shown once."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read-write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=80, help_text="What the token is for, in its owner's words."
    )
    prefix = models.CharField(
        max_length=16, help_text="The secret's first characters, to recognise it."
    )
    digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 (hex) of the secret."
    )
    scope = models.CharField(max_length=12, choices=Scope.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"API token {self.prefix}… ({self.name})"

    @property
    def may_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
