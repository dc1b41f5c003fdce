"""A FHIR Questionnaire (R4, R4B; R5's `coding` items too) as a Tether
instrument definition (docs/interop.md §Import).

Real files are not always valid, so the document is read as plain JSON: where
fhir.resources' strict R4B model rejects it, each deviation becomes a warning
with its linkId, and the reading goes on. What the importer takes:

- a `choice` (`open-choice`, `coding`) item whose answers all carry a score
  (`ordinalValue`, `itemWeight`, or STU3's `iso21090-CO-value`; on the
  answerOption or its Coding, or in a contained ValueSet) is a scored item;
  all scored items share one set of answers, an item whose scores run the
  other way is a reversed item;
- an `integer` or `decimal` item with `minValue` and `maxValue` (and its step)
  is a scored item of a range instrument;
- a calculated item (SDC `calculatedExpression`) that adds up (or averages)
  the scores of scored items is a scale; with none, the total is the sum of
  every scored item;
- a choice item without scores that no calculated score counts (or LOINC
  69722-7, the PHQ-9's "how difficult" item) is asked but not scored: left
  out, with a warning;
- display and group items carry no answer; a display item before the first
  question is the stem.

Everything else it refuses with the linkId and the reason ("linkId X: type
string cannot be scored"), all problems at once. A Questionnaire knows no risk
item, band or cutoff: where its items carry the LOINC codes of an instrument
in the library (or it is Tether's own export of one) and score the same, those
are taken from that definition, and a warning says so.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from tether.instruments.loader import KEBAB, DefinitionError, parse_definition
from tether.instruments.model import CASE_KINDS, Definition, Scale

from .fhir_base import (
    CALCULATED,
    CO_VALUE,
    INSTRUMENT_SYSTEM,
    ITEM_CONTENT,
    LOINC,
    MAX_DECIMAL_PLACES,
    MAX_VALUE,
    MIN_VALUE,
    SCALE_LINK_PREFIX,
    SCORE_EXTENSIONS,
    SLIDER_STEP,
    VARIABLE,
    extensions,
    r4b_deviations,
    read_text,
)
from .fhir_expressions import Calculation, read_calculation

CHOICE_TYPES = ("choice", "open-choice", "coding")
NUMBER_TYPES = ("integer", "decimal")
UNSCORED_LOINC = {
    "69722-7": "the PHQ-9's question how difficult the problems made things, "
    "which is asked but not scored (Kroenke & Spitzer; LOINC 69722-7)",
}
"""Items known to be asked but not scored, by LOINC code (instruments.md §7a)."""
LOINC_ITEM = re.compile(r"^\d{1,7}-\d$")
LOINC_ANSWER = re.compile(r"^LA\d{1,7}-\d$")


@dataclass(frozen=True, slots=True)
class Note:
    """One warning, with where it applies: `linkId X`, or the Questionnaire."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class FhirImportError(ValueError):
    """The Questionnaire cannot be turned into a definition: every problem,
    and the warnings found on the way."""

    def __init__(self, problems: list[str], warnings: Sequence[Note] = ()) -> None:
        self.problems = problems
        self.warnings = tuple(warnings)
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ImportedInstrument:
    data: dict[str, Any]
    """The definition file's fields, in the order of docs/instrument-format.md."""
    definition: Definition
    warnings: tuple[Note, ...]
    matched: str | None
    """The library definition (id@version) whose risk items and bands were taken."""

    def yaml_text(self, source: str = "") -> str:
        """The definition file: a comment saying where it came from and what
        to check, then the fields."""
        head = [f"# Imported from the FHIR Questionnaire {source}".rstrip()]
        head.append(
            "# by `tether instruments import-fhir` (docs/interop.md). Check before use:"
        )
        head += [f"#   {note}" for note in self.warnings] or ["#   (no warnings)"]
        body = yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(head) + "\n" + body


def read_json(text: str | bytes, file: str) -> dict[str, Any]:
    """The JSON document in `text`, or FhirImportError saying why not."""
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FhirImportError([f"{file}: is not JSON: {error}"]) from error
    if not isinstance(document, dict):
        raise FhirImportError([f"{file}: is not a FHIR resource (a JSON object)"])
    return document


def import_questionnaire(
    document: Mapping[str, Any],
    library: Iterable[Definition] = (),
    instrument_id: str | None = None,
    file: str = "questionnaire",
) -> ImportedInstrument:
    """The definition a Questionnaire describes, or FhirImportError listing
    everything that cannot be interpreted."""
    reading = _Reading(document, tuple(library), file)
    return reading.run(instrument_id)


# --- reading the document -------------------------------------------------


@dataclass
class _Option:
    code: str
    system: str
    label: dict[str, str]
    score: float | None


@dataclass
class _Question:
    node: Mapping[str, Any]
    link_id: str
    kind: str
    options: list[_Option] = field(default_factory=list)
    range: tuple[float, float, float] | None = None
    reverse: bool = False

    @property
    def loinc(self) -> str | None:
        return _loinc_code(self.node)

    @property
    def where(self) -> str:
        return f"linkId {self.link_id}"


@dataclass
class _Scale:
    id: str
    label: dict[str, str]
    items: list[str]
    method: str
    loinc: str | None
    source: str
    """The calculated item's linkId, or "" for the total Tether made."""
    missing_as_zero: bool = False


