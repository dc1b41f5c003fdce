"""Writes: each service checks permission, runs in one transaction, and leaves
an audit event. Views and the API call these, never the models directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from tether.accounts.models import Organization, Role, User
from tether.instruments import Definition
from tether.scoring.engine import AnswerError, score
from tether.signals import SignalConfig, compute_signals, to_signals
from tether.signals.alliance import SUBSYSTEMS, Norms, subsystem_of
from tether.signals.expected import ExpectedResponse
from tether.signals.risk import RISK_ITEM, risk_signals

from .audit import record
from .frames import library, score_frame
from .models import (
    AgeBand,
    Case,
    CaseKind,
    Member,
    MemberRole,
    Response,
    Score,
    Session,
    Signal,
    Subsystem,
)
from .selectors import get_case_for

CASE_UPKEEP: list[Callable[[Case], object]] = []
"""Catch-up work other apps register for a case (the portal keeps the unsent
answers of expired links as incomplete responses). `catch_up` runs it when the
case is read, until a background worker runs it on time."""


def catch_up(case: Case) -> None:
    for upkeep in CASE_UPKEEP:
        upkeep(case)


class InvalidEntry(ValueError):
    """Input that cannot be saved; `problems` name each field and why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only an administrator can do this.")


# ---- cases and members ---------------------------------------------------------


def create_case(
    user: User,
    label: str,
    kind: str,
    clinicians: Iterable[User] = (),
    trauma_focus: str = "",
) -> Case:
    if user.role == Role.SUPERVISOR:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Supervisors have read-only access to cases.")
    if kind not in CaseKind.values:
        raise InvalidEntry(
            [f"kind: {kind!r} is not one of {', '.join(CaseKind.values)}"]
        )
    if not label.strip():
        raise InvalidEntry(["label: give the case a name"])
    chosen = list(clinicians) or ([user] if user.role == Role.CLINICIAN else [])
    _check_same_organization(user, chosen)
    with transaction.atomic():
        case = Case.objects.create(
            organization=user.organization,
            label=label.strip(),
            kind=kind,
            trauma_focus=trauma_focus,
        )
        case.clinicians.set(chosen)
        record(user, "create", "case", case.pk, detail={"kind": kind})
    return case


def _check_same_organization(user: User, others: Iterable[User]) -> None:
    foreign = [u.username for u in others if u.organization_id != user.organization_id]
    if foreign:
        raise InvalidEntry(
            [f"clinicians: {', '.join(foreign)} is not in your organization"]
        )


def assign_clinicians(user: User, case_id: int, clinicians: Iterable[User]) -> Case:
    case = get_case_for(user, case_id, write=True)
    chosen = list(clinicians)
    _check_same_organization(user, chosen)
    with transaction.atomic():
        case.clinicians.set(chosen)
        record(
            user,
            "assign",
            "case",
            case.pk,
            detail={"clinicians": [c.pk for c in chosen]},
        )
    return case


def close_case(user: User, case_id: int) -> Case:
    case = get_case_for(user, case_id, write=True)
    with transaction.atomic():
        case.status = Case.Status.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at"])
        record(user, "close", "case", case.pk)
    return case


def add_member(
    user: User,
    case_id: int,
    first_name: str,
    role: str,
    age_band: str = AgeBand.ADULT,
    language: str = "en",
    email: str = "",
    phone: str = "",
) -> Member:
    case = get_case_for(user, case_id, write=True)
    problems = []
    if not first_name.strip():
        problems.append("first_name: give the member's first name")
    if role not in MemberRole.values:
        problems.append(f"role: {role!r} is not one of {', '.join(MemberRole.values)}")
    if age_band not in AgeBand.values:
        problems.append(
            f"age_band: {age_band!r} is not one of {', '.join(AgeBand.values)}"
        )
    if problems:
        raise InvalidEntry(problems)
    with transaction.atomic():
        member = Member.objects.create(
            organization=case.organization,
            case=case,
            first_name=first_name.strip(),
            role=role,
            age_band=age_band,
            language=language,
            email=email,
            phone=phone,
        )
        derive_subsystems(case, [member])
        record(user, "create", "member", member.pk, detail={"case": case.pk})
    return member


def derive_subsystems(case: Case, members: Iterable[Member] | None = None) -> None:
    """Put members (by default every active one) in the subsystem their role
    places them in (docs/architecture.md §Records; `subsystem_of`, the rule the
    signals use): in a
    family case an adult identified client joins the caregivers. Only the
    members given are placed, so an edited subsystem keeps its members."""
    chosen = list(case.members.filter(active=True) if members is None else members)
    by_name: dict[str, list[Member]] = {}
    for member in chosen:
        band = "youth" if member.is_youth else "adult"
        name = subsystem_of(member.role, band, case.kind)
        if name is not None:
            by_name.setdefault(name, []).append(member)
    for name, belong in by_name.items():
        subsystem, _ = Subsystem.objects.get_or_create(
            organization=case.organization, case=case, name=name
        )
        subsystem.members.add(*belong)


