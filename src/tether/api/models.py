"""What the API keeps of its own: the first answer to each idempotency key."""

from __future__ import annotations

from django.db import models

from tether.accounts.models import ApiToken


class IdempotentRequest(models.Model):
    """A write sent with an `Idempotency-Key` header, and the answer it got:
    the same key sent again with the same request gets the same answer and
    writes nothing (docs/api.md §Idempotency). Keys are per token."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and body."
    )
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], name="one_answer_per_idempotency_key"
            )
        ]
