"""The answers of a Questionnaire's items and their scores, and the one set
of answers a Tether instrument has (docs/interop.md §Import).

A choice item's answers are scored by the R4 `ordinalValue` extension
(http://hl7.org/fhir/R4/extension-ordinalvalue.html), its newer name
`itemWeight`, or STU3's `iso21090-CO-value`, on the answerOption or on its
Coding (the extension's two contexts), or on the concepts of a contained
ValueSet. A number item is scored by its value within `minValue` and
`maxValue`, in steps of `sliderStepValue` (or `maxDecimalPlaces`).

Tether's format has one set of answers per instrument: every scored item must
carry the same answers with the same scores, or the same scores the other way
round (a reversed item). The set most items share is the instrument's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .fhir_base import (
    CO_VALUE,
    INSTRUMENT_SYSTEM,
    LOINC,
    MAX_DECIMAL_PLACES,
    MAX_VALUE,
    MIN_VALUE,
    SCORE_EXTENSIONS,
    SLIDER_STEP,
    extensions,
    listed,
    loinc_code,
    member,
    number,
    read_text,
)
from .fhir_findings import Findings, at

CHOICE_TYPES = ("choice", "open-choice", "coding")
NUMBER_TYPES = ("integer", "decimal")
LOINC_ANSWER = re.compile(r"^LA\d{1,7}-\d$")


@dataclass
class Answer:
    code: str
    system: str
    label: dict[str, str]
    score: float | None


@dataclass
class Question:
    """One item that asks something, as read so far."""

    node: Mapping[str, Any]
    link_id: str
    kind: str
    answers: list[Answer] = field(default_factory=list)
    """Its scored answers (empty: none carries a score)."""
    range: tuple[float, float, float] | None = None
    reverse: bool = False

    @property
    def loinc(self) -> str | None:
        return loinc_code(self.node)

    @property
    def where(self) -> str:
        return at(self.link_id)

    @property
    def scored(self) -> bool:
        return bool(self.answers) or self.range is not None


def read_answers(
    q: Question,
    document: Mapping[str, Any],
    language: str,
    findings: Findings,
) -> None:
    """Read the item's scored answers (or range) into `q`, or report why it
    cannot be scored. A choice item none of whose answers has a score is left
    unscored here: whether it is asked but not scored, or refused, depends on
    the calculated items (fhir_import)."""
    if q.kind in CHOICE_TYPES:
        _choice(q, document, language, findings)
    elif q.kind in NUMBER_TYPES:
        _number(q, findings)
    else:
        findings.refuse(q.where, f"type {q.kind or '(none)'} cannot be scored")


def _choice(
    q: Question, document: Mapping[str, Any], language: str, findings: Findings
) -> None:
    if q.kind == "open-choice" or q.node.get("answerConstraint") == "optionsOrString":
        findings.warn(
            q.where,
            "free-text answers are not offered: only the listed answers are kept",
        )
    answers = _answers(q, document, language, findings)
    if answers is None:
        return
    scores = [a.score for a in answers]
    if all(s is None for s in scores):
        return
    missing = [i for i, s in enumerate(scores) if s is None]
    if missing:
        findings.refuse(
            q.where,
            f"answerOption {', '.join(str(i) for i in missing)} carry no score "
            "(ordinalValue or itemWeight) while the others do",
        )
        return
    q.answers = answers


def _answers(
    q: Question, document: Mapping[str, Any], language: str, findings: Findings
) -> list[Answer] | None:
    raw = q.node.get("answerOption")
    if raw is None and q.node.get("answerValueSet"):
        return _value_set_answers(q, document, language, findings)
    if not isinstance(raw, list) or not raw:
        findings.refuse(q.where, f"type {q.kind} without answerOption cannot be scored")
        return None
    answers = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            findings.refuse(q.where, f"answerOption[{index}] is not an object")
            return None
        coding = entry.get("valueCoding")
        if isinstance(coding, dict):
            score = _score(q, (entry, coding), index, findings)
            answers.append(
                Answer(
                    str(coding.get("code", "")),
                    str(coding.get("system", "")),
                    dict(read_text(coding, "display", language)),
                    score,
                )
            )
            continue
        value = entry.get("valueInteger")
        if isinstance(value, int) and not isinstance(value, bool):
            score = _score(q, (entry,), index, findings)
            if score is None:
                score = float(value)
                findings.warn(
                    q.where,
                    "integer answers without ordinalValue: each integer taken as its score",
                )
            answers.append(Answer(str(value), "", {language: str(value)}, score))
            continue
        kinds = [str(k) for k in entry if str(k).startswith("value")]
        findings.refuse(
            q.where,
            f"answerOption[{index}] is {', '.join(kinds) or 'empty'}; only valueCoding "
            "or valueInteger answers can be scored",
        )
        return None
    return answers


def _value_set_answers(
    q: Question, document: Mapping[str, Any], language: str, findings: Findings
) -> list[Answer] | None:
    reference = str(q.node.get("answerValueSet"))
    contained = {
        f"#{r.get('id')}": r
        for r in listed(document, "contained")
        if r.get("resourceType") == "ValueSet"
    }
    value_set = contained.get(reference)
    if value_set is None:
        findings.refuse(
            q.where,
            f"its answers come from the value set {reference}, which is not in the file; "
            "it cannot be scored",
        )
        return None
    concepts = [
        (include.get("system", ""), concept)
        for include in listed(member(value_set, "compose"), "include")
        for concept in listed(include, "concept")
    ] + [
        (concept.get("system", ""), concept)
        for concept in listed(member(value_set, "expansion"), "contains")
    ]
    if not concepts:
        findings.refuse(q.where, f"the value set {reference} lists no answer")
        return None
    return [
        Answer(
            str(concept.get("code", "")),
            str(system),
            dict(read_text(concept, "display", language)),
            _extension_score(concept),
        )
        for system, concept in concepts
    ]


def _score(
    q: Question,
    nodes: Iterable[Mapping[str, Any]],
    index: int,
    findings: Findings,
) -> float | None:
    """The answer's score from the first score extension on the answerOption
    or its Coding; None where there is none."""
    for node in nodes:
        for url in SCORE_EXTENSIONS:
            for extension in extensions(node, url):
                value = extension.get("valueDecimal", extension.get("valueInteger"))
                if isinstance(value, bool) or not isinstance(value, int | float):
                    findings.refuse(
                        q.where,
                        f"answerOption[{index}]: its score {value!r} is not a number",
                    )
                    return None
                if url == CO_VALUE:
                    findings.warn(
                        q.where,
                        "scores in STU3's iso21090-CO-value extension, read as ordinalValue",
                    )
                return float(value)
    return None


def _extension_score(node: Mapping[str, Any]) -> float | None:
    for url in SCORE_EXTENSIONS:
        for extension in extensions(node, url):
            value = extension.get("valueDecimal", extension.get("valueInteger"))
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    return None


def _number(q: Question, findings: Findings) -> None:
    low = _extension_number(q.node, MIN_VALUE)
    high = _extension_number(q.node, MAX_VALUE)
    if low is None or high is None:
        findings.refuse(
            q.where, f"type {q.kind} without minValue and maxValue cannot be scored"
        )
        return
    slider = _extension_number(q.node, SLIDER_STEP)
    places = _extension_number(q.node, MAX_DECIMAL_PLACES)
    if slider is not None:
        step = slider
    elif places is not None:
        step = 10.0**-places
    elif q.kind == "integer":
        step = 1.0
    else:
        findings.refuse(
            q.where,
            "type decimal without sliderStepValue or maxDecimalPlaces: "
            "the step between answers is unknown, so it cannot be scored",
        )
        return
    if high <= low or step <= 0:
        findings.refuse(
            q.where,
            f"minValue {low:g}, maxValue {high:g} and step {step:g} make no range",
        )
        return
    q.range = (low, high, step)


def _extension_number(node: Mapping[str, Any], url: str) -> float | None:
    for extension in extensions(node, url):
        for key in ("valueInteger", "valueDecimal"):
            value = extension.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    return None


def one_answer_set(
    scored: list[Question], language: str, findings: Findings
) -> list[dict[str, Any]] | dict[str, int | float]:
    """The instrument's answers as definition-file fields (`response.options`
    or `response.range`), marking reversed items; every disagreement between
    items is a problem."""
    ranges = [q for q in scored if q.range]
    choices = [q for q in scored if q.answers]
    if ranges and choices:
        findings.refuse(
            ranges[0].where,
            f"a number item beside choice items (linkId {choices[0].link_id}); "
            "a Tether instrument has one kind of answer",
        )
        return {}
    if ranges:
        first = ranges[0]
        for q in ranges[1:]:
            if q.range != first.range:
                findings.refuse(
                    q.where,
                    f"its range {_range_text(q.range)} differs from linkId "
                    f"{first.link_id}'s {_range_text(first.range)}",
                )
        low, high, step = first.range or (0.0, 0.0, 1.0)
        return {"min": number(low), "max": number(high), "step": number(step)}
    reference = _reference(choices)
    for q in choices:
        if q is not reference:
            _compare(q, reference, findings)
    return _options(reference, language, findings)


def _reference(choices: list[Question]) -> Question:
    """The item whose scores most items share (the first of them)."""

    def pattern(q: Question) -> tuple[float | None, ...]:
        return tuple(a.score for a in sorted(q.answers, key=_key))

    common = Counter(pattern(q) for q in choices).most_common(1)[0][0]
    return next(q for q in choices if pattern(q) == common)


def _compare(q: Question, reference: Question, findings: Findings) -> None:
    """`q` scores as `reference` does, or the other way round (reversed)."""
    ref = {_key(a): a for a in reference.answers}
    mine = {_key(a): a for a in q.answers}
    if set(mine) == set(ref):
        pairs = [(ref[k].score, mine[k].score) for k in ref]
    elif len(q.answers) == len(reference.answers):
        pairs = [
            (a.score, b.score)
            for a, b in zip(reference.answers, q.answers, strict=True)
        ]
        findings.warn(
            q.where,
            f"its answers are coded or labelled differently from linkId "
            f"{reference.link_id}'s; those of {reference.link_id} are kept",
        )
    else:
        findings.refuse(
            q.where,
            f"has {len(q.answers)} answers where linkId {reference.link_id} has "
            f"{len(reference.answers)}; a Tether instrument has one set of answers",
        )
        return
    scores = [a.score for a in reference.answers if a.score is not None]
    low, high = min(scores), max(scores)
    if all(a == b for a, b in pairs):
        return
    if all(a is not None and b == low + high - a for a, b in pairs):
        q.reverse = True
        return
    findings.refuse(
        q.where,
        f"its answer scores ({_scores_text(b for _, b in pairs)}) differ from linkId "
        f"{reference.link_id}'s ({_scores_text(a for a, _ in pairs)}) and are not "
        "their reverse; a Tether instrument has one set of answers",
    )


def _options(
    reference: Question, language: str, findings: Findings
) -> list[dict[str, Any]]:
    """The answers as `response.options`: Tether's own answer codes (its
    export) give the stored values; otherwise the scores are the values, or
    the positions where two answers share a score."""
    answers = reference.answers
    scores = [a.score for a in answers]
    values: list[float]
    if all(
        a.system.startswith(f"{INSTRUMENT_SYSTEM}:") and _is_number(a.code)
        for a in answers
    ):
        values = [float(a.code) for a in answers]
    elif len(set(scores)) == len(scores):
        values = [float(s) for s in scores if s is not None]
    else:
        values = [float(i) for i in range(len(answers))]
        findings.warn(
            reference.where,
            "two answers share a score: answers are stored as their position "
            f"(0-{len(answers) - 1}) and scored by their score",
        )
    out = []
    systemless = False
    for value, answer in zip(values, answers, strict=True):
        option: dict[str, Any] = {"value": number(value)}
        if not answer.label:
            findings.warn(
                reference.where,
                f"the answer scored {value:g} has no label; its code is shown",
            )
        option["label"] = answer.label or {language: answer.code or f"{value:g}"}
        if answer.score != value:
            option["score"] = number(answer.score or 0.0)
        if answer.system == LOINC or (
            not answer.system and LOINC_ANSWER.match(answer.code)
        ):
            option["loinc"] = answer.code
            systemless |= not answer.system
        out.append(option)
    if systemless:
        findings.warn(
            reference.where, "answer codes without a system, LA… codes read as LOINC"
        )
    return out


def _key(answer: Answer) -> tuple[str, str]:
    return (answer.code, str(sorted(answer.label.items())))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _range_text(r: tuple[float, float, float] | None) -> str:
    return "none" if r is None else f"{r[0]:g}-{r[1]:g} by {r[2]:g}"


def _scores_text(scores: Iterable[float | None]) -> str:
    return ", ".join("none" if s is None else f"{s:g}" for s in scores)