def set_subsystem(
    user: User, case_id: int, name: str, member_ids: Iterable[int]
) -> Subsystem:
    case = get_case_for(user, case_id, write=True)
    members = list(case.members.filter(pk__in=list(member_ids)))
    if not name.strip():
        raise InvalidEntry(["name: give the subsystem a name"])
    _check_one_signal_subsystem(case, name.strip(), members)
    with transaction.atomic():
        subsystem, _ = Subsystem.objects.get_or_create(
            organization=case.organization, case=case, name=name.strip()
        )
        subsystem.members.set(members)
        record(
            user,
            "update",
            "subsystem",
            subsystem.pk,
            detail={"members": [m.pk for m in members]},
        )
    return subsystem


def _check_one_signal_subsystem(
    case: Case, name: str, members: Iterable[Member]
) -> None:
    """The signals count each member in one of caregivers, children and couple
    (docs/long-format.md): a member already in another of them is named."""
    if name not in SUBSYSTEMS:
        return
    others = Subsystem.members.through.objects.filter(
        subsystem__case=case,
        subsystem__name__in=[n for n in SUBSYSTEMS if n != name],
        member__in=list(members),
    ).select_related("member", "subsystem")
    problems = [
        f"members: {link.member.first_name} is in the {link.subsystem.name} "
        f"subsystem; take them out of it first (a member belongs to one of "
        f"{', '.join(SUBSYSTEMS)})"
        for link in others
    ]
    if problems:
        raise InvalidEntry(problems)


# ---- sessions and responses ----------------------------------------------------


def start_session(
    user: User, case_id: int, date: dt.date | None = None, attended: Iterable[int] = ()
) -> Session:
    case = get_case_for(user, case_id, write=True)
    with transaction.atomic():
        number = (
            case.sessions.order_by("-number").values_list("number", flat=True).first()
            or 0
        ) + 1
        session = Session.objects.create(
            organization=case.organization,
            case=case,
            number=number,
            date=date or timezone.localdate(),
        )
        session.attended.set(case.members.filter(pk__in=list(attended)))
        record(
            user,
            "create",
            "session",
            session.pk,
            detail={"case": case.pk, "number": number},
        )
    return session


def get_session_for(user: User, session_id: int, write: bool = False) -> Session:
    """The session, if its case is reachable by `user` (404 otherwise, audited)."""
    session = (
        Session.objects.select_related("case")
        .filter(pk=session_id, organization_id=user.organization_id)
        .first()
    )
    if session is None:
        record(user, "denied", "session", session_id)
        from django.http import Http404

        raise Http404("No such session.")
    get_case_for(user, session.case_id, write=write)
    return session


def set_attendance(user: User, session_id: int, attended: Iterable[int]) -> Session:
    session = get_session_for(user, session_id, write=True)
    with transaction.atomic():
        session.attended.set(session.case.members.filter(pk__in=list(attended)))
        record(user, "update", "session", session.pk)
    return session


def _definition(instrument: str) -> Definition:
    from tether.instruments import UnknownInstrument

    try:
        return library().get(instrument)
    except UnknownInstrument as error:
        raise InvalidEntry([f"instrument: {error}"]) from error


def _totals_scores(
    definition: Definition, totals: Mapping[str, object]
) -> dict[str, float]:
    """Scale totals from paper, each checked against its scale's range."""
    problems, values = [], {}
    for scale_id, value in totals.items():
        if value in (None, ""):
            continue
        try:
            scale = definition.scale(scale_id)
        except KeyError:
            problems.append(f"{scale_id}: is not a scale of {definition.key}")
            continue
        low, high = definition.scale_bounds(scale)
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(f"{scale_id}: {value!r} is not a number")
            continue
        if not low <= number <= high:
            problems.append(f"{scale_id}: {number:g} is outside {low:g}–{high:g}")
            continue
        values[scale_id] = number
    if problems:
        raise InvalidEntry(problems)
    if not values:
        raise InvalidEntry(["totals: enter at least one scale total"])
    return values


