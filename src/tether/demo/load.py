"""The alert load of the demo clinic: how many alerts each open case leaves
open, and whether every planted event still going on has its open alert
(issue #11, "alert load a person can read"; docs/signals.md, "Open alerts
are the ones that ask for something")."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from tether.accounts.models import Organization
from tether.care.models import Case, Signal
from tether.signals import SEVERITIES

from .clinic import PlantedEvent

MEMBER_SPLITS = frozenset({"split-dyad", "split-family", "split-adult-youth"})
"""A split between members shows as whichever of these the members who
answered the same instrument allow: a family split where a child answers the
child form is a split between the two caregivers on TAC (docs/signals.md,
"Like with like")."""

ANSWERED_BY: dict[str, frozenset[str]] = {
    "rupture": frozenset({"rupture"}),
    "split-dyad": MEMBER_SPLITS,
    "split-family": MEMBER_SPLITS,
    "split-adult-youth": MEMBER_SPLITS,
    "split-family-therapist": frozenset({"split-family-therapist"}),
    "therapist-overestimation": frozenset({"therapist-discrepancy"}),
    "pcl5-deteriorator": frozenset(
        {"not-on-track", "meaningful-worsening", "reliable-deterioration"}
    ),
    "risk-item": frozenset({"risk-item"}),
    "low-support": frozenset({"low-support"}),
    "missed": frozenset({"disengagement"}),
    "low-srs": frozenset({"low-alliance"}),
}
"""The alerts that answer each kind of planted event. The PCL-5 classes of
responders and non-responders are not events to act on: a responder's
improvement is good news, shown on the case page and never open, and a
non-responder has nothing new."""

GROUP_EVENTS = frozenset(
    {"split-dyad", "split-family", "split-adult-youth", "split-family-therapist"}
)
"""Events whose alert names the lower side of a comparison rather than the
member the event was planted in: any alert of the kind in the case answers."""


@dataclass(frozen=True)
class AlertLoad:
    per_case: dict[int, int]
    """Open alerts of each open case, every severity, by case id."""
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.per_case.values())

    @property
    def median(self) -> float:
        return statistics.median(self.per_case.values()) if self.per_case else 0.0

    def __str__(self) -> str:
        severities = ", ".join(f"{n} {s}" for s, n in self.by_severity.items())
        return (
            f"{self.total} open alerts over {len(self.per_case)} open cases, "
            f"median {self.median:g} per case ({severities})"
        )


def alert_load(organization: Organization) -> AlertLoad:
    """The open alerts of the organization's open cases."""
    cases = Case.objects.filter(organization=organization, status=Case.Status.OPEN)
    per_case = dict.fromkeys(cases.values_list("pk", flat=True), 0)
    by_severity = dict.fromkeys(reversed(SEVERITIES), 0)
    rows = Signal.objects.filter(case__in=cases, status=Signal.Status.OPEN)
    for case_id, severity in rows.values_list("case_id", "severity"):
        per_case[case_id] += 1
        by_severity[severity] = by_severity.get(severity, 0) + 1
    return AlertLoad(per_case, by_severity)


def needs_open_alert(event: PlantedEvent) -> bool:
    """A planted event that should have an open alert now: every risk answer
    (only a clinician closes its alert), and every other event that asks for
    action and is still going on at the case's last session."""
    if event.event not in ANSWERED_BY:
        return False
    return event.event == "risk-item" or event.ongoing


def without_open_alert(planted: Iterable[PlantedEvent]) -> list[PlantedEvent]:
    """The planted events that should have an open alert and have none."""
    wanted = [event for event in planted if needs_open_alert(event)]
    open_alerts = set(
        Signal.objects.filter(
            case_id__in={e.case_id for e in wanted}, status=Signal.Status.OPEN
        ).values_list("case_id", "kind", "subject")
    )
    missing = []
    for event in wanted:
        kinds = ANSWERED_BY[event.event]
        found = any(
            case_id == event.case_id
            and kind in kinds
            and (event.event in GROUP_EVENTS or subject == f"member:{event.member_id}")
            for case_id, kind, subject in open_alerts
        )
        if not found:
            missing.append(event)
    return missing