class _Reading:
    def __init__(
        self, document: Mapping[str, Any], library: tuple[Definition, ...], file: str
    ) -> None:
        self.doc = document
        self.library = library
        self.file = file
        self.problems: list[str] = []
        self.warnings: list[Note] = []
        self.language = "en"

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Note(where, message))

    def refuse(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def fail(self) -> FhirImportError:
        return FhirImportError(self.problems, _merged(self.warnings))

    # The whole reading, in order; problems are gathered, then raised at once.
    def run(self, instrument_id: str | None) -> ImportedInstrument:
        kind = self.doc.get("resourceType")
        if kind != "Questionnaire":
            raise FhirImportError(
                [f"{self.file}: resourceType is {kind!r}, not 'Questionnaire'"]
            )
        self._strict_validation()
        self.language = self._language()
        variables = self._variables()
        stem, questions, calculated = self._questions()
        scored = [q for q in questions if q.options or q.range]
        unscored = [q for q in questions if not q.options and not q.range]
        scales = self._scales(calculated, scored, variables)
        self._unscored(unscored, scales)
        if not scored and not self.problems:
            self.refuse("Questionnaire", "has no item that can be scored")
        if self.problems:
            raise self.fail()
        answers = self._answers(scored)
        if self.problems:
            raise self.fail()
        if not scales:
            scales = [
                _Scale(
                    "total",
                    {"en": "Total"},
                    [q.link_id for q in scored],
                    "sum",
                    None,
                    "",
                )
            ]
            self.warn(
                "Questionnaire",
                "has no calculated score: Tether's total is the sum of every scored item",
            )
        self._name_scales(scales)
        data = self._definition_data(instrument_id, stem, scored, answers, scales)
        matched = self._take_from_library(data, scored, scales)
        self._defaults(data, matched)
        self._check_scale_codes(data, scales, scored)
        self._missing_rule(data, scales)
        try:
            definition = parse_definition(data, self.file)
        except DefinitionError as error:
            raise FhirImportError(error.problems, _merged(self.warnings)) from error
        return ImportedInstrument(data, definition, _merged(self.warnings), matched)

    # --- strict validation, as warnings ---

    def _strict_validation(self) -> None:
        try:
            deviations = r4b_deviations(self.doc)
        except (
            KeyError,
            ValueError,
            TypeError,
        ) as error:  # the model could not be built
            self.warn(
                "Questionnaire", f"could not be checked against FHIR R4B: {error}"
            )
            return
        grouped: dict[tuple[str, str], list[str]] = {}
        for deviation in deviations:
            where, path = _locate(self.doc, deviation.location)
            shown = f"{path} ({deviation.value!r})" if path else repr(deviation.value)
            grouped.setdefault((where, deviation.message), []).append(shown)
        for (where, message), places in grouped.items():
            self.warn(
                where,
                f"does not validate as FHIR R4B, read as written: {message}: "
                + ", ".join(places),
            )

    def _language(self) -> str:
        language = self.doc.get("language")
        if isinstance(language, str) and re.match(r"^[A-Za-z]{2}\b", language):
            return language[:2].lower()
        return "en"

    def _variables(self) -> dict[str, str]:
        """Every named FHIRPath variable of the document (Questionnaire and
        items), by name."""
        found: dict[str, str] = {}
        for node in [self.doc, *(_all_items(self.doc))]:
            for extension in extensions(node, VARIABLE):
                expression = extension.get("valueExpression")
                if not isinstance(expression, dict):
                    continue
                name, text = expression.get("name"), expression.get("expression")
                if isinstance(name, str) and isinstance(text, str):
                    found[name] = text
        return found

    # --- items ---

    def _questions(
        self,
    ) -> tuple[dict[str, str], list[_Question], list[_Question]]:
        stem: dict[str, str] = {}
        questions: list[_Question] = []
        calculated: list[_Question] = []
        link_ids: Counter[str] = Counter()
        for node in _all_items(self.doc):
            link_id = node.get("linkId")
            if not isinstance(link_id, str) or not link_id.strip():
                self.refuse(
                    "Questionnaire",
                    f"an item has no linkId (text: {node.get('text')!r})",
                )
                continue
            link_ids[link_id] += 1
            kind = str(node.get("type", ""))
            where = f"linkId {link_id}"
            if node.get("modifierExtension"):
                urls = ", ".join(
                    str(e.get("url"))
                    for e in node["modifierExtension"]
                    if isinstance(e, dict)
                )
                self.refuse(
                    where,
                    f"modifierExtension {urls} changes the item's meaning and is not understood",
                )
                continue
            if kind == "group":
                continue
            if kind == "display":
                if (
                    not questions
                    and not stem
                    and link_id
                    in {
                        n.get("linkId")
                        for n in self.doc.get("item", [])
                        if isinstance(n, dict)
                    }
                ):
                    stem = dict(read_text(node, "text", self.language))
                    if stem:
                        self.warn(
                            where,
                            "display item taken as the stem shown above the items",
                        )
                continue
            question = _Question(node, link_id, kind)
            if extensions(node, CALCULATED):
                calculated.append(question)
                continue
            if node.get("enableWhen"):
                self.warn(
                    where, "enableWhen is not kept: Tether asks the item every time"
                )
            if node.get("repeats") is True:
                self.refuse(
                    where,
                    f"type {kind} with repeats: more than one answer cannot be scored",
                )
                continue
            if kind in CHOICE_TYPES:
                self._choice(question)
            elif kind in NUMBER_TYPES:
                self._number(question)
            else:
                self.refuse(where, f"type {kind or '(none)'} cannot be scored")
                continue
            questions.append(question)
        for link_id, count in sorted(link_ids.items()):
            if count > 1:
                self.refuse(
                    f"linkId {link_id}", f"names {count} items; a linkId must be unique"
                )
        return stem, questions, calculated

    def _choice(self, q: _Question) -> None:
        if (
            q.kind == "open-choice"
            or q.node.get("answerConstraint") == "optionsOrString"
        ):
            self.warn(
                q.where,
                "free-text answers are not offered: only the listed answers are kept",
            )
        options = self._options(q)
        if options is None:
            return
        scores = [o.score for o in options]
        if all(s is None for s in scores):
            return  # unscored; decided with the calculated items
        missing = [i for i, s in enumerate(scores) if s is None]
        if missing:
            self.refuse(
                q.where,
                f"answerOption {', '.join(str(i) for i in missing)} carry no score "
                "(ordinalValue or itemWeight) while the others do",
            )
            return
        q.options = options

    def _options(self, q: _Question) -> list[_Option] | None:
        raw = q.node.get("answerOption")
        if raw is None and q.node.get("answerValueSet"):
            return self._value_set_options(q)
        if not isinstance(raw, list) or not raw:
            self.refuse(q.where, f"type {q.kind} without answerOption cannot be scored")
            return None
        options = []
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict):
                self.refuse(q.where, f"answerOption[{index}] is not an object")
                return None
            coding = entry.get("valueCoding")
            if isinstance(coding, dict):
                score = self._score(q, entry, coding, index)
                options.append(
                    _Option(
                        str(coding.get("code", "")),
                        str(coding.get("system", "")),
                        dict(read_text(coding, "display", self.language)),
                        score,
                    )
                )
                continue
            value = entry.get("valueInteger")
            if isinstance(value, int) and not isinstance(value, bool):
                score = self._score(q, entry, {}, index)
                if score is None:
                    score = float(value)
                    self.warn(
                        q.where,
                        "integer answers without ordinalValue: each integer taken as its score",
                    )
                options.append(
                    _Option(str(value), "", {self.language: str(value)}, score)
                )
                continue
            kinds = [k for k in entry if k.startswith("value")]
            self.refuse(
                q.where,
                f"answerOption[{index}] is {', '.join(kinds) or 'empty'}; only valueCoding "
                "or valueInteger answers can be scored",
            )
            return None
        return options

    def _value_set_options(self, q: _Question) -> list[_Option] | None:
        reference = str(q.node.get("answerValueSet"))
        contained = {
            f"#{r.get('id')}": r
            for r in self.doc.get("contained", [])
            if isinstance(r, dict) and r.get("resourceType") == "ValueSet"
        }
        value_set = contained.get(reference)
        if value_set is None:
            self.refuse(
                q.where,
                f"its answers come from the value set {reference}, which is not in the file; "
                "it cannot be scored",
            )
            return None
        options = []
        for include in value_set.get("compose", {}).get("include", []):
            for concept in include.get("concept", []):
                options.append(
                    _Option(
                        str(concept.get("code", "")),
                        str(include.get("system", "")),
                        dict(read_text(concept, "display", self.language)),
                        _extension_score(concept),
                    )
                )
        for concept in value_set.get("expansion", {}).get("contains", []):
            options.append(
                _Option(
                    str(concept.get("code", "")),
                    str(concept.get("system", "")),
                    dict(read_text(concept, "display", self.language)),
                    _extension_score(concept),
                )
            )
        if not options:
            self.refuse(q.where, f"the value set {reference} lists no answer")
            return None
        return options

    def _score(
        self,
        q: _Question,
        entry: Mapping[str, Any],
        coding: Mapping[str, Any],
        index: int,
    ) -> float | None:
        for node in (entry, coding):
            for url in SCORE_EXTENSIONS:
                for extension in extensions(node, url):
                    value = extension.get("valueDecimal", extension.get("valueInteger"))
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        self.refuse(
                            q.where,
                            f"answerOption[{index}]: its score {value!r} is not a number",
                        )
                        return None
                    if url == CO_VALUE:
                        self.warn(
                            q.where,
                            "scores in STU3's iso21090-CO-value extension, read as ordinalValue",
                        )
                    return float(value)
        return None

    def _number(self, q: _Question) -> None:
        low = _extension_number(q.node, MIN_VALUE)
        high = _extension_number(q.node, MAX_VALUE)
        if low is None or high is None:
            self.refuse(
                q.where, f"type {q.kind} without minValue and maxValue cannot be scored"
            )
            return
        step: float | None
        slider = _extension_number(q.node, SLIDER_STEP)
        places = _extension_number(q.node, MAX_DECIMAL_PLACES)
        if slider is not None:
            step = slider
        elif places is not None:
            step = 10.0**-places
        elif q.kind == "integer":
            step = 1.0
        else:
            self.refuse(
                q.where,
                "type decimal without sliderStepValue or maxDecimalPlaces: "
                "the step between answers is unknown, so it cannot be scored",
            )
            return
        if high <= low or step <= 0:
            self.refuse(
                q.where,
                f"minValue {low:g}, maxValue {high:g} and step {step:g} make no range",
            )
            return
        q.range = (low, high, step)

    # --- calculated items and unscored ones ---

    def _scales(
        self,
        calculated: list[_Question],
        scored: list[_Question],
        variables: Mapping[str, str],
    ) -> list[_Scale]:
        scored_ids = {q.link_id for q in scored}
        scales = []
        for q in calculated:
            expression = extensions(q.node, CALCULATED)[0].get("valueExpression", {})
            text = (
                expression.get("expression") if isinstance(expression, dict) else None
            )
            if q.kind not in NUMBER_TYPES:
                self.warn(
                    q.where,
                    f"calculated item of type {q.kind} is not a score; left out",
                )
                continue
            if not isinstance(text, str):
                self.warn(
                    q.where, "calculated item without a FHIRPath expression; left out"
                )
                continue
            calculation = read_calculation(text, variables)
            scale = self._scale_from(q, calculation, scored_ids)
            if scale is not None:
                scales.append(scale)
        return scales

    def _scale_from(
        self, q: _Question, calculation: Calculation, scored_ids: set[str]
    ) -> _Scale | None:
        if calculation.method is None:
            self.warn(q.where, f"calculated item left out: {calculation.reason}")
            return None
        unknown = [i for i in calculation.link_ids if i not in scored_ids]
        if unknown:
            self.warn(
                q.where,
                f"calculated item left out: it counts {', '.join(unknown)}, "
                "which are not scored items of this Questionnaire",
            )
            return None
        label = dict(read_text(q.node, "text", self.language)) or {"en": "Total"}
        self.warn(
            q.where,
            f"calculated item read as the {calculation.method} of the scores of "
            f"{len(calculation.link_ids)} items ({', '.join(calculation.link_ids)}); "
            "Tether computes it itself, the expression was not run",
        )
        return _Scale(
            "",
            label,
            list(calculation.link_ids),
            calculation.method,
            q.loinc,
            q.link_id,
            calculation.missing_as_zero,
        )

    def _unscored(self, unscored: list[_Question], scales: list[_Scale]) -> None:
        counted = {i for scale in scales for i in scale.items}
        for q in unscored:
            if q.loinc in UNSCORED_LOINC:
                self.warn(q.where, f"left out: {UNSCORED_LOINC[q.loinc]}")
            elif scales and q.link_id not in counted:
                self.warn(
                    q.where,
                    "left out: its answers carry no score and no calculated score counts it "
                    "(asked, not scored)",
                )
            elif q.kind in CHOICE_TYPES and not any(
                p.startswith(f"linkId {q.link_id}:") for p in self.problems
            ):
                self.refuse(
                    q.where,
                    f"type {q.kind} whose answers carry no score (ordinalValue or itemWeight) "
                    "cannot be scored",
                )

    # --- one set of answers ---

    def _answers(
        self, scored: list[_Question]
    ) -> list[dict[str, Any]] | dict[str, float]:
        ranges = [q for q in scored if q.range]
        choices = [q for q in scored if q.options]
        if ranges and choices:
            self.refuse(
                f"linkId {ranges[0].link_id}",
                f"a number item beside choice items (linkId {choices[0].link_id}); "
                "a Tether instrument has one kind of answer",
            )
            return {}
        if ranges:
            first = ranges[0]
            for q in ranges[1:]:
                if q.range != first.range:
                    self.refuse(
                        q.where,
                        f"its range {_range_text(q.range)} differs from linkId "
                        f"{first.link_id}'s {_range_text(first.range)}",
                    )
            low, high, step = first.range or (0.0, 0.0, 1.0)
            return {"min": _plain(low), "max": _plain(high), "step": _plain(step)}
        return self._choice_answers(choices)

    def _choice_answers(self, choices: list[_Question]) -> list[dict[str, Any]]:
        patterns = Counter(tuple(o.score for o in _by_code(q.options)) for q in choices)
        common = patterns.most_common(1)[0][0]
        reference = next(
            q for q in choices if tuple(o.score for o in _by_code(q.options)) == common
        )
        ref = {_key(o): o for o in reference.options}
        scores = [o.score for o in reference.options if o.score is not None]
        low, high = min(scores), max(scores)
        for q in choices:
            if q is reference:
                continue
            mine = {_key(o): o for o in q.options}
            if set(mine) == set(ref):
                pairs = [(ref[k].score, mine[k].score) for k in ref]
            elif len(q.options) == len(reference.options):
                pairs = [
                    (a.score, b.score)
                    for a, b in zip(reference.options, q.options, strict=True)
                ]
                self.warn(
                    q.where,
                    f"its answers are coded or labelled differently from linkId "
                    f"{reference.link_id}'s; those of {reference.link_id} are kept",
                )
            else:
                self.refuse(
                    q.where,
                    f"has {len(q.options)} answers where linkId {reference.link_id} has "
                    f"{len(reference.options)}; a Tether instrument has one set of answers",
                )
                continue
            if all(a == b for a, b in pairs):
                continue
            if all(a is not None and b == low + high - a for a, b in pairs):
                q.reverse = True
                continue
            self.refuse(
                q.where,
                f"its answer scores ({_scores_text(b for _, b in pairs)}) differ from linkId "
                f"{reference.link_id}'s ({_scores_text(a for a, _ in pairs)}) and are not "
                "their reverse; a Tether instrument has one set of answers",
            )
        return self._option_data(reference)

    def _option_data(self, reference: _Question) -> list[dict[str, Any]]:
        options = reference.options
        scores = [o.score for o in options]
        tether_codes = all(
            o.system.startswith(f"{INSTRUMENT_SYSTEM}:") and _is_number(o.code)
            for o in options
        )
        values: list[float]
        if tether_codes:
            values = [float(o.code) for o in options]
        elif len(set(scores)) == len(scores):
            values = [float(s) for s in scores if s is not None]
        else:
            values = [float(i) for i in range(len(options))]
            self.warn(
                reference.where,
                "two answers share a score: answers are stored as their position "
                f"(0-{len(options) - 1}) and scored by their score",
            )
        out = []
        systemless = False
        for value, option in zip(values, options, strict=True):
            entry: dict[str, Any] = {"value": _plain(value)}
            label = option.label or {self.language: option.code or f"{value:g}"}
            if not option.label:
                self.warn(
                    reference.where,
                    f"the answer scored {value:g} has no label; its code is shown",
                )
            entry["label"] = label
            if option.score != value:
                entry["score"] = _plain(option.score or 0.0)
            if option.system == LOINC or (
                not option.system and LOINC_ANSWER.match(option.code)
            ):
                entry["loinc"] = option.code
                systemless |= not option.system
            out.append(entry)
        if systemless:
            self.warn(
                reference.where,
                "answer codes without a system, LA… codes read as LOINC",
            )
        return out

    # --- scales ---

    def _name_scales(self, scales: list[_Scale]) -> None:
        taken: set[str] = set()
        for scale in scales:
            candidates = []
            if scale.source.startswith(SCALE_LINK_PREFIX):
                candidates.append(scale.source[len(SCALE_LINK_PREFIX) :])
            if len(scales) == 1:
                candidates.append("total")
            candidates.append(_kebab(scale.source) or "total")
            name = next(
                (c for c in candidates if KEBAB.match(c) and c not in taken), ""
            )
            number = 2
            while not name or name in taken:
                name = f"scale-{number}"
                number += 1
            scale.id = name
            taken.add(name)

    # --- the definition ---

    def _definition_data(
        self,
        instrument_id: str | None,
        stem: dict[str, str],
        scored: list[_Question],
        answers: list[dict[str, Any]] | dict[str, float],
        scales: list[_Scale],
    ) -> dict[str, Any]:
        ident, version = self._identity(instrument_id)
        title = dict(read_text(self.doc, "title", self.language))
        if not title:
            name = self.doc.get("name")
            title = {self.language: str(name or ident)}
            self.warn("Questionnaire", f"has no title; {title[self.language]!r} used")
        items = [self._item_data(q) for q in scored]
        with_text = [i for i in items if i.get("text")]
        bundled = bool(with_text)
        if with_text and len(with_text) < len(items):
            for q, item in zip(scored, items, strict=True):
                if not item.get("text"):
                    self.refuse(
                        q.where,
                        "has no text while other items have; give every item its text",
                    )
            raise self.fail()
        labels = [o["label"] for o in answers] if isinstance(answers, list) else []
        languages = _common_languages(
            [i["text"] for i in with_text] + labels + [title], self.language
        )
        for item in items:
            if not bundled:
                item.pop("text", None)
                if not item.get("content"):
                    item["content"] = f"item {item['id']}"
                    self.warn(
                        f"linkId {item['id']}",
                        "has no text and no paraphrase; its content is its linkId",
                    )
            else:
                item.pop("content", None)
                item["text"] = {k: v for k, v in item["text"].items() if k in languages}
        if isinstance(answers, list):
            for option in answers:
                option["label"] = _in_languages(
                    option["label"], languages, self.language
                )
        data: dict[str, Any] = {
            "id": ident,
            "version": version,
            "title": _in_languages(title, languages, self.language),
            "citation": "",
            "licence": {},
            "validated": False,
            "role": "symptom",
            "respondents": ["client"],
            "languages": languages if bundled else [],
            "loinc": {},
        }
        panel = _loinc_code(self.doc)
        if panel:
            data["loinc"]["panel"] = panel
        if bundled and stem:
            data["stem"] = _in_languages(stem, languages, self.language)
        data["response"] = (
            {"options": answers} if isinstance(answers, list) else {"range": answers}
        )
        data["items"] = items
        data["scales"] = [self._scale_data(s, len(s.items)) for s in scales]
        for scale in scales:
            if scale.loinc:
                data["loinc"][scale.id] = scale.loinc
        if not data["loinc"]:
            del data["loinc"]
        data["_bundled"] = bundled
        return data

    def _identity(self, instrument_id: str | None) -> tuple[str, str]:
        version = str(self.doc.get("version") or "")
        if not version:
            version = "1.0"
            self.warn("Questionnaire", "has no version; 1.0 used")
        if instrument_id:
            return instrument_id, version
        for identifier in self.doc.get("identifier", []) or []:
            if (
                isinstance(identifier, dict)
                and identifier.get("system") == INSTRUMENT_SYSTEM
            ):
                value = str(identifier.get("value", ""))
                if KEBAB.match(value):
                    return value, version
        for candidate in (
            self.doc.get("name"),
            self.doc.get("title"),
            self.doc.get("id"),
        ):
            ident = _kebab(str(candidate or ""))
            if ident:
                self.warn(
                    "Questionnaire",
                    f"instrument id {ident!r} made from its name; choose another with --id",
                )
                return ident, version
        self.warn(
            "Questionnaire",
            "has no name; instrument id 'imported' used (choose one with --id)",
        )
        return "imported", version

    def _item_data(self, q: _Question) -> dict[str, Any]:
        item: dict[str, Any] = {"id": q.link_id}
        text = dict(read_text(q.node, "text", self.language))
        if text:
            item["text"] = text
        content = [e.get("valueString") for e in extensions(q.node, ITEM_CONTENT)]
        if content and isinstance(content[0], str):
            item["content"] = content[0]
        if q.reverse:
            item["reverse"] = True
            self.warn(q.where, "its scores run the other way: a reversed item")
        if q.loinc:
            item["loinc"] = q.loinc
        return item

    def _scale_data(self, scale: _Scale, n_items: int) -> dict[str, Any]:
        return {
            "id": scale.id,
            "label": scale.label,
            "items": scale.items,
            "method": scale.method,
            "min_answered": n_items,
            "missing_rule_source": "[P] imported from FHIR: every item must be answered",
            "higher_is_better": False,
        }

    # --- what the library adds ---

    def _take_from_library(
        self, data: dict[str, Any], scored: list[_Question], scales: list[_Scale]
    ) -> str | None:
        bundled = data.pop("_bundled")
        match = self._match(data, scored)
        if match is None:
            return None
        definition, by_item, how = match
        differs = _scoring_differs(data, definition, by_item)
        if differs:
            self.warn(
                "Questionnaire",
                f"its items {how} {definition.key}, but {differs}: risk items, bands and "
                f"cutoffs are not taken from {definition.key}; add `risk:` by hand where "
                "an item is a risk item",
            )
            return None
        risk = []
        for item in data["items"]:
            theirs = definition.item(by_item[item["id"]])
            if theirs.risk is not None:
                item["risk"] = {
                    "at_or_above": _plain(theirs.risk.at_or_above),
                    "label": dict(theirs.risk.label),
                }
                risk.append(f"{item['id']} (at or above {theirs.risk.at_or_above:g})")
            if theirs.alliance is not None:
                item["alliance"] = {
                    "level": theirs.alliance.level,
                    "dimension": theirs.alliance.dimension,
                }
            if len(theirs.applies_to) != len(CASE_KINDS):
                item["applies_to"] = list(theirs.applies_to)
            if theirs.target:
                item["target"] = theirs.target
        taken = [
            f"risk item {', '.join(risk)}" if risk else "no risk item (it has none)",
            "role",
            "respondents",
            "licence",
            "citation",
        ]
        for scale_data in data["scales"]:
            theirs_scale = _same_scale(scale_data, definition, by_item)
            if theirs_scale is None:
                continue
            scale_data.update(_scale_rules(theirs_scale))
            if theirs_scale.bands or theirs_scale.cutoff:
                taken.append(f"the {scale_data['id']} scale's bands and cutoff")
        data["role"] = definition.role
        data["respondents"] = list(definition.respondents)
        data["citation"] = definition.citation
        data["validated"] = definition.validated
        data["key_verified"] = definition.key_verified
        data["licence"] = {
            "class": definition.licence.klass,
            "text_bundled": bundled,
            "note": definition.licence.note,
        }
        if definition.allow_skip and any(
            s["min_answered"] < len(s["items"]) for s in data["scales"]
        ):
            data["allow_skip"] = True
        if definition.age_min is not None or definition.age_max is not None:
            data["ages"] = {
                k: v
                for k, v in (("min", definition.age_min), ("max", definition.age_max))
                if v is not None
            }
        if definition.recall:
            data["recall"] = dict(definition.recall)
        if definition.trauma_content:
            data["trauma_content"] = True
        self.warn(
            "Questionnaire",
            f"its items {how} {definition.key} and score the same: "
            f"{', '.join(taken)} taken from {definition.key}",
        )
        return definition.key

    def _match(
        self, data: Mapping[str, Any], scored: list[_Question]
    ) -> tuple[Definition, dict[str, str], str] | None:
        """The library definition this Questionnaire is, with its item ids by
        linkId: Tether's own export (identifier and version), else the one
        whose items carry the same LOINC codes."""
        own = [
            i.get("value")
            for i in self.doc.get("identifier", []) or []
            if isinstance(i, dict) and i.get("system") == INSTRUMENT_SYSTEM
        ]
        for definition in self.library:
            same = own and (definition.id, definition.version) == (
                own[0],
                data["version"],
            )
            if same and sorted(definition.item_ids) == sorted(
                q.link_id for q in scored
            ):
                return (
                    definition,
                    {q.link_id: q.link_id for q in scored},
                    "are the items of",
                )
        codes = {q.loinc: q.link_id for q in scored if q.loinc}
        if len(codes) != len(scored):
            return None
        for definition in self.library:
            theirs = {item.loinc: item.id for item in definition.items if item.loinc}
            if len(theirs) == len(definition.items) and set(theirs) == set(codes):
                return (
                    definition,
                    {codes[code]: theirs[code] for code in codes},
                    "carry the LOINC codes of the items of",
                )
        return None

    def _check_scale_codes(
        self, data: Mapping[str, Any], scales: list[_Scale], scored: list[_Question]
    ) -> None:
        """Tether's own score against the calculated one: where a calculated
        item carries the LOINC code of a library instrument's scale, the items
        it counts (by their LOINC codes) and the range Tether's score takes
        are compared with that scale's."""
        loinc_of = {q.link_id: q.loinc for q in scored}
        for scale, scale_data in zip(scales, data["scales"], strict=True):
            if not scale.source or not scale.loinc:
                continue
            for definition in self.library:
                names = [n for n, c in definition.loinc.items() if c == scale.loinc]
                theirs = next((s for s in definition.scales if s.id in names), None)
                if theirs is None:
                    continue
                where = f"linkId {scale.source}"
                what = f"carries LOINC {scale.loinc}, the code of {definition.key}'s {theirs.id}"
                ours_codes = {loinc_of.get(i) for i in scale.items}
                their_codes = {definition.item(i).loinc for i in theirs.items}
                if ours_codes != their_codes or scale.method != theirs.method:
                    left_out = sorted(c for c in their_codes - ours_codes if c)
                    self.warn(
                        where,
                        f"{what}, but counts other items ({len(scale.items)} where "
                        f"{definition.key} counts {len(theirs.items)}"
                        + (f"; not {', '.join(left_out)}" if left_out else "")
                        + f"): Tether scores it as the Questionnaire says, not as {definition.key}",
                    )
                    break
                low, high = _bounds(data, scale_data)
                their_low, their_high = definition.scale_bounds(theirs)
                agree = (low, high) == (their_low, their_high)
                self.warn(
                    where,
                    f"{what}: the same {len(theirs.items)} items, {theirs.method}; "
                    f"Tether's {scale.id} runs {low:g}-{high:g}, {definition.key}'s "
                    f"{their_low:g}-{their_high:g}"
                    + (
                        ": they agree"
                        if agree
                        else ": they differ, check the answer scores"
                    ),
                )
                break

    def _missing_rule(self, data: Mapping[str, Any], scales: list[_Scale]) -> None:
        """Where the calculated score and Tether's differ on unanswered items."""
        for scale, scale_data in zip(scales, data["scales"], strict=True):
            if not scale.missing_as_zero:
                continue
            needed, n = scale_data["min_answered"], len(scale_data["items"])
            rule = (
                "every item answered"
                if needed == n
                else f"at least {needed} of {n} items answered, prorated when fewer than {n}"
            )
            self.warn(
                f"linkId {scale.source}",
                f"the calculated score counts an unanswered item as 0; Tether scores "
                f"{scale.id} with {rule}",
            )

    def _defaults(self, data: dict[str, Any], matched: str | None) -> None:
        if matched is not None:
            return
        copyright_text = str(self.doc.get("copyright") or "").strip()
        data["citation"] = (
            str(self.doc.get("description") or self.doc.get("publisher") or "").strip()
            or f"FHIR Questionnaire {self.doc.get('url') or self.doc.get('id') or self.file}"
        )
        data["licence"] = {
            "class": "permission_required",
            "text_bundled": bool(data["languages"]),
            "note": copyright_text or "Unknown: the Questionnaire states no copyright.",
        }
        self.warn(
            "Questionnaire",
            "FHIR has no licence class: set to permission_required"
            + ("" if copyright_text else " (no copyright given)")
            + "; check the instrument's licence before use",
        )
        self.warn(
            "Questionnaire",
            "not an instrument Tether knows: role symptom, respondents client, "
            "higher scores worse, not marked validated, every item needed for a score, "
            "no risk item (a Questionnaire has no notion of one) — check each",
        )


