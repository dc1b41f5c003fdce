from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who read or wrote which clinical record, and when (docs/architecture.md
    §Privacy)."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table the care app created: moving the model moved no rows.
        db_table = "care_auditevent"
        indexes = [
            models.Index(
                fields=["organization", "at"], name="care_audite_organiz_ac0abb_idx"
            )
        ]
