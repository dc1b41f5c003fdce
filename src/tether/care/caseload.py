"""The caseload: who needs attention and why (issue #11).

Each case is led by its most urgent open alert, said in words ("Risk item
endorsed — Claire (PHQ-9), session 6, today"); cases are ordered by it: open
risk alerts first, newest first, then red alerts by recency, then yellow,
then the rest. The counts stay as detail. What the query asks (search,
filters, sort) is a `CaseloadQuery`, parsed from the page's GET parameters by
forms.CaseloadForm; the permission-checked read is selectors.caseload_for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tether.instruments import UnknownInstrument
from tether.signals import severity_rank
from tether.signals.catalogue import catalogue, title_of
from tether.signals.risk import RISK_ITEM

from .frames import library

OFF_TRACK_KINDS = frozenset(
    {"not-on-track", "meaningful-worsening", "reliable-deterioration"}
)
"""The alerts that say a symptom measure is going the wrong way: not on track
where the clinic's expected-response model is fitted, else a worsening since
intake (docs/signals.md, "One outcome trend, one alert")."""

STATUSES = ("open", "closed", "all")

SORTS: dict[str, bool] = {
    "attention": False,
    "case": False,
    "last-session": False,
    "alliance": False,
    "pcl5": True,
    "clinician": False,
}
"""Each column the caseload sorts by, and whether it starts descending: the
most urgent first, A to Z, the longest since a session first, the lowest
alliance first, the highest PCL-5 first."""

RUPTURE_STATES = {
    "unrepaired": gettext_lazy("unrepaired"),
    "pending": gettext_lazy("too early to tell"),
    "reported": gettext_lazy("said by the member"),
}
"""A rupture's state as the caseload line says it (repaired ones are closed)."""

SUBJECTS = {
    "family": gettext_lazy("the family"),
    "case": "",
}


@dataclass(frozen=True)
class CaseloadQuery:
    """What the caseload is asked to show, in plain values."""

    search: str = ""
    kind: str = ""
    clinician: int | None = None
    alert: str = ""
    """An alert kind open in the case."""
    off_track: bool = False
    quiet_weeks: int | None = None
    """No session in this many weeks (or none at all)."""
    status: str = "open"
    sort: str = "attention"
    descending: bool = False

    def audited(self) -> dict[str, Any]:
        """What differs from the default query, for the audit trail."""
        default = CaseloadQuery()
        return {
            name: value
            for name, value in vars(self).items()
            if value != getattr(default, name)
        }

    def params(self, **changes: Any) -> str:
        """The query string of this query with `changes`, defaults left out."""
        query = replace(self, **changes)
        values: dict[str, Any] = {
            "q": query.search,
            "kind": query.kind,
            "clinician": query.clinician or "",
            "alert": query.alert,
            "off_track": "on" if query.off_track else "",
            "quiet_weeks": query.quiet_weeks or "",
            "status": "" if query.status == "open" else query.status,
        }
        if (query.sort, query.descending) != ("attention", False):
            values["sort"] = ("-" if query.descending else "") + query.sort
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


@dataclass(frozen=True)
class OpenAlert:
    """An open alert as the caseload reads it."""

    pk: int
    kind: str
    severity: str
    subject: str
    instrument: str
    session: int
    """The session it was last seen in."""
    date: dt.date | None
    """That session's date."""
    state: str = ""

    @property
    def urgency(self) -> tuple[int, int, int]:
        """Smaller is more urgent: risk, then red, yellow and the rest, each
        newest first."""
        tier = 0 if self.kind == RISK_ITEM else 4 - max(severity_rank(self.severity), 0)
        day = self.date.toordinal() if self.date else 0
        return (tier, -day, -self.session)


def latest_session(evidence: Mapping[str, Any], session: int) -> int:
    """The last session an alert's evidence saw it in."""
    seen = [session, *evidence.get("followed", [])]
    last = evidence.get("last_session")
    if isinstance(last, int | float):
        seen.append(int(last))
    return max(seen)


