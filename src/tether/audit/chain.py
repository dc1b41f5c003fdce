"""The hash chain that makes the audit trail tamper-evident
(docs/security.md §Audit trail).

Each organization's events form one chain (and the events with no
organization one more): event n holds the hash of event n-1, and its own hash
covers its content and that hash. Changing an event breaks its own hash;
deleting one leaves a gap in the sequence; rewriting an event's hash breaks
the link from the next one. `verify` walks every chain and names each broken
row.

Events are chained after their transaction commits (`seal`), under a lock on
their chain's head row: a transaction that writes an event never waits for,
or holds, that lock, so audited writes of one organization do not queue behind
each other and no lock order can deadlock; two writers never fork a chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from .models import AuditChain, AuditEvent

HASHED_FIELDS = (
    "organization_id",
    "sequence",
    "previous_event_id",
    "previous_hash",
    "user_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "at",
    "detail",
    "ip_address",
    "user_agent",
)
"""What an event's hash covers. The hash is a stored format: changing this
list or `event_hash` breaks every chain already written (the data migration
audit 0003 chains the events written before chains, with this function)."""


def event_hash(event: Any) -> str:
    """SHA-256 of the event's content and the previous event's hash, written
    as canonical JSON (sorted keys, no spaces, times in UTC to the
    microsecond, addresses in their one written form)."""
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    at: dt.datetime = content["at"]
    content["at"] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if content["ip_address"]:
        content["ip_address"] = str(ipaddress.ip_address(str(content["ip_address"])))
    text = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


# ---- chaining ------------------------------------------------------------------


def chain_for(organization_id: int | None) -> AuditChain:
    """The chain of an organization (of no organization for None), begun on
    its first event."""
    chain, _ = AuditChain.objects.get_or_create(organization_id=organization_id)
    return chain


def seal(chain_id: int) -> int:
    """Chain the chain's events that are not chained yet, in the order they
    were written; returns how many. Locks the chain's head row
    (select_for_update on PostgreSQL; SQLite's write lock serializes anyway)
    and nothing else, so it never waits on a lock held by a writer."""
    with transaction.atomic():
        chain = AuditChain.objects.select_for_update().get(pk=chain_id)
        pending = AuditEvent.objects.filter(chain=chain, sequence__isnull=True)
        events = list(pending.order_by("pk"))
        for event in events:
            event.sequence = chain.sequence + 1
            event.previous_event_id = chain.head_event_id
            event.previous_hash = chain.head_hash
            event.hash = event_hash(event)
            AuditEvent.objects.filter(pk=event.pk)._seal(
                sequence=event.sequence,
                previous_event_id=event.previous_event_id,
                previous_hash=event.previous_hash,
                hash=event.hash,
            )
            chain.sequence, chain.head_event_id, chain.head_hash = (
                event.sequence,
                event.pk,
                event.hash,
            )
        if events:
            chain.save(update_fields=["sequence", "head_event_id", "head_hash"])
    return len(events)


def seal_all() -> int:
    """Chain every event still waiting (a process stopped between commit and
    chaining); returns how many."""
    waiting = AuditEvent.objects.filter(sequence__isnull=True)
    chains = waiting.values_list("chain_id", flat=True).distinct()
    return sum(seal(chain_id) for chain_id in list(chains))


# ---- verifying -----------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """One place where a chain does not hold: the row it names and what is
    wrong there."""

    row: int | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "a row"
        return f"{where}: {self.problem}"


def chain_name(chain: AuditChain) -> str:
    if chain.organization is None:
        return "The chain of events with no organization"
    return f"The chain of {chain.organization.name}"


def verify_chain(chain: AuditChain) -> list[Break]:
    """Every break in one chain, walking it from its checkpoint (the last
    pruned event) to its head."""
    breaks: list[Break] = []
    last = _Link(chain.pruned_through, chain.pruned_event_id, chain.pruned_hash)
    for event in _chained(chain):
        if event_hash(event) != event.hash:
            breaks.append(
                Break(event.pk, "changed: its content no longer matches its hash")
            )
        sequence = event.sequence or 0
        if sequence > last.sequence + 1:
            breaks.append(_deleted(event, last))
        elif sequence <= last.sequence:
            breaks.append(
                Break(event.pk, f"inserted: out of order after row {last.row}")
            )
        elif event.previous_event_id != last.row:
            breaks.append(
                Break(
                    event.pk,
                    f"replaced: it follows row {event.previous_event_id}, not row {last.row}",
                )
            )
        elif event.previous_hash != last.hash:
            breaks.append(
                Break(
                    last.row,
                    f"rewritten: its hash is not the one row {event.pk} recorded for it",
                )
            )
        last = _Link(sequence, event.pk, event.hash)
    breaks.extend(_head_breaks(chain, last))
    return breaks


@dataclass(frozen=True)
class _Link:
    sequence: int
    row: int | None
    hash: str


def _deleted(event: AuditEvent, last: _Link) -> Break:
    """The rows missing before `event`: the last of them is the one it
    names as its previous row."""
    first, final = last.sequence + 1, (event.sequence or 0) - 1
    after = f"row {last.row}" if last.row is not None else "the start"
    where = f"between {after} and row {event.pk}"
    if first == final:
        return Break(event.previous_event_id, f"deleted: sequence {first}, {where}")
    return Break(
        event.previous_event_id,
        f"deleted, with the rows before it: sequences {first} to {final}, {where}",
    )


def _head_breaks(chain: AuditChain, last: _Link) -> list[Break]:
    """The newest row against what the chain's head recorded."""
    if chain.sequence > last.sequence:
        after = f"after row {last.row}" if last.row is not None else "from the start"
        first = last.sequence + 1
        which = (
            f"sequence {first}"
            if first == chain.sequence
            else f"with the rows before it, sequences {first} to {chain.sequence}"
        )
        return [
            Break(chain.head_event_id, f"deleted, the newest row: {which}, {after}")
        ]
    if chain.sequence < last.sequence:
        return [
            Break(last.row, "inserted: beyond the newest row the chain's head recorded")
        ]
    if (last.row, last.hash) != (chain.head_event_id, chain.head_hash):
        return [
            Break(last.row, "rewritten: not the newest row the chain's head recorded")
        ]
    return []


def _chained(chain: AuditChain) -> Iterator[AuditEvent]:
    events = AuditEvent.objects.filter(chain=chain, sequence__isnull=False)
    return events.order_by("sequence").iterator(chunk_size=2000)


def verify() -> dict[AuditChain, list[Break]]:
    """Every chain and its breaks (none when intact)."""
    chains = AuditChain.objects.select_related("organization").order_by("pk")
    return {chain: verify_chain(chain) for chain in chains}
