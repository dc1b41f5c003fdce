"""The supervisor's dashboard (issue #15 item 3; docs/reports.md §Supervisor
dashboard): which of the clinic's open cases need help this week, across
clinicians; how alliance and outcome change are spread over the clinic; and
each clinician's figures.

Who sees what (docs/architecture.md §Privacy, minimum necessary):

- a **supervisor** (whatever else they are) sees all three: they read every
  case of the organization already;
- an **administrator who is not a supervisor** sees the clinicians' figures
  only — counts and shares, never a case, a member, a score or an alert of
  a case — since accounts and settings need no clinical data;
- anyone else (a clinician alone) is refused (403): a clinician sees their
  own cases on their caseload, not the clinic's nor another clinician's.

The cases come from care's caseload machinery (`selectors.caseload_rows`
over `cases_for`, the caseload's sort and sort links), so a row says what it
says on the caseload; a fixed number of queries whatever the number of
cases."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tether.accounts.models import User
from tether.audit.services import record
from tether.care.caseload import OFF_TRACK_KINDS, CaseloadQuery, OpenAlert, sort_rows
from tether.care.models import SENT, Case, Session, Signal
from tether.care.selectors import (
    CaseloadRow,
    caseload_rows,
    clinic_config,
    filtered_cases,
)
from tether.care.summary import pcl5_change_rule
from tether.signals.risk import RISK_ITEM

from .alert_rules import DEFAULT_WINDOW, Share, Tally, may_see_figures, window_start
from .histogram import Bin, Cutoff, Histogram, bins_of, histogram

CONCERNS = {
    "red": gettext_lazy("Red alert"),
    "unrepaired-rupture": gettext_lazy("Unrepaired rupture"),
    "persistent-split": gettext_lazy("Persistent split"),
    "not-on-track": gettext_lazy("Not on track"),
    "disengagement": gettext_lazy("Disengagement"),
}
"""What makes an open case one that needs help, as the dashboard names it."""

SPLITS = frozenset(
    {"split-dyad", "split-family", "split-adult-youth", "split-family-therapist"}
)
"""The split alerts that ask for action (across forms is information only)."""


def concerns_of(alerts: Iterable[OpenAlert]) -> list[str]:
    """The concerns a case's open alerts raise, in CONCERNS' order: any red
    alert (a risk alert among them); a rupture not repaired within its window;
    a split red because it has lasted (`split_persistent_sessions`); a
    symptom measure off its expected course or worse since intake (the
    caseload's "not on track"); questionnaires left unanswered."""
    found = set()
    for alert in alerts:
        if alert.severity == "red" or alert.kind == RISK_ITEM:
            found.add("red")
        if alert.kind == "rupture" and alert.state == "unrepaired":
            found.add("unrepaired-rupture")
        if alert.kind in SPLITS and alert.severity == "red":
            found.add("persistent-split")
        if alert.kind in OFF_TRACK_KINDS:
            found.add("not-on-track")
        if alert.kind == "disengagement":
            found.add("disengagement")
    return [key for key in CONCERNS if key in found]


# ---- the query -----------------------------------------------------------------


@dataclass(frozen=True)
class DashboardQuery:
    """What the dashboard is asked to show, in plain values: the cases'
    filters and sort (the caseload's sort columns), and the window of the
    clinicians' figures."""

    concern: str = ""
    clinician: int | None = None
    kind: str = ""
    days: int = DEFAULT_WINDOW
    sort: str = "attention"
    descending: bool = False

    def audited(self) -> dict[str, Any]:
        default = DashboardQuery()
        return {
            name: value
            for name, value in vars(self).items()
            if value != getattr(default, name)
        }

    def params(self, **changes: Any) -> str:
        """The query string of this query with `changes`, defaults left out:
        the sort links keep the filters, and the filters the sort."""
        query = replace(self, **changes)
        values: dict[str, Any] = {
            "concern": query.concern,
            "clinician": query.clinician or "",
            "kind": query.kind,
            "days": "" if query.days == DEFAULT_WINDOW else query.days,
        }
        if (query.sort, query.descending) != ("attention", False):
            values["sort"] = ("-" if query.descending else "") + query.sort
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    @property
    def filtered(self) -> bool:
        return bool(self.concern or self.clinician or self.kind)


# ---- what the page shows ---------------------------------------------------------


@dataclass(frozen=True)
class CaseNeedingHelp:
    row: CaseloadRow
    concerns: list[str]


@dataclass(frozen=True)
class Distribution:
    chart: Histogram
    bins: list[Bin]
    n: int
    median: float | None
    note: str
    """What the values are, in a sentence (the chart's caption)."""


@dataclass(frozen=True)
class ClinicianFigures:
    clinician: User
    open_cases: int
    sessions: int
    measured: int
    alerts: Tally

    @property
    def measured_share(self) -> Share:
        return Share(self.measured, self.sessions)


@dataclass(frozen=True)
class Dashboard:
    figures_only: bool
    """An administrator who is not a supervisor: the clinicians' figures only."""
    since: dt.datetime | None
    now: dt.datetime
    cases: list[CaseNeedingHelp]
    open_cases: int
    """The organization's open cases, before any filter."""
    concern_counts: dict[str, int]
    """Open cases with each concern, before any filter."""
    alliance: Distribution | None
    outcome: Distribution | None
    clinicians: list[ClinicianFigures]


def dashboard_for(
    user: User, query: DashboardQuery | None = None, now: dt.datetime | None = None
) -> Dashboard:
    """The dashboard as `user` may see it (403 for a clinician alone), the
    cases in the query's order. A fixed number of queries; audited with what
    was asked."""
    if not may_see_figures(user):
        raise PermissionDenied("The dashboard is for supervisors and administrators.")
    query = query or DashboardQuery()
    now = now or timezone.now()
    since = window_start(query.days, now)
    figures = clinician_figures(user, since, now)
    if not user.is_supervisor:
        dashboard = Dashboard(True, since, now, [], 0, {}, None, None, figures)
    else:
        dashboard = _with_cases(user, query, since, now, figures)
    record(
        user,
        "read",
        "dashboard",
        "",
        organization=user.organization,
        detail={
            "cases": len(dashboard.cases),
            "figures_only": dashboard.figures_only,
            **query.audited(),
        },
    )
    return dashboard


def _with_cases(
    user: User,
    query: DashboardQuery,
    since: dt.datetime | None,
    now: dt.datetime,
    figures: list[ClinicianFigures],
) -> Dashboard:
    config = clinic_config(user)
    # The caseload's own read of the open cases the user may see.
    rows = caseload_rows(filtered_cases(user, CaseloadQuery()), config)
    needing = [CaseNeedingHelp(row, concerns_of(row.alerts)) for row in rows]
    needing = [case for case in needing if case.concerns]
    counts = {key: sum(key in c.concerns for c in needing) for key in CONCERNS}
    shown = [case for case in needing if _matches(case, query)]
    order = sort_rows([case.row for case in shown], query)  # type: ignore[arg-type]
    by_row = {id(case.row): case for case in shown}
    return Dashboard(
        figures_only=False,
        since=since,
        now=now,
        cases=[by_row[id(row)] for row in order],
        open_cases=len(rows),
        concern_counts=counts,
        alliance=alliance_distribution(rows),
        outcome=outcome_distribution(rows, pcl5_change_rule(config)),
        clinicians=figures,
    )


def _matches(case: CaseNeedingHelp, query: DashboardQuery) -> bool:
    row = case.row
    if query.concern and query.concern not in case.concerns:
        return False
    if query.kind and row.case.kind != query.kind:
        return False
    return not (
        query.clinician is not None
        and query.clinician not in {c.pk for c in row.clinicians}
    )


# ---- distributions ---------------------------------------------------------------

ALLIANCE_EDGES = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 101)
CHANGE_EDGES = (-34, -29, -24, -19, -14, -9, -4, 0, 5, 10, 15, 20, 25, 30, 35)
"""Five-point bands of PCL-5 change, mirrored about zero (… −14 to −10, −9 to
−5, −4 to −1, 0 to 4, 5 to 9, 10 to 14 …), so a change rule of 10 or 15
points falls on an edge on either side; the ends take everything beyond 30."""
CHANGE_TICKS = {1: "−30", 3: "−20", 5: "−10", 7: "0", 9: "+10", 11: "+20", 13: "+30"}
"""The edges between CHANGE_EDGES' bands named on the axis (0 is the left of
the first band)."""