# --- helpers ---------------------------------------------------------------


def _all_items(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for item in node.get("item", []) or []:
        if isinstance(item, dict):
            yield item
            yield from _all_items(item)


def _locate(
    document: Mapping[str, Any], location: tuple[str | int, ...]
) -> tuple[str, str]:
    """The linkId a validation error is in (or the Questionnaire), and the
    path below that item."""
    node: Any = document
    where = "Questionnaire"
    path: list[str] = []
    for part in location:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            path[-1:] = [f"{path[-1]}[{part}]"] if path else [f"[{part}]"]
        else:
            path.append(str(part))
            continue
        if (
            isinstance(node, dict)
            and path
            and path[-1].startswith("item[")
            and "linkId" in node
        ):
            where = f"linkId {node['linkId']}"
            path = []
    return where, ".".join(path)


def _loinc_code(node: Mapping[str, Any]) -> str | None:
    for coding in node.get("code", []) or []:
        if not isinstance(coding, dict):
            continue
        code = str(coding.get("code", ""))
        system = coding.get("system")
        if system == LOINC or (system is None and LOINC_ITEM.match(code)):
            return code
    return None


def _extension_score(node: Mapping[str, Any]) -> float | None:
    for url in SCORE_EXTENSIONS:
        for extension in extensions(node, url):
            value = extension.get("valueDecimal", extension.get("valueInteger"))
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    return None


def _extension_number(node: Mapping[str, Any], url: str) -> float | None:
    for extension in extensions(node, url):
        for key in ("valueInteger", "valueDecimal"):
            value = extension.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    return None


def _by_code(options: list[_Option]) -> list[_Option]:
    return sorted(options, key=_key)


def _key(option: _Option) -> tuple[str, str]:
    return (option.code, str(option.label))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _range_text(r: tuple[float, float, float] | None) -> str:
    return "none" if r is None else f"{r[0]:g}-{r[1]:g} by {r[2]:g}"


def _scores_text(scores: Iterable[float | None]) -> str:
    return ", ".join("none" if s is None else f"{s:g}" for s in scores)


def _kebab(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:60].strip("-")


def _common_languages(texts: list[dict[str, str]], base: str) -> list[str]:
    """The languages every text has (the base language first)."""
    if not texts:
        return []
    common = set(texts[0])
    for text in texts[1:]:
        common &= set(text)
    ordered = sorted(common, key=lambda lang: (lang != base, lang))
    return ordered or [base]


def _in_languages(
    text: Mapping[str, str], languages: list[str], base: str
) -> dict[str, str]:
    if not languages:
        return dict(text) or {base: ""}
    kept = {k: v for k, v in text.items() if k in languages}
    return kept or dict(text)


def _bounds(
    data: Mapping[str, Any], scale_data: Mapping[str, Any]
) -> tuple[float, float]:
    """The range a scale of the definition data takes."""
    response = data["response"]
    if "range" in response:
        low, high = float(response["range"]["min"]), float(response["range"]["max"])
    else:
        scores = [float(o.get("score", o["value"])) for o in response["options"]]
        low, high = min(scores), max(scores)
    if scale_data["method"] == "mean":
        return low, high
    n = len(scale_data["items"])
    return low * n, high * n


def _same_scale(
    scale_data: Mapping[str, Any], definition: Definition, by_item: Mapping[str, str]
) -> Scale | None:
    """The library scale made of the same items, the same way."""
    items = sorted(by_item[i] for i in scale_data["items"])
    for scale in definition.scales:
        if sorted(scale.items) == items and scale.method == scale_data["method"]:
            return scale
    return None


def _scale_rules(scale: Scale) -> dict[str, Any]:
    """What a library scale knows beyond its items: its missing-item rule,
    direction, bands, cutoff and change norms, as definition-file fields."""
    rules: dict[str, Any] = {
        "label": dict(scale.label),
        "min_answered": scale.min_answered,
        "missing_rule_source": scale.missing_rule_source
        or "taken from the library definition",
        "higher_is_better": scale.higher_is_better,
    }
    if scale.bands:
        rules["bands"] = [
            {"from": _plain(b.lower), "label": dict(b.label)} for b in scale.bands
        ]
        rules["bands_source"] = scale.bands_source
    if scale.cutoff is not None:
        c = scale.cutoff
        rules["cutoff"] = {
            "value": _plain(c.value),
            "direction": c.direction,
            "label": dict(c.label),
            "source": c.source,
        }
    if scale.change is not None:
        rules["change"] = _change_rules(scale)
    return rules


def _change_rules(scale: Scale) -> dict[str, Any]:
    change = scale.change
    assert change is not None
    out: dict[str, Any] = {}
    for name in ("reliability", "sd"):
        value = getattr(change, name)
        if value is not None:
            out[name] = value
    for kind in ("reliable", "meaningful", "possible"):
        points = getattr(change, f"{kind}_change_points")
        if points is not None:
            out[f"{kind}_change_points"] = _plain(points)
            label = getattr(change, f"{kind}_change_label")
            if label:
                out[f"{kind}_change_label"] = label
    if change.recovery is not None:
        r = change.recovery
        recovery: dict[str, Any] = {
            ("at_or_below" if r.inclusive else "below"): _plain(r.value)
        }
        if r.caseness is not None:
            recovery["caseness"] = _plain(r.caseness)
        if r.paired_with:
            recovery["paired_with"] = r.paired_with
        recovery["source"] = r.source
        out["recovery"] = recovery
    out["source"] = change.source
    return out


def _scoring_differs(
    data: Mapping[str, Any], definition: Definition, by_item: Mapping[str, str]
) -> str:
    """Why the imported answers do not score as the library definition does;
    empty when they score the same."""
    response = data["response"]
    if "range" in response:
        r = definition.value_range
        if r is None or (r.minimum, r.maximum, r.step) != (
            response["range"]["min"],
            response["range"]["max"],
            response["range"]["step"],
        ):
            return "their answer range differs"
    else:
        ours = sorted(
            (float(o["value"]), float(o.get("score", o["value"])))
            for o in response["options"]
        )
        theirs = sorted((o.value, o.score) for o in definition.options)
        if ours != theirs:
            return (
                "their answers score "
                + ", ".join(f"{s:g}" for _, s in ours)
                + " where it scores "
                + ", ".join(f"{s:g}" for _, s in theirs)
            )
    reversed_differ = [
        item["id"]
        for item in data["items"]
        if bool(item.get("reverse")) != definition.item(by_item[item["id"]]).reverse
    ]
    if reversed_differ:
        return f"items {', '.join(reversed_differ)} are reversed differently"
    return ""


def _merged(warnings: Sequence[Note]) -> tuple[Note, ...]:
    """Warnings with the same message, at several linkIds, as one."""
    by_message: dict[str, list[str]] = {}
    for note in warnings:
        places = by_message.setdefault(note.message, [])
        if note.where not in places:
            places.append(note.where)
    merged = []
    for message, places in by_message.items():
        if len(places) > 1 and all(p.startswith("linkId ") for p in places):
            where = "linkIds " + ", ".join(p[len("linkId ") :] for p in places)
        else:
            where = ", ".join(places)
        merged.append(Note(where, message))
    return tuple(merged)