def most_urgent(alerts: Iterable[OpenAlert]) -> OpenAlert | None:
    return min(alerts, key=lambda a: (a.urgency, a.pk), default=None)


def counts(alerts: Iterable[OpenAlert]) -> dict[str, int]:
    """Open alerts by severity, most urgent first; risk alerts among the red."""
    out: dict[str, int] = {}
    for alert in sorted(alerts, key=lambda a: -severity_rank(a.severity)):
        out[alert.severity] = out.get(alert.severity, 0) + 1
    return out


def headline(alert: OpenAlert, names: Mapping[str, str], today: dt.date) -> str:
    """The alert in words: its catalogue title, whom it is about, where and
    when, as people read them."""
    entry = catalogue().get(alert.kind, {})
    shown = instrument_words(alert.instrument)
    # A title that names its instrument ("Recovery on PCL-5") says it once.
    named = "{instrument}" in str(entry.get("title", ""))
    title = title_of(alert.kind, {"instrument": shown}) if entry else alert.kind
    state = RUPTURE_STATES.get(alert.state) if alert.kind == "rupture" else None
    if state:
        title = _("%(title)s (%(state)s)") % {"title": title, "state": state}
    who = subject_words(alert.subject, names)
    if shown and not named:
        who = _("%(who)s (%(instrument)s)") % {"who": who, "instrument": shown}
    when = _("session %(number)s, %(date)s") % {
        "number": alert.session,
        "date": day_words(alert.date, today),
    }
    if not who:
        return _("%(title)s — %(when)s") % {"title": title, "when": when}
    return _("%(title)s — %(who)s, %(when)s") % {
        "title": title,
        "who": who,
        "when": when,
    }


def subject_words(subject: str, names: Mapping[str, str]) -> str:
    kind, _colon, ident = subject.partition(":")
    if kind == "member":
        return names.get(ident, ident)
    if kind == "subsystem":
        return ident
    return str(SUBJECTS.get(subject, subject))


def instrument_words(key: str) -> str:
    """`pcl-5@past-week` as people read it: PCL-5."""
    if not key:
        return ""
    try:
        return library().get(key).short_title
    except UnknownInstrument:
        return key


def day_words(day: dt.date | None, today: dt.date) -> str:
    if day is None:
        return _("date unknown")
    if day == today:
        return str(pgettext_lazy("day", "today"))
    if day == today - dt.timedelta(days=1):
        return str(pgettext_lazy("day", "yesterday"))
    return date_format(day, "j M Y" if day.year != today.year else "j M")


def sort_rows(rows: list[Any], query: CaseloadQuery) -> list[Any]:
    """Rows in the order the query asks; ties by case name. Rows with nothing
    to sort by (no session, no alliance, no PCL-5) come last either way."""
    by_name = sorted(rows, key=lambda r: r.case.label.casefold())
    if query.sort == "case":
        return by_name[::-1] if query.descending else by_name

    def value(row: Any) -> Any:
        if query.sort == "last-session":
            return row.last_session.toordinal() if row.last_session else None
        if query.sort == "alliance":
            lowest = row.glance.get("lowest_member")
            return lowest[1] if lowest else None
        if query.sort == "pcl5":
            return row.pcl5.get("latest")
        if query.sort == "clinician":
            names = [c.display.casefold() for c in row.clinicians]
            return min(names) if names else None
        top = row.top
        return top.urgency if top else None

    present = [r for r in by_name if value(r) is not None]
    missing = [r for r in by_name if value(r) is None]
    present.sort(key=value, reverse=query.descending)
    return present + missing


def sort_links(query: CaseloadQuery) -> dict[str, dict[str, str]]:
    """For each sortable column (named with `_` for the template): the link
    that sorts by it, or reverses it when it is the current one, and its
    aria-sort value."""
    links = {}
    for column, starts_descending in SORTS.items():
        current = query.sort == column
        descending = not query.descending if current else starts_descending
        direction = "descending" if query.descending else "ascending"
        links[column.replace("-", "_")] = {
            "url": "?" + query.params(sort=column, descending=descending),
            "aria": direction if current else "none",
        }
    return links
