"""The audit trail: who read or wrote which clinical record, and when; and its
pruning after the retention period (docs/security.md §Audit trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import chain
from .models import AuditChain, AuditEvent
from .origin import current_origin

if TYPE_CHECKING:
    from tether.accounts.models import Organization


def record(
    user: Any,
    action: str,
    object_type: str,
    object_id: object = "",
    organization: Organization | None = None,
    detail: dict[str, Any] | None = None,
    case: int | None = None,
) -> None:
    """Record one event, with the address and browser of the request being
    served. `case` is the case the event concerns; left out, it is the object
    itself for a case and `detail["case"]` otherwise. The event joins its
    organization's chain once the transaction commits."""
    organization = organization or getattr(user, "organization", None)
    detail = detail or {}
    origin = current_origin()
    event = AuditEvent.objects.create(
        organization=organization,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        case_id=case if case is not None else _case_of(object_type, object_id, detail),
        detail=detail,
        at=timezone.now(),
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        chain=chain.chain_for(organization.pk if organization else None),
    )
    chain_id = event.chain_id

    def chain_it() -> None:
        # A named function, not a partial: on_commit's robust mode logs a
        # failure with the callback's __qualname__, which a partial lacks.
        chain.seal(chain_id)

    after_commit(chain_it)


def _case_of(object_type: str, object_id: object, detail: dict[str, Any]) -> int | None:
    candidate = object_id if object_type == "case" else detail.get("case")
    try:
        return int(str(candidate))
    except ValueError:
        return None


def after_commit(work: Callable[[], object]) -> None:
    """Run `work` once the current transaction commits, at once outside one
    (the test suite runs it at once always: its tests never commit). Robust:
    an event left unchained by a failure is chained by the next one."""
    transaction.on_commit(work, robust=True)


# ---- retention -------------------------------------------------------------------


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Events older than this may be pruned: `TETHER_AUDIT_RETENTION_YEARS`
    (six by default) before now, by the calendar."""
    now = now or timezone.now()
    years = settings.TETHER_AUDIT_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February, in a year that has none
        return now.replace(year=now.year - years, day=28)


class ChainBroken(Exception):
    """A chain to be pruned does not verify: pruning it would delete the
    evidence."""

    def __init__(self, breaks: list[chain.Break]):
        super().__init__("; ".join(str(b) for b in breaks))
        self.breaks = breaks


@dataclass(frozen=True)
class Pruned:
    organization: Organization | None
    events: int
    through_sequence: int


def prune(now: dt.datetime | None = None) -> list[Pruned]:
    """Delete the events older than the retention period, chain by chain,
    from the start of each chain; each chain keeps the hash and sequence of
    the last event deleted (its checkpoint), where `verify` starts. A chain
    that does not verify is left whole (ChainBroken). Each pruning is itself
    an audit event."""
    cutoff = retention_cutoff(now)
    chain.seal_all()
    done = []
    for chain_id in AuditChain.objects.order_by("pk").values_list("pk", flat=True):
        pruned = _prune_chain(chain_id, cutoff)
        if pruned is not None:
            done.append(pruned)
            record(
                None,
                "prune",
                "audit-log",
                organization=pruned.organization,
                detail={"events": pruned.events, "before": cutoff.date().isoformat()},
            )
    return done


def _prune_chain(chain_id: int, cutoff: dt.datetime) -> Pruned | None:
    with transaction.atomic():
        head = AuditChain.objects.select_for_update().get(pk=chain_id)
        events = AuditEvent.objects.filter(chain=head, sequence__isnull=False)
        last = events.filter(at__lt=cutoff).order_by("-sequence").first()
        if last is None:
            return None
        breaks = chain.verify_chain(head)
        if breaks:
            raise ChainBroken(breaks)
        assert last.sequence is not None
        deleted = events.filter(sequence__lte=last.sequence)._expire()
        head.pruned_through = last.sequence
        head.pruned_event_id = last.pk
        head.pruned_hash = last.hash
        head.save(update_fields=["pruned_through", "pruned_event_id", "pruned_hash"])
    return Pruned(head.organization, deleted, last.sequence)
