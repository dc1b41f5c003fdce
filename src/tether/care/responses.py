"""Every write of a questionnaire response and its scores, for every front
door — a member's link, the kiosk, paper entry, the demo seeding and imports
(a test checks no other module writes Response or Score rows).

`store_response` stores one sent questionnaire: it validates and scores the
answers (or takes the paper totals), stores answers, scores and the scoring's
risk result, raises the risk alert of that response at once and audits, in one
short transaction with the case row locked; after commit the case's full signal
recompute is queued, coalesced per case (care/recompute.py). `store_responses`
is its batch form for seeding and imports. The autosave of a link's answers and
the keeping of unsent answers as incomplete are here too: they write the same
rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tether.accounts.models import Organization, User
from tether.audit.services import record
from tether.instruments import Definition
from tether.scoring import AnswerError, meets_risk_trigger, score

from .alerts import json_safe, raise_risk_signals, raise_risk_signals_of
from .answers import answer_problems, as_number
from .errors import Code, InvalidEntry, Problem, item_field, total_field
from .frames import library
from .models import Case, Member, Response, Score, Session
from .recompute import request_recompute


@dataclass(frozen=True)
class Stored:
    """A stored response and whether one of its answers is at a risk trigger."""

    response: Response
    risk: bool


def store_response(
    *,
    session: Session,
    member: Member | None,
    respondent: str,
    definition: Definition,
    source: str,
    answers: Mapping[str, object] | None = None,
    totals: Mapping[str, object] | None = None,
    actor: User | None = None,
    response: Response | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Stored:
    """Score and store one sent questionnaire; InvalidEntry names every
    problem and nothing is written. `response` is the in-progress response a
    link or kiosk turn autosaved into (it becomes complete); without it the
    questionnaire was entered by `actor` (from paper), replacing any entered
    before and keeping unsent link answers beside it as incomplete."""
    if respondent not in Response.Respondent.values:
        raise InvalidEntry(
            [
                Problem(
                    "respondent",
                    Code.NOT_A_CHOICE,
                    gettext_lazy("Choose whether a member or the therapist answered."),
                )
            ]
        )
    scored = _scored_entry(definition, session.case.kind, answers, totals)
    with transaction.atomic():
        # One writer per case at a time: two members sending at once would
        # otherwise both create the same new alert.
        case = Case.objects.select_for_update().get(pk=session.case_id)
        now = timezone.now()
        if response is not None:
            response.status = Response.Status.COMPLETE
            response.submitted_at = now
            response.save(update_fields=["status", "submitted_at"])
            created = False
        else:
            response, created = _entered(
                session,
                member,
                respondent,
                definition,
                answers,
                totals,
                actor,
                now,
                source,
            )
        save_scores(response, scored.scores, scored.rules, risk=scored.risk)
        if definition.risk_items:
            raise_risk_signals(case)
        record(
            actor,
            "submit" if source in LINK_SOURCES else ("create" if created else "update"),
            "response",
            response.pk,
            organization=case.organization,
            detail={"instrument": definition.key, "source": source, **(detail or {})},
            case=case.pk,
        )
        request_recompute(case.pk)
    return Stored(response, scored.risk)


LINK_SOURCES = ("link", "kiosk")
"""Front doors where the member sends what they autosaved."""


def _entered(
    session: Session,
    member: Member | None,
    respondent: str,
    definition: Definition,
    answers: Mapping[str, object] | None,
    totals: Mapping[str, object] | None,
    actor: User | None,
    now: dt.datetime,
    source: str,
) -> tuple[Response, bool]:
    from_paper = source == "paper"
    # Unsent answers from a link are kept, as incomplete, beside the paper
    # (or the questionnaire another app sent whole).
    mark_incomplete(
        Response.objects.filter(
            session=session,
            respondent=respondent,
            member=member,
            instrument=definition.key,
            status=Response.Status.IN_PROGRESS,
        ).select_for_update(),
        reason="entered from paper" if from_paper else f"sent from {source}",
        user=actor,
    )
    return Response.objects.exclude(status=Response.Status.INCOMPLETE).update_or_create(
        session=session,
        respondent=respondent,
        member=member,
        instrument=definition.key,
        defaults={
            "organization": session.organization,
            "answers": dict(answers or {}),
            "totals": dict(totals or {}),
            "status": Response.Status.PAPER if from_paper else Response.Status.COMPLETE,
            "entered_by": actor,
            "submitted_at": now,
        },
    )


def _scored_entry(
    definition: Definition,
    case_kind: str,
    answers: Mapping[str, object] | None,
    totals: Mapping[str, object] | None,
) -> Scored:
    """Scores of item answers, or of paper totals with their risk items."""
    if totals is not None:
        scores = {k: (v, False) for k, v in totals_scores(definition, totals).items()}
        risk_rows = risk_answers_with_totals(definition, answers or {})
        scores |= risk_rows
        return Scored(scores, _at_trigger_rows(definition, risk_rows), {})
    if not answers:
        raise InvalidEntry(
            [
                Problem(
                    "",
                    Code.REQUIRED,
                    gettext_lazy("Enter the answers, or the scale totals."),
                )
            ]
        )
    chosen = {item: as_number(answers.get(item)) for item in definition.item_ids}
    if not definition.allow_skip:
        missing = [
            item.id
            for item in definition.items
            if case_kind in item.applies_to and chosen[item.id] is None
        ]
        if missing:
            raise InvalidEntry(
                Problem(
                    item_field(item),
                    Code.NOT_ANSWERED,
                    NOT_ANSWERED,
                    {"instrument": definition.short_title},
                )
                for item in missing
            )
    return scores_to_store(definition, chosen)


def _at_trigger_rows(
    definition: Definition, rows: Mapping[str, tuple[float | None, bool]]
) -> bool:
    return at_trigger(definition, {k: v for k, (v, _) in rows.items()})


def save_scores(
    response: Response,
    scored: Mapping[str, tuple[float | None, bool]],
    rules: Mapping[str, Any] | None = None,
    risk: bool | None = None,
) -> None:
    """Replace a response's derived scores, what its instrument's scoring
    rules found (none unless given: a rule needs every item answer) and, when
    given, whether a risk answer is at its trigger."""
    if risk is not None and response.risk_endorsed != risk:
        response.risk_endorsed = risk
        response.save(update_fields=["risk_endorsed"])
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
    found = json_safe(dict(rules or {}))
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
        raise InvalidEntry(answer_problems(definition, error)) from error
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


def record_unsent_risk(response: Response, definition: Definition) -> bool:
    """A risk item answered in a response not yet sent: store its answer and
    raise the risk alert now (docs/clinical-rules.md §Risk items). True when an answer is at or above
    its trigger. Call with the case row locked."""
    rows = risk_item_rows(definition, response.answers, settled=False)
    risk = at_trigger(definition, {k: v for k, (v, _) in rows.items()})
    save_scores(response, rows, risk=risk)
    raise_risk_signals(response.session.case)
    return risk


def at_trigger(definition: Definition, values: Mapping[str, float | None]) -> bool:
    """Whether any risk item's value (`item:<id>` → value) is at or above its
    trigger (scoring's one risk test)."""
    return any(
        meets_risk_trigger(item, values.get(f"item:{item.id}"))
        for item in definition.risk_items
    )


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
            rows = risk_item_rows(definition, response.answers, True)
            save_scores(response, rows, risk=_at_trigger_rows(definition, rows))
            record(
                user,
                "incomplete",
                "response",
                response.pk,
                organization=response.organization,
                detail={"instrument": response.instrument, "reason": reason},
                case=response.session.case_id,
            )
            cases.add(response.session.case_id)
        for case in Case.objects.select_for_update().filter(pk__in=cases):
            raise_risk_signals(case)
    return changed


def totals_scores(
    definition: Definition, totals: Mapping[str, object]
) -> dict[str, float]:
    """Scale totals from paper, each checked against its scale's range."""
    problems: list[Problem] = []
    values: dict[str, float] = {}
    for scale_id, value in totals.items():
        number = as_number(value)
        if number is None:
            continue
        field = total_field(scale_id)
        try:
            scale = definition.scale(scale_id)
        except KeyError:
            problems.append(
                Problem(
                    field,
                    Code.NOT_A_SCALE,
                    gettext_lazy("%(instrument)s has no such scale."),
                    {"instrument": definition.short_title},
                )
            )
            continue
        low, high = definition.scale_bounds(scale)
        bounds = {"low": f"{low:g}", "high": f"{high:g}"}
        if isinstance(number, bool) or not isinstance(number, int | float):
            problems.append(Problem(field, Code.NOT_A_NUMBER, TOTAL_RANGE, bounds))
        elif not low <= number <= high:
            problems.append(Problem(field, Code.OUT_OF_RANGE, TOTAL_RANGE, bounds))
        else:
            values[scale_id] = float(number)
    if problems:
        raise InvalidEntry(problems)
    if not values:
        raise InvalidEntry(
            [
                Problem(
                    "",
                    Code.REQUIRED,
                    gettext_lazy("Enter at least one scale total."),
                )
            ]
        )
    return values


NOT_ANSWERED = gettext_lazy(
    "Not answered yet: %(instrument)s needs every question answered to be scored."
)
TOTAL_RANGE = gettext_lazy("Please enter a total from %(low)s to %(high)s.")


def risk_answers_with_totals(
    definition: Definition, answers: Mapping[str, object]
) -> dict[str, tuple[float | None, bool]]:
    """Paper totals still carry each risk item's own answer: a total alone
    cannot show that item 9 was endorsed (or left blank)."""
    risk_ids = [item.id for item in definition.risk_items]
    others = sorted(set(answers) - set(risk_ids))
    if others:
        raise InvalidEntry(
            Problem(
                item_field(item),
                Code.NOT_A_RISK_ITEM,
                gettext_lazy(
                    "With scale totals, only the risk questions are entered one by one."
                ),
            )
            for item in others
        )
    chosen = {k: as_number(v) for k, v in answers.items()}
    try:
        score(definition, {k: v for k, v in chosen.items() if v is not None})
    except AnswerError as error:
        raise InvalidEntry(answer_problems(definition, error)) from error
    return risk_item_rows(definition, chosen, settled=True)


# ---- answers saved as they are given (links and the kiosk) ----------------------


def start_response(
    *,
    session_id: int,
    organization: Organization,
    member: Member | None,
    respondent: str,
    definition: Definition,
    language: str,
    entered_by: User | None,
    detail: Mapping[str, Any],
) -> Response:
    """The in-progress response a link's first answer is saved into."""
    response = Response.objects.create(
        organization=organization,
        session_id=session_id,
        respondent=respondent,
        member=member,
        instrument=definition.key,
        language=language,
        answers={},
        status=Response.Status.IN_PROGRESS,
        entered_by=entered_by,
    )
    record(
        None,
        "start",
        "response",
        response.pk,
        organization=organization,
        detail={"instrument": definition.key, **detail},
        case=response.session.case_id,
    )
    return response


def keep_answer(response: Response, item_id: str, answer: int | float | None) -> bool:
    """Autosave one answer into an in-progress response; False when it was
    already saved as it is."""
    if item_id in response.answers and response.answers[item_id] == answer:
        return False
    response.answers = {**response.answers, item_id: answer}
    response.save(update_fields=["answers"])
    return True


# ---- many at once (demo seeding, imports) ---------------------------------------


@dataclass(frozen=True)
class ScoredResponse:
    """A response that arrives already scored (a clinic's history, the demo's
    simulated answers): its rows of `scale → value` include the risk-item and
    alliance-item rows (`item:<id>`); where every value is empty it is an
    invitation left unanswered, kept in progress with its empty rows."""

    session: Session
    member: Member | None
    respondent: str
    definition: Definition
    scores: Mapping[str, float | None]
    submitted_at: dt.datetime | None
    answers: Mapping[str, object] = field(default_factory=dict)
    totals: Mapping[str, object] = field(default_factory=dict)
    status: str = Response.Status.COMPLETE
    entered_by: User | None = None
    prorated: frozenset[str] = frozenset()
    """The scales scored from fewer items than they have (scores_to_store)."""
    rule_results: Mapping[str, Any] = field(default_factory=dict)
    """What the instrument's own scoring rules found, where the answers were
    scored here (scores_to_store); empty for scores that arrive as totals."""


def store_responses(
    organization: Organization,
    batch: Iterable[ScoredResponse],
    source: str,
    actor: User | None = None,
    recompute: bool = True,
) -> list[Response]:
    """Store many scored responses in one transaction: their risk results from
    their risk-item rows, one audit event per case, and (with `recompute`) one
    queued recompute per case at the end. The risk alerts of the batch are
    raised with it."""
    batch = list(batch)
    with transaction.atomic():
        responses = Response.objects.bulk_create(
            Response(
                organization=organization,
                session=entry.session,
                respondent=entry.respondent,
                member=entry.member,
                instrument=entry.definition.key,
                answers=dict(entry.answers),
                totals=dict(entry.totals),
                status=entry.status
                if _answered(entry)
                else Response.Status.IN_PROGRESS,
                entered_by=entry.entered_by,
                submitted_at=entry.submitted_at if _answered(entry) else None,
                risk_endorsed=at_trigger(entry.definition, entry.scores),
                rule_results=json_safe(dict(entry.rule_results)),
            )
            for entry in batch
        )
        Score.objects.bulk_create(
            Score(
                organization=organization,
                response=response,
                scale=scale,
                value=value,
                prorated=scale in entry.prorated,
            )
            for response, entry in zip(responses, batch, strict=True)
            for scale, value in entry.scores.items()
        )
        by_case: dict[int, list[int]] = {}
        asks_risk: set[int] = set()
        for response, entry in zip(responses, batch, strict=True):
            by_case.setdefault(entry.session.case_id, []).append(response.pk)
            if entry.definition.risk_items:
                asks_risk.add(entry.session.case_id)
        for case_id, ids in by_case.items():
            record(
                actor,
                "import",
                "response",
                ids[0],
                organization=organization,
                detail={"case": case_id, "responses": len(ids), "source": source},
            )
            if recompute:
                request_recompute(case_id)
        # The risk rule once over the batch's cases, not once per case.
        raise_risk_signals_of(
            Case.objects.select_for_update().filter(pk__in=asks_risk).order_by("pk")
        )
    return responses


def _answered(entry: ScoredResponse) -> bool:
    return any(value is not None for value in entry.scores.values())
