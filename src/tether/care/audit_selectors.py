"""The administrators' audit log: their own organization's events, filtered,
a page at a time or all of them for a CSV file, each in words (people's
names, case labels, actions), never an internal id. Reading the log is itself
audited. Here in care, beside the other administrators' pages, because
naming an event's case takes the cases; the trail itself is the audit app's
(docs/security.md §Audit trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tether.accounts.models import User
from tether.audit.models import AuditEvent
from tether.audit.services import record
from tether.audit.words import (
    action_words,
    detail_words,
    nobody_words,
    record_words,
)

from .models import Case

PAGE_SIZE = 50
EXPORT_BATCH = 500


@dataclass(frozen=True)
class AuditQuery:
    """Which events: by one person, about one case, one action, from one
    day to another (both included); None for any."""

    user: int | None = None
    case: int | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def audited(self) -> dict[str, Any]:
        """The filters in use, for the audit event of reading the log."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in vars(self).items()
            if value is not None
        }


@dataclass(frozen=True)
class AuditRow:
    """One event as the log shows it."""

    at: dt.datetime
    sequence: int | None
    who: str
    action: str
    about: str
    case: str
    details: str
    ip_address: str
    user_agent: str


def audit_events(admin: User, query: AuditQuery) -> QuerySet[AuditEvent]:
    """The events of the administrator's organization that `query` asks
    for, newest first. Events with no organization belong to no clinic and
    are left to `tether audit verify`."""
    events = AuditEvent.objects.filter(organization_id=admin.organization_id)
    if query.user is not None:
        events = events.filter(user_id=query.user)
    if query.case is not None:
        events = events.filter(case_id=query.case)
    if query.action:
        events = events.filter(action=query.action)
    if query.since is not None:
        events = events.filter(at__gte=_start_of(query.since))
    if query.until is not None:
        events = events.filter(at__lt=_start_of(query.until + dt.timedelta(days=1)))
    return events.select_related("user").order_by("-at", "-pk")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def audit_log_page(
    admin: User, query: AuditQuery, number: str | None
) -> tuple[Page[AuditEvent], list[AuditRow]]:
    """One page of the log (the first for a page number that is not one,
    the last for one past the end) and its rows; audited as a read."""
    page = Paginator(audit_events(admin, query), PAGE_SIZE).get_page(number)
    rows = describe(admin, page.object_list)
    detail = {"page": page.number, **query.audited()}
    record(admin, "read", "audit-log", organization=admin.organization, detail=detail)
    return page, rows


def audit_log_export(admin: User, query: AuditQuery) -> Iterator[AuditRow]:
    """Every event `query` asks for, for a CSV file; audited as an export
    (before the first row is read)."""
    events = audit_events(admin, query)
    detail = {"rows": events.count(), **query.audited()}
    record(admin, "export", "audit-log", organization=admin.organization, detail=detail)
    return _described(admin, events)


def _described(admin: User, events: QuerySet[AuditEvent]) -> Iterator[AuditRow]:
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=EXPORT_BATCH):
        batch.append(event)
        if len(batch) == EXPORT_BATCH:
            yield from describe(admin, batch)
            batch = []
    yield from describe(admin, batch)


def describe(admin: User, events: Iterable[AuditEvent]) -> list[AuditRow]:
    """The events in words: who (a name), what they did, to which record (a
    person's name or a case's label, only if of the administrator's own
    organization), the details worth showing."""
    events = list(events)
    cases = _case_labels(admin, {e.case_id for e in events if e.case_id is not None})
    people = _names(admin, {e.object_id for e in events if e.object_type == "user"})
    return [_row(event, cases, people) for event in events]


def _row(event: AuditEvent, cases: dict[int, str], people: dict[str, str]) -> AuditRow:
    case = ""
    if event.case_id is not None:
        case = cases.get(event.case_id, _("a case out of reach"))
    about = record_words(event.object_type)
    if event.object_type == "user" and event.object_id in people:
        about = f"{about}: {people[event.object_id]}"
    return AuditRow(
        at=event.at,
        sequence=event.sequence,
        who=event.user.display if event.user else nobody_words(event.action),
        action=action_words(event.action),
        about=about,
        case=case,
        details=detail_words(event.detail),
        ip_address=event.ip_address or "",
        user_agent=event.user_agent,
    )


def _case_labels(admin: User, ids: set[int]) -> dict[int, str]:
    cases = Case.objects.filter(organization_id=admin.organization_id, pk__in=ids)
    return dict(cases.values_list("pk", "label"))


def _names(admin: User, ids: set[str]) -> dict[str, str]:
    numbers = [int(i) for i in ids if i.isdigit()]
    users = User.objects.filter(organization_id=admin.organization_id, pk__in=numbers)
    return {str(user.pk): user.display for user in users}


def audit_filter_choices(
    admin: User,
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The people and the cases of the administrator's organization, for the
    log's filters: (id, name) and (id, label), closed cases marked."""
    people = User.objects.filter(organization_id=admin.organization_id).order_by(
        "last_name", "first_name", "username"
    )
    cases = Case.objects.filter(organization_id=admin.organization_id).order_by(
        "label", "pk"
    )
    closed = _("closed")
    return (
        [(person.pk, person.display) for person in people],
        [
            (c.pk, c.label if c.status == Case.Status.OPEN else f"{c.label} ({closed})")
            for c in cases
        ],
    )
