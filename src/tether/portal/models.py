"""Invitation links (docs/architecture.md §Records, §Privacy): one person, one session,
listed instruments, an expiry. Only a hash of the token is stored."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tether.accounts.models import Organization
from tether.care.models import Member, Response, Session


class Channel(models.TextChoices):
    LINK = "link", _("Link")
    QR = "qr", _("QR code")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    KIOSK = "kiosk", _("Kiosk")


class Invitation(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="Who answers; empty: the therapist.",
    )
    respondent = models.CharField(max_length=10, choices=Response.Respondent.choices)
    instruments = models.JSONField(default=list, help_text="id@version, in order.")
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 (hex) of the link's secret."
    )
    language = models.CharField(max_length=5, default="en")
    channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.LINK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    risk_notified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the case's clinicians were told of a risk answer (once per link).",
    )

    class Meta:
        indexes = [models.Index(fields=["organization", "session"])]

    def __str__(self) -> str:
        return f"Invitation {self.pk} (session {self.session_id})"

    def is_expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at

    @property
    def is_open(self) -> bool:
        """Not yet answered in full and not revoked (expiry aside)."""
        return self.completed_at is None and self.revoked_at is None