def enter_paper_response(
    user: User,
    session_id: int,
    instrument: str,
    member_id: int | None,
    respondent: str = Response.Respondent.MEMBER,
    answers: Mapping[str, object] | None = None,
    totals: Mapping[str, object] | None = None,
) -> Response:
    """Enter a questionnaire from paper, as items or as scale totals; score it
    and recompute the case's signals in the same transaction."""
    session = get_session_for(user, session_id, write=True)
    case = session.case
    definition = _definition(instrument)
    member = None
    if member_id is not None:
        member = case.members.filter(pk=member_id).first()
        if member is None:
            raise InvalidEntry([f"member: {member_id} is not a member of this case"])
    elif respondent == Response.Respondent.MEMBER:
        raise InvalidEntry(["member: choose who answered"])
    if respondent not in Response.Respondent.values:
        raise InvalidEntry([f"respondent: {respondent!r} is not member or therapist"])
    rules: dict[str, Any] = {}  # a scoring rule needs the item answers
    if totals is not None:
        scored = {k: (v, False) for k, v in _totals_scores(definition, totals).items()}
        scored |= _risk_answers_with_totals(definition, answers or {})
    elif answers:
        scored, _, rules = scores_to_store(
            definition, {k: _number(v) for k, v in answers.items()}
        )
    else:
        raise InvalidEntry(["enter the item answers or the scale totals"])
    with transaction.atomic():
        # One writer per case at a time: signals are recomputed per case.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        # Unsent answers from a link are kept, as incomplete, beside the paper.
        mark_incomplete(
            Response.objects.filter(
                session=session,
                respondent=respondent,
                member=member,
                instrument=definition.key,
                status=Response.Status.IN_PROGRESS,
            ).select_for_update(),
            reason="entered from paper",
            user=user,
        )
        response, created = Response.objects.exclude(
            status=Response.Status.INCOMPLETE
        ).update_or_create(
            session=session,
            respondent=respondent,
            member=member,
            instrument=definition.key,
            defaults={
                "organization": case.organization,
                "answers": dict(answers or {}),
                "totals": dict(totals or {}),
                "status": Response.Status.PAPER,
                "entered_by": user,
                "submitted_at": timezone.now(),
            },
        )
        save_scores(response, scored, rules)
        record(
            user,
            "create" if created else "update",
            "response",
            response.pk,
            detail={"instrument": definition.key, "source": "paper"},
        )
        recompute_case_signals(case)
    return response


def _risk_answers_with_totals(
    definition: Definition, answers: Mapping[str, object]
) -> dict[str, tuple[float | None, bool]]:
    """Paper totals still carry each risk item's own answer: a total alone
    cannot show that item 9 was endorsed (or left blank)."""
    risk_ids = [item.id for item in definition.risk_items]
    others = sorted(set(answers) - set(risk_ids))
    if others:
        raise InvalidEntry(
            [
                f"item {item}: only the risk items are entered with the totals"
                for item in others
            ]
        )
    chosen = {k: _number(v) for k, v in answers.items()}
    try:
        score(definition, {k: v for k, v in chosen.items() if v is not None})
    except AnswerError as error:
        raise InvalidEntry([str(problem) for problem in error.problems]) from error
    return risk_item_rows(definition, chosen, settled=True)


def save_scores(
    response: Response,
    scored: Mapping[str, tuple[float | None, bool]],
    rules: Mapping[str, Any] | None = None,
) -> None:
    """Replace a response's derived scores and what its instrument's scoring
    rules found (none unless given: a rule needs every item answer)."""
    response.scores.all().delete()
    Score.objects.bulk_create(
        Score(
            organization=response.organization,
            response=response,
            scale=scale,
            value=value,
            prorated=prorated,
        )
        for scale, (value, prorated) in scored.items()
    )
    found = _plain(dict(rules or {}))
    if response.rule_results != found:
        response.rule_results = found
        response.save(update_fields=["rule_results"])


class Scored(NamedTuple):
    scores: dict[str, tuple[float | None, bool]]
    """Scale scores, risk-item and alliance-item answers, for save_scores."""
    risk: bool
    """Whether a risk item was endorsed."""
    rules: dict[str, Any]
    """What the instrument's own scoring rules found (engine `extras`)."""


def scores_to_store(definition: Definition, answers: Mapping[str, object]) -> Scored:
    """Scale scores and the answers to risk items and to alliance items (as
    `item:<id>` rows), whether
    a risk item was endorsed, and the results of the instrument's own rules
    (the PCL-5 provisional diagnosis, the PHQ-9 syndrome), ready for
    save_scores; InvalidEntry names every bad answer with the allowed values."""
    try:
        result = score(definition, answers)
    except AnswerError as error:
        raise InvalidEntry([str(problem) for problem in error.problems]) from error
    scored = {s.scale: (s.value, s.prorated) for s in result.scales.values()}
    scored |= alliance_item_rows(definition, answers)
    scored |= risk_item_rows(definition, answers, settled=True)
    return Scored(scored, bool(result.risk), dict(result.extras))