def alliance_distribution(rows: Sequence[CaseloadRow]) -> Distribution | None:
    """Each open case's lowest member alliance at its latest session (the
    caseload's "lowest member"), in bands of ten points."""
    values = [
        int(row.glance["lowest_member"][1])
        for row in rows
        if row.glance.get("lowest_member")
    ]
    if not values:
        return None
    labels = [f"{low}–{high - 1}" for low, high in itertools.pairwise(ALLIANCE_EDGES)]
    bins = bins_of(values, ALLIANCE_EDGES, labels)
    median = statistics.median(values)
    summary = _(
        "Lowest member alliance of %(n)d open cases, in bands of ten points "
        "from 0 to 100; median %(median)s."
    ) % {"n": len(values), "median": _number(median)}
    chart = histogram(
        "alliance-spread",
        _("Alliance: the lowest member of each case"),
        summary,
        bins,
        x_title=_("Alliance (0–100)"),
        y_title=_("Cases"),
        edges=[(i, str(e)) for i, e in enumerate(ALLIANCE_EDGES[:-1]) if i % 2 == 0]
        + [(len(bins), "100")],
    )
    note = _(
        "At each open case's latest session with alliance answers, the member "
        "with the lowest alliance (0–100). TAC has no validated cutoff, so no "
        "line is drawn."
    )
    return Distribution(chart, bins, len(values), median, note)


