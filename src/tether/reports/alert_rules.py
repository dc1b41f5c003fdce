"""How each alert rule does in this clinic (issue #15 item 6; docs/reports.md
§Alert feedback): for each kind of alert, how many fired in a window, the
share acknowledged within a week, and the share the clinicians who
acknowledged or resolved them marked useful, not useful or wrong.

What counts, in one place (the supervisor's dashboard counts "acknowledged
within a week" per clinician with the same `Tally`):

- an alert **fired** when Tether stored it (`Signal.created_at`) within the
  window; a condition that comes back updates its alert, so it is counted
  once;
- it is **due** an acknowledgement when its kind asks for one
  (`signals.needs_action`: good news and information are noted, never
  acknowledged) and either a person has acknowledged or resolved it or a week
  has passed since it fired (a younger alert still has time);
- it was **acknowledged within a week** when a person acknowledged or
  resolved it (`acknowledged_at`; an alert the data resolved automatically has
  none) no more than 7 days after it fired;
- the feedback shares are of the alerts that were given feedback, not of all
  that fired: an alert left without a tap says nothing either way.

Aggregates only, never a case or a member: readable by supervisors and
administrators (`alert_rules_for`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tether.accounts.models import User
from tether.audit.services import record
from tether.care.models import Feedback, Signal
from tether.signals import needs_action
from tether.signals.catalogue import catalogue, rule_name

WEEK = dt.timedelta(days=7)
"""An acknowledgement within this long after the alert fired is on time."""

WINDOWS = (30, 90, 365)
"""The windows offered, in days; 0 is every alert ever stored."""
DEFAULT_WINDOW = 90


@dataclass(frozen=True)
class Share:
    """`part` of `whole`, as people read it; no share of nothing."""

    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return None if self.whole == 0 else round(100 * self.part / self.whole)


@dataclass
class Tally:
    """Alerts counted one at a time (`add`) for one rule or one clinician."""

    fired: int = 0
    due: int = 0
    on_time: int = 0
    feedback: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(Feedback.values, 0)
    )

    def add(
        self,
        kind: str,
        fired_at: dt.datetime,
        acknowledged_at: dt.datetime | None,
        feedback: str,
        now: dt.datetime,
    ) -> None:
        self.fired += 1
        if needs_action(kind) and (acknowledged_at or now - fired_at >= WEEK):
            self.due += 1
            if acknowledged_at is not None and acknowledged_at - fired_at <= WEEK:
                self.on_time += 1
        if feedback in self.feedback:
            self.feedback[feedback] += 1

    @property
    def acknowledged(self) -> Share:
        """Acknowledged within a week, of those due."""
        return Share(self.on_time, self.due)

    @property
    def given(self) -> int:
        """How many were given feedback."""
        return sum(self.feedback.values())

    def marked(self, value: str) -> Share:
        """Marked `value`, of those given feedback."""
        return Share(self.feedback[value], self.given)

    @property
    def useful(self) -> Share:
        return self.marked(Feedback.USEFUL)

    @property
    def not_useful(self) -> Share:
        return self.marked(Feedback.NOT_USEFUL)

    @property
    def wrong(self) -> Share:
        return self.marked(Feedback.WRONG)


@dataclass(frozen=True)
class RuleFigures:
    kind: str
    name: str
    """The rule as people read it (the alert's title without its measure)."""
    asks_action: bool
    tally: Tally


@dataclass(frozen=True)
class AlertRules:
    days: int
    """The window, in days; 0 for every alert ever stored."""
    since: dt.datetime | None
    now: dt.datetime
    rules: list[RuleFigures]

    @property
    def fired(self) -> int:
        return sum(rule.tally.fired for rule in self.rules)


def may_see_figures(user: User) -> bool:
    """The clinic's figures (per rule, per clinician) are for supervisors and
    administrators: aggregates, never a case."""
    return bool(
        user.is_authenticated
        and user.organization_id is not None
        and (user.is_supervisor or user.is_org_admin)
    )


def window_params(days: int) -> str:
    """The query string that asks for this window ("" for the default)."""
    return "" if days == DEFAULT_WINDOW else f"?days={days}"


def window_start(days: int, now: dt.datetime) -> dt.datetime | None:
    return None if days == 0 else now - dt.timedelta(days=days)


def alert_rules_for(
    user: User, days: int = DEFAULT_WINDOW, now: dt.datetime | None = None
) -> AlertRules:
    """Each rule's figures in the user's organization over the last `days`
    (0: all); 403 for anyone but a supervisor or administrator. Two queries;
    audited."""
    if not may_see_figures(user):
        raise PermissionDenied(
            "The clinic's figures are for supervisors and administrators."
        )
    now = now or timezone.now()
    since = window_start(days, now)
    alerts = Signal.objects.filter(organization_id=user.organization_id)
    if since is not None:
        alerts = alerts.filter(created_at__gte=since)
    rows = alerts.values_list("kind", "created_at", "acknowledged_at", "feedback")
    rules = rule_figures(rows, now)
    record(
        user,
        "read",
        "alert-rules",
        "",
        organization=user.organization,
        detail={"window_days": days, "alerts": sum(r.tally.fired for r in rules)},
    )
    return AlertRules(days=days, since=since, now=now, rules=rules)


def rule_figures(
    rows: Iterable[tuple[str, dt.datetime, dt.datetime | None, str]],
    now: dt.datetime,
) -> list[RuleFigures]:
    """Every rule of the catalogue, in its order (a kind it does not know, at
    the end), each with the tally of its alerts (kind, fired at, acknowledged
    at, feedback)."""
    tallies = {kind: Tally() for kind in catalogue()}
    for kind, fired_at, acknowledged_at, feedback in rows:
        tallies.setdefault(kind, Tally()).add(
            kind, fired_at, acknowledged_at, feedback, now
        )
    return [
        RuleFigures(
            kind=kind,
            name=rule_name(kind) if kind in catalogue() else kind,
            asks_action=needs_action(kind),
            tally=tally,
        )
        for kind, tally in tallies.items()
    ]