def alliance_item_rows(
    definition: Definition, answers: Mapping[str, object]
) -> dict[str, tuple[float | None, bool]]:
    """The answered items that carry an alliance facet (level and dimension:
    the TAC items) as `item:<id>` rows, so the case page can show what the
    alliance is made of (signals/dimensions.py). Unanswered ones get no row:
    only a risk item's skip is reported."""
    rows: dict[str, tuple[float | None, bool]] = {}
    for item in definition.items:
        value = answers.get(item.id)
        if item.alliance is None or isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            rows[f"item:{item.id}"] = (float(value), False)
    return rows


def risk_item_rows(
    definition: Definition, answers: Mapping[str, object], settled: bool
) -> dict[str, tuple[float | None, bool]]:
    """The answers to risk items as `item:<id>` score rows. Once a response is
    settled (sent, entered or left incomplete) an unanswered risk item is a row
    without a value, which the risk rule reports: a skip is not reassurance."""
    rows: dict[str, tuple[float | None, bool]] = {}
    for item in definition.risk_items:
        value = answers.get(item.id)
        if isinstance(value, int | float) and not isinstance(value, bool):
            rows[f"item:{item.id}"] = (float(value), False)
        elif settled:
            rows[f"item:{item.id}"] = (None, False)
    return rows


def _number(value: object) -> object:
    """Form fields arrive as text; numbers stay numbers, other text stays text
    so the engine names it as not a number."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return text
    return value


# ---- signals -------------------------------------------------------------------


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


def recompute_case_signals(case: Case) -> list[Signal]:
    """Recompute one case's signals against the clinic's stored baseline; keep
    each signal's status and note; resolve open ones no longer triggered."""
    frame = score_frame([case.pk])
    config = SignalConfig.from_mapping(case.organization.signal_settings or {})
    norms, models, intake_sds = _baseline(case.organization)
    table = (
        compute_signals(frame, library(), config, norms, models, intake_sds).signals
        if not frame.empty
        else None
    )
    return _store_signals(case, to_signals(table) if table is not None else [])


def raise_risk_signals(case: Case) -> None:
    """Run the risk rule alone over the case's risk-item answers and store what
    it finds, changing no other signal: a risk answer never waits for a
    recompute. Call with the case row locked."""
    frame = score_frame([case.pk], risk_items_only=True)
    if frame.empty:
        return
    found = risk_signals(frame, library())
    _store_signals(case, to_signals(found), resolve=False)


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


def _add_note(signal: Signal, line: str) -> None:
    """Add a line to the alert's note, under what is already there."""
    signal.note = (signal.note + "\n" if signal.note else "") + line


def _reopen(signal: Signal, why: str) -> None:
    signal.status = Signal.Status.OPEN
    _add_note(signal, why)
    signal.save(update_fields=["status", "note"])
    record(None, "reopen", "signal", signal.pk, organization=signal.organization)


def record_unsent_risk(response: Response, definition: Definition) -> bool:
    """A risk item answered in a response not yet sent: store its answer and
    raise the risk alert now (docs/clinical-rules.md §Risk items). True when an
    answer is at or above its trigger. Call with the case row locked."""
    rows = risk_item_rows(definition, response.answers, settled=False)
    save_scores(response, rows)
    raise_risk_signals(response.session.case)
    return at_trigger(definition, {k: v for k, (v, _) in rows.items()})


def at_trigger(definition: Definition, values: Mapping[str, float | None]) -> bool:
    """Whether any risk item's value (`item:<id>` → value) is at or above its
    trigger."""
    for item in definition.risk_items:
        assert item.risk is not None
        value = values.get(f"item:{item.id}")
        if value is not None and value >= item.risk.at_or_above:
            return True
    return False


def mark_incomplete(
    responses: Iterable[Response], reason: str, user: User | None = None
) -> list[Response]:
    """Keep unsent answers as incomplete responses (their link expired or was
    closed, a new link was issued, or a kiosk turn started again). They feed
    the risk rule, with any risk item left unanswered reported as such, and no
    other rule."""
    lib = library()
    with transaction.atomic():
        changed = [r for r in responses if r.status == Response.Status.IN_PROGRESS]
        cases = set()
        for response in changed:
            definition = lib.get(response.instrument)
            response.status = Response.Status.INCOMPLETE
            response.save(update_fields=["status"])
            save_scores(response, risk_item_rows(definition, response.answers, True))
            record(
                user,
                "incomplete",
                "response",
                response.pk,
                organization=response.organization,
                detail={"instrument": response.instrument, "reason": reason},
            )
            cases.add(response.session.case_id)
        for case in Case.objects.select_for_update().filter(pk__in=cases):
            raise_risk_signals(case)
    return changed