def outcome_distribution(rows: Sequence[CaseloadRow], rule: Any) -> Distribution | None:
    """Each open case's PCL-5 change since intake (the identified client's,
    as on the caseload) where it has been measured twice or more, in
    five-point bands, with the clinic's change rule drawn either side."""
    values = [
        int(row.pcl5["change"])
        for row in rows
        if row.pcl5 and row.pcl5["session"] > row.pcl5.get("first_session", 0)
    ]
    if not values:
        return None
    labels = [_change_label(i) for i in range(len(CHANGE_EDGES) - 1)]
    bins = bins_of(values, CHANGE_EDGES, labels)
    cutoffs = []
    if rule is not None:
        points = int(rule.threshold)
        cutoffs = [
            Cutoff(-points, "below", _("← %(points)d+ better") % {"points": points}),
            Cutoff(points, "above", _("%(points)d+ worse →") % {"points": points}),
        ]
    median = statistics.median(values)
    summary = _(
        "PCL-5 change since intake of %(n)d open cases, in five-point bands "
        "from 30 or more lower to 30 or more higher; median %(median)s."
    ) % {"n": len(values), "median": _number(median, signed=True)}
    chart = histogram(
        "outcome-spread",
        _("PTSD symptoms: change since intake (PCL-5)"),
        summary,
        bins,
        x_title=_("Change in points (lower is better)"),
        y_title=_("Cases"),
        edges=list(CHANGE_TICKS.items()),
        cutoffs=cutoffs,
    )
    if rule is None:
        note = _("No change rule applies to the PCL-5 here, so no line is drawn.")
    else:
        note = _(
            "The dashed lines are the clinic's change rule: %(points)s points "
            "or more since intake."
        ) % {"points": _number(rule.threshold)}
    return Distribution(chart, bins, len(values), median, note)


