"""The audit trail's two tables: the events, append-only, and the head of each
organization's chain of them (docs/security.md §Audit trail)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class AppendOnlyError(Exception):
    """An audit event was to be changed or deleted: the trail only grows (old
    events leave it only through `tether audit prune`)."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(f"The audit trail is append-only: an event cannot be {what}.")


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("changed")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("changed")

    def delete(self) -> NoReturn:
        _refuse("deleted")

    def _seal(self, **chain_fields: Any) -> int:
        """Write the chain fields of events not chained yet (chain.seal); a
        chained event is left as it is."""
        return models.QuerySet.update(
            self.filter(sequence__isnull=True), **chain_fields
        )

    def _expire(self) -> int:
        """Delete these events for good (services.prune, after it checked them
        and recorded the checkpoint)."""
        deleted, _ = models.QuerySet.delete(self)
        return deleted


class AuditChain(models.Model):
    """The head of one organization's chain of events, or of the chain of the
    events with no organization (a failed sign-in by an unknown name): the
    newest chained event, and the checkpoint of the events pruned from the
    start of the chain. Locking this row serializes the chaining of one
    organization's events, and no one else's."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    sequence = models.PositiveBigIntegerField(
        default=0, help_text="The sequence of the newest chained event."
    )
    head_event_id = models.BigIntegerField(null=True)
    head_hash = models.CharField(max_length=64, blank=True)
    pruned_through = models.PositiveBigIntegerField(
        default=0, help_text="The sequence of the last event pruned, 0 for none."
    )
    pruned_event_id = models.BigIntegerField(null=True)
    pruned_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            # One chain per organization and one for no organization: NULL
            # counts as an organization of its own here.
            models.UniqueConstraint(
                Coalesce("organization", 0), name="one_audit_chain_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"audit chain of organization {self.organization_id or 'none'}"


class AuditEvent(models.Model):
    """Who read or wrote which clinical record, and when, from which address
    and browser (docs/architecture.md §Privacy). Written once by
    `services.record`, then chained by `chain.seal`: `sequence`,
    `previous_event_id`, `previous_hash` and `hash`, set once after commit."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True
    )
    # PROTECT: deleting the account would rewrite its events; deactivate it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    case_id = models.BigIntegerField(
        null=True, help_text="The case the event concerns, if any."
    )
    at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    chain = models.ForeignKey(AuditChain, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField(null=True)
    previous_event_id = models.BigIntegerField(null=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        # The table the care app created: moving the model moved no rows.
        db_table = "care_auditevent"
        indexes = [
            models.Index(
                fields=["organization", "at"], name="care_audite_organiz_ac0abb_idx"
            ),
            models.Index(fields=["organization", "case_id"], name="audit_event_case"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "sequence"], name="one_event_per_place_in_its_chain"
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleted")
