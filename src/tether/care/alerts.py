"""Alert writes: a case's signals stored from a fresh computation (keeping each
alert's status and note), the risk rule run at once when a risk answer is
saved, and the clinic's baseline refit. Every write of a Signal row is here;
a clinician's acknowledgement is a user action in services.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from tether.accounts.models import Organization
from tether.audit.services import record
from tether.signals import SignalConfig, compute_signals, needs_action, to_signals
from tether.signals.alliance import Norms
from tether.signals.expected import ExpectedResponse
from tether.signals.risk import RISK_ITEM, RISK_ITEM_SKIPPED, risk_signals

from .frames import library, score_frame
from .models import Case, Response, Signal


def _baseline(
    organization: Organization,
) -> tuple[
    Norms | None, dict[str, ExpectedResponse | None] | None, dict[str, float] | None
]:
    stored = organization.signal_norms or {}
    if not stored:
        return None, None, None
    norms = Norms.from_dict(stored["norms"])
    models = {
        k: (ExpectedResponse.from_dict(v) if v else None)
        for k, v in stored.get("models", {}).items()
    }
    return norms, models, stored.get("intake_sds")


def case_signals(case: Case) -> list[Any]:
    """The case's signals computed against the clinic's stored baseline,
    nothing stored."""
    frame = score_frame([case.pk])
    if frame.empty:
        return []
    config = SignalConfig.from_mapping(case.organization.signal_settings or {})
    norms, models, intake_sds = _baseline(case.organization)
    table = compute_signals(frame, library(), config, norms, models, intake_sds)
    return to_signals(table.signals)


def recompute_case_signals(case: Case) -> list[Signal]:
    """Recompute one case's signals now and store them (refits, tests and the
    catch-up; answers arriving queue care/recompute.py instead)."""
    fresh = case_signals(case)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        return store_signals(case, fresh)


def raise_risk_signals(case: Case) -> None:
    """Run the risk rule alone over the case's risk-item answers and store what
    it finds, changing no other signal: a risk answer never waits for a
    recompute. Call with the case row locked."""
    raise_risk_signals_of([case])


RISK_CHUNK = 500
"""Cases whose risk answers are read in one query (a batch's)."""


def raise_risk_signals_of(cases: Iterable[Case]) -> None:
    """`raise_risk_signals` for many cases at once (a batch of responses): one
    read of their risk-item answers and one run of the risk rule per
    RISK_CHUNK cases, instead of one per case (600 imported cases: 40 s
    became about a second). Call with the cases' rows locked."""
    chosen = list(cases)
    for start in range(0, len(chosen), RISK_CHUNK):
        chunk = chosen[start : start + RISK_CHUNK]
        frame = score_frame([case.pk for case in chunk], risk_items_only=True)
        if frame.empty:
            continue
        found = risk_signals(frame, library())
        by_case = {str(k): to_signals(rows) for k, rows in found.groupby("case_id")}
        for case in chunk:
            fresh = by_case.get(str(case.pk))
            if fresh:
                store_signals(case, fresh, resolve=False)


def reopen_risk_alert(response: Response) -> None:
    """A new endorsement (a new link, a new kiosk turn) reopens a closed risk
    alert of the same person, questionnaire and session: every repeat
    endorsement alerts again."""
    closed = Signal.objects.filter(
        case_id=response.session.case_id,
        kind=RISK_ITEM,
        subject=f"member:{response.member_id}",
        instrument=response.instrument,
        session_number=response.session.number,
    ).exclude(status=Signal.Status.OPEN)
    for signal in closed:
        _reopen(signal, "Raised again: a new risk answer was saved.")


def add_note(signal: Signal, line: str) -> None:
    """Add a line to the alert's note, under what is already there."""
    signal.note = (signal.note + "\n" if signal.note else "") + line


def _reopen(signal: Signal, why: str) -> None:
    """Open again, or, for good news and information, noted again."""
    signal.status = (
        Signal.Status.OPEN if needs_action(signal.kind) else Signal.Status.NOTED
    )
    add_note(signal, why)
    signal.save(update_fields=["status", "note"])
    record(
        None,
        "reopen",
        "signal",
        signal.pk,
        organization=signal.organization,
        case=signal.case_id,
    )


Key = tuple[str, str, str, int]
"""An alert's identity: kind, subject, instrument and the session where its
episode began (docs/architecture.md §Records)."""

NEVER_FOLLOWED = frozenset({RISK_ITEM, RISK_ITEM_SKIPPED})
"""Every risk answer, and every skipped risk item, is an alert of its own."""


def _key(signal: Any) -> Key:
    return (
        signal.kind,
        signal.subject,
        str(signal.evidence.get("instrument", "")),
        signal.session,
    )


def _closed_by_clinician(row: Signal) -> bool:
    return row.status == Signal.Status.ACKNOWLEDGED or (
        row.status == Signal.Status.RESOLVED and row.acknowledged_by_id is not None
    )


def _followed(row: Signal | None) -> list[int]:
    return list(row.evidence.get("followed", [])) if row is not None else []


@dataclass
class _Condition:
    """One alert and the episodes of its condition that it follows: the first
    episode (its identity), and each later one that came back while the alert
    was not closed by a clinician (`followed`, their first sessions). `merged`
    are rows stored for those later episodes before they were followed."""

    row: Signal | None
    first: Any
    latest: Any
    keys: list[Key] = field(default_factory=list)
    followed: list[int] = field(default_factory=list)
    merged: list[Signal] = field(default_factory=list)

    def follows(self, signal: Any, row: Signal | None) -> bool:
        """Whether this alert takes the condition's next episode."""
        if signal.kind in NEVER_FOLLOWED:
            return False
        if signal.session in _followed(self.row):
            return True  # followed before: the same answer on every recompute
        if self.row is None:
            return row is None
        if _closed_by_clinician(self.row):
            return False  # a clinician closed it: coming back is a new alert
        return row is None or not _closed_by_clinician(row)

    def take(self, signal: Any, row: Signal | None) -> None:
        self.latest = signal
        self.keys.append(_key(signal))
        self.followed.append(signal.session)
        if row is not None and row is not self.row:
            self.merged.append(row)


def _conditions(fresh: list[Any], existing: dict[Key, Signal]) -> list[_Condition]:
    """The fresh signals as alerts: a condition that comes back updates the
    alert of its earlier episode (one condition, one alert)."""
    episodes: dict[tuple[str, str, str], list[Any]] = {}
    for signal in fresh:
        episodes.setdefault(_key(signal)[:3], []).append(signal)
    out = []
    for runs in episodes.values():
        current: _Condition | None = None
        for signal in sorted(runs, key=lambda s: s.session):
            row = existing.get(_key(signal))
            if current is not None and current.follows(signal, row):
                current.take(signal, row)
                continue
            current = _Condition(row, signal, signal, [_key(signal)])
            out.append(current)
    return out


def store_signals(case: Case, fresh: list[Any], resolve: bool = True) -> list[Signal]:
    """Upsert a case's freshly computed signals, keeping status and notes; with
    `resolve`, close open ones no longer triggered, except risk alerts, which
    only a clinician closes. An alert whose condition has ended (a repaired
    rupture, a split no longer seen) is resolved with the reason recorded, and
    reopened if the data later show it has not ended after all. A condition
    that comes back updates its alert (reopening it when it was resolved as
    ended) instead of opening another, unless a clinician closed it. Good news
    and information that ask nothing (signals.needs_action) are noted, never
    open."""
    existing = {
        (s.kind, s.subject, s.instrument, s.session_number): s
        for s in case.signals.all()
    }
    seen: set[Key] = set()
    for condition in _conditions(fresh, existing):
        seen.update(condition.keys)
        row = _store(case, condition)
        for merged in condition.merged:
            _resolve(
                merged,
                f"the same condition is followed in the alert of session "
                f"{row.session_number}",
            )
    for key, row in existing.items():
        if (
            resolve
            and key not in seen
            and row.status in (Signal.Status.OPEN, Signal.Status.NOTED)
            and row.kind != RISK_ITEM
        ):
            row.status = Signal.Status.RESOLVED
            add_note(row, "Resolved automatically: no longer triggered by the data.")
            row.save(update_fields=["status", "note"])
    return list(case.signals.all())


def _store(case: Case, condition: _Condition) -> Signal:
    """Create or update the alert of one condition from its latest episode."""
    signal, row = condition.latest, condition.row
    evidence = json_safe(signal.evidence)
    if condition.followed:
        evidence = {**evidence, "followed": condition.followed}
    ended = "" if signal.kind == RISK_ITEM else signal.ended
    if row is None:
        row = Signal.objects.create(
            organization=case.organization,
            case=case,
            kind=signal.kind,
            severity=signal.severity,
            subject=signal.subject,
            instrument=_key(signal)[2],
            session_number=condition.first.session,
            state=signal.state,
            evidence=evidence,
            ended=ended,
            status=(
                Signal.Status.OPEN if needs_action(signal.kind) else Signal.Status.NOTED
            ),
        )
        if ended:
            _resolve_ended(row)
        return row
    if (row.severity, row.state, row.evidence, row.ended) != (
        signal.severity,
        signal.state,
        evidence,
        ended,
    ):
        if _risen(row, evidence):
            _reopen(row, f"Raised again: the answer is now {evidence['value']:g}.")
        was_ended = row.ended
        back = [s for s in condition.followed if s not in _followed(row)]
        row.severity, row.state, row.evidence, row.ended = (
            signal.severity,
            signal.state,
            evidence,
            ended,
        )
        row.save(update_fields=["severity", "state", "evidence", "ended"])
        if ended:
            _resolve_ended(row)
        elif row.status == Signal.Status.RESOLVED and back:
            _reopen(row, f"Raised again: seen again from session {back[-1]}.")
        elif was_ended and row.status == Signal.Status.RESOLVED:
            _reopen(row, "Reopened: newer data show it has not ended.")
    if row.status == Signal.Status.OPEN and not needs_action(row.kind):
        row.status = Signal.Status.NOTED
        row.save(update_fields=["status"])
    return row


def _resolve_ended(row: Signal) -> None:
    """Resolve an alert whose condition has ended, saying why."""
    _resolve(row, row.ended)


def _resolve(row: Signal, why: str) -> None:
    """Resolve an alert automatically, saying why."""
    if row.status == Signal.Status.RESOLVED:
        return
    row.status = Signal.Status.RESOLVED
    add_note(row, f"Resolved automatically: {why}.")
    row.save(update_fields=["status", "note"])
    record(
        None,
        "resolve",
        "signal",
        row.pk,
        organization=row.organization,
        case=row.case_id,
    )


def _risen(row: Signal, evidence: Mapping[str, Any]) -> bool:
    """A closed risk alert whose answer has since risen (2 after 1): a repeat
    endorsement alerts again."""
    if row.kind != RISK_ITEM or row.status == Signal.Status.OPEN:
        return False
    before, now = row.evidence.get("value"), evidence.get("value")
    return before is not None and now is not None and now > before


def json_safe(value: Any) -> Any:
    """JSON-safe evidence (numpy numbers become Python numbers)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return value


def refit_organization(organization: Organization) -> dict[str, Any]:
    """Estimate the clinic's alliance noise and expected-response models on all
    its cases, store them, and recompute every case's signals (docs/architecture.md §The path of a response)."""
    frame = score_frame(organization_id=organization.pk)
    if frame.empty:
        return {}
    config = SignalConfig.from_mapping(organization.signal_settings or {})
    # One run over the whole clinic: its noise and models are the baseline,
    # and its signals are what each case would get against that baseline.
    run = compute_signals(frame, library(), config)
    norms, models = run.norms, run.models
    signals = run.signals
    organization.signal_norms = {
        "norms": norms.to_dict(),
        "models": {k: (v.to_dict() if v else None) for k, v in models.items()},
        "intake_sds": run.intake_sds,
        "fitted_at": timezone.now().isoformat(),
    }
    organization.save(update_fields=["signal_norms"])
    by_case = {
        case_id: to_signals(rows) for case_id, rows in signals.groupby("case_id")
    }
    for case in Case.objects.filter(organization=organization):
        with transaction.atomic():
            # One writer per case: a risk answer may be saved meanwhile.
            Case.objects.select_for_update().filter(pk=case.pk).first()
            store_signals(case, by_case.get(str(case.pk), []))
    return organization.signal_norms