def _change_label(index: int) -> str:
    low, high = CHANGE_EDGES[index], CHANGE_EDGES[index + 1] - 1
    if index == 0:
        return _("%(value)s or less") % {"value": _signed(high)}
    if index == len(CHANGE_EDGES) - 2:
        return _("%(value)s or more") % {"value": _signed(low)}
    return _("%(low)s to %(high)s") % {"low": _signed(low), "high": _signed(high)}


def _signed(value: float) -> str:
    text = _number(abs(value))
    return f"−{text}" if value < 0 else (f"+{text}" if value > 0 else text)


def _number(value: float, signed: bool = False) -> str:
    if signed:
        return _signed(value)
    return f"{value:g}" if value >= 0 else f"−{abs(value):g}"


# ---- the clinicians' figures -----------------------------------------------------


def clinician_figures(
    user: User, since: dt.datetime | None, now: dt.datetime
) -> list[ClinicianFigures]:
    """For each active clinician of the user's organization: open cases
    assigned to them; the sessions of their cases (open or closed) dated in
    the window, and how many have at least one questionnaire sent (complete
    or entered from paper); their cases' alerts fired in the window, with the
    share acknowledged within a week (alert_rules.Tally). A case with two
    clinicians counts for each. Four queries."""
    organization_id = user.organization_id
    clinicians = list(
        User.objects.filter(
            organization_id=organization_id, is_clinician=True, is_active=True
        ).order_by("last_name", "first_name", "username")
    )
    assigned: dict[int, list[int]] = {}
    open_cases: dict[int, int] = {}
    for case_id, clinician_id, status in Case.clinicians.through.objects.filter(
        case__organization_id=organization_id
    ).values_list("case_id", "user_id", "case__status"):
        assigned.setdefault(case_id, []).append(clinician_id)
        if status == Case.Status.OPEN:
            open_cases[clinician_id] = open_cases.get(clinician_id, 0) + 1
    sessions = _sessions_measured(organization_id, since, now, assigned)
    alerts = _alert_tallies(organization_id, since, now, assigned)
    return [
        ClinicianFigures(
            clinician=person,
            open_cases=open_cases.get(person.pk, 0),
            sessions=sessions.get(person.pk, (0, 0))[0],
            measured=sessions.get(person.pk, (0, 0))[1],
            alerts=alerts.get(person.pk, Tally()),
        )
        for person in clinicians
    ]


def _sessions_measured(
    organization_id: int | None,
    since: dt.datetime | None,
    now: dt.datetime,
    assigned: dict[int, list[int]],
) -> dict[int, tuple[int, int]]:
    sessions = Session.objects.filter(
        organization_id=organization_id, date__lte=timezone.localdate(now)
    )
    if since is not None:
        sessions = sessions.filter(date__gte=timezone.localdate(since))
    counts = sessions.values("case_id").annotate(
        total=Count("pk", distinct=True),
        measured=Count("pk", filter=Q(responses__status__in=SENT), distinct=True),
    )
    out: dict[int, tuple[int, int]] = {}
    for row in counts:
        for clinician_id in assigned.get(row["case_id"], []):
            total, measured = out.get(clinician_id, (0, 0))
            out[clinician_id] = (total + row["total"], measured + row["measured"])
    return out


def _alert_tallies(
    organization_id: int | None,
    since: dt.datetime | None,
    now: dt.datetime,
    assigned: dict[int, list[int]],
) -> dict[int, Tally]:
    alerts = Signal.objects.filter(organization_id=organization_id, created_at__lte=now)
    if since is not None:
        alerts = alerts.filter(created_at__gte=since)
    out: dict[int, Tally] = {}
    for case_id, kind, fired, acknowledged, feedback in alerts.values_list(
        "case_id", "kind", "created_at", "acknowledged_at", "feedback"
    ):
        for clinician_id in assigned.get(case_id, []):
            out.setdefault(clinician_id, Tally()).add(
                kind, fired, acknowledged, feedback, now
            )
    return out