def _store_signals(case: Case, fresh: list[Any], resolve: bool = True) -> list[Signal]:
    """Upsert a case's freshly computed signals, keeping status and notes; with
    `resolve`, close open ones no longer triggered, except risk alerts, which
    only a clinician closes. An alert whose condition has ended (a repaired
    rupture, a split no longer seen) is resolved with the reason recorded, and
    reopened if the data later show it has not ended after all."""
    existing = {
        (s.kind, s.subject, s.instrument, s.session_number): s
        for s in case.signals.all()
    }
    seen = set()
    for signal in fresh:
        instrument = str(signal.evidence.get("instrument", ""))
        key = (signal.kind, signal.subject, instrument, signal.session)
        seen.add(key)
        row = existing.get(key)
        evidence = _plain(signal.evidence)
        ended = "" if signal.kind == RISK_ITEM else signal.ended
        if row is None:
            row = Signal.objects.create(
                organization=case.organization,
                case=case,
                kind=signal.kind,
                severity=signal.severity,
                subject=signal.subject,
                instrument=instrument,
                session_number=signal.session,
                state=signal.state,
                evidence=evidence,
                ended=ended,
            )
            if ended:
                _resolve_ended(row)
        elif (row.severity, row.state, row.evidence, row.ended) != (
            signal.severity,
            signal.state,
            evidence,
            ended,
        ):
            if _risen(row, evidence):
                _reopen(row, f"Raised again: the answer is now {evidence['value']:g}.")
            was_ended = row.ended
            row.severity, row.state, row.evidence, row.ended = (
                signal.severity,
                signal.state,
                evidence,
                ended,
            )
            row.save(update_fields=["severity", "state", "evidence", "ended"])
            if ended:
                _resolve_ended(row)
            elif was_ended and row.status == Signal.Status.RESOLVED:
                _reopen(row, "Reopened: newer data show it has not ended.")
    for key, row in existing.items():
        if (
            resolve
            and key not in seen
            and row.status == Signal.Status.OPEN
            and row.kind != RISK_ITEM
        ):
            row.status = Signal.Status.RESOLVED
            _add_note(row, "Resolved automatically: no longer triggered by the data.")
            row.save(update_fields=["status", "note"])
    return list(case.signals.all())


def _resolve_ended(row: Signal) -> None:
    """Resolve an alert whose condition has ended, saying why."""
    if row.status == Signal.Status.RESOLVED:
        return
    row.status = Signal.Status.RESOLVED
    _add_note(row, f"Resolved automatically: {row.ended}.")
    row.save(update_fields=["status", "note"])
    record(None, "resolve", "signal", row.pk, organization=row.organization)


def _risen(row: Signal, evidence: Mapping[str, Any]) -> bool:
    """A closed risk alert whose answer has since risen (2 after 1): a repeat
    endorsement alerts again."""
    if row.kind != RISK_ITEM or row.status == Signal.Status.OPEN:
        return False
    before, now = row.evidence.get("value"), evidence.get("value")
    return before is not None and now is not None and now > before


def _plain(value: Any) -> Any:
    """JSON-safe evidence (numpy numbers become Python numbers)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return value


def refit_organization(organization: Organization) -> dict[str, Any]:
    """Estimate the clinic's alliance noise and expected-response models on all
    its cases, store them, and recompute every case's signals
    (docs/architecture.md §Response path, step 5)."""
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
            _store_signals(case, by_case.get(str(case.pk), []))
    return organization.signal_norms


def acknowledge_signal(
    user: User, signal_id: int, note: str = "", resolve: bool = False
) -> Signal:
    from .selectors import get_signal_for

    signal = get_signal_for(user, signal_id, write=True)
    with transaction.atomic():
        _acknowledge(user, signal, note, resolve)
    return signal


def _acknowledge(user: User, signal: Signal, note: str, resolve: bool) -> None:
    signal.status = Signal.Status.RESOLVED if resolve else Signal.Status.ACKNOWLEDGED
    if note.strip():
        _add_note(signal, note.strip())
    signal.acknowledged_by = user
    signal.acknowledged_at = timezone.now()
    signal.save(update_fields=["status", "note", "acknowledged_by", "acknowledged_at"])
    record(
        user,
        "resolve" if resolve else "acknowledge",
        "signal",
        signal.pk,
        organization=signal.organization,
    )
