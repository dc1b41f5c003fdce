"""Users belong to one organization and have one role (docs/architecture.md
§Records)."""

from __future__ import annotations

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
    ADMIN = "admin", "Administrator"
    SUPERVISOR = "supervisor", "Supervisor"
    CLINICIAN = "clinician", "Clinician"


class User(AbstractUser):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    is_demo_account = models.BooleanField(
        default=False,
        help_text="Created by `tether demo`; may skip the second factor only in demo mode.",
    )

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def display(self) -> str:
        return self.get_full_name() or self.username
