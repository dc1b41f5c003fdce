"""A FHIR Questionnaire (R4, R4B; R5's `coding` items too) as a Tether
instrument definition (docs/interop.md §Import).

Real files are not always valid, so the document is read as plain JSON: where
fhir.resources' strict R4B model rejects it, each deviation becomes a warning
with its linkId, and the reading goes on. What the importer takes:

- an item whose answers all carry a score, or a number item with its range,
  is a scored item (fhir_answers: one set of answers, reversed items);
- a calculated item (SDC `calculatedExpression`) that adds up (or averages)
  the scores of scored items is a scale (fhir_expressions); with none, the
  total is the sum of every scored item;
- a choice item without scores that no calculated score counts (or LOINC
  69722-7, the PHQ-9's "how difficult" question) is asked but not scored:
  left out, with a warning;
- display and group items carry no answer; a display item before the first
  question is the stem;
- risk items, bands, cutoffs and the like from the library instrument it is,
  where it scores the same (fhir_library).

Everything else it refuses with the linkId and the reason ("linkId X: type
string cannot be scored"), every problem at once, and nothing is written.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from tether.instruments import Definition, DefinitionError, parse_definition
from tether.instruments.loader import KEBAB

from .fhir_answers import (
    CHOICE_TYPES,
    NUMBER_TYPES,
    Question,
    one_answer_set,
    read_answers,
)
from .fhir_base import (
    CALCULATED,
    INSTRUMENT_SYSTEM,
    ITEM_CONTENT,
    SCALE_LINK_PREFIX,
    VARIABLE,
    extensions,
    listed,
    loinc_code,
    r4b_deviations,
    read_text,
)
from .fhir_expressions import read_calculation
from .fhir_findings import QUESTIONNAIRE, FhirImportError, Findings, Note, at
from .fhir_library import check_calculated_scores, take_from_library

__all__ = [
    "FhirImportError",
    "ImportedInstrument",
    "Note",
    "import_questionnaire",
    "read_json",
]

UNSCORED_LOINC = {
    "69722-7": "the PHQ-9's closing question, how difficult the problems have made "
    "things, is asked but is not part of the score (LOINC 69722-7)",
}
"""Items known to be asked but not scored, by LOINC code."""


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
        body = yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=88)
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


@dataclass
class _Scale:
    """A scale as read: from a calculated item (`source`, its linkId) or the
    total Tether makes (`source` empty)."""

    id: str
    label: dict[str, str]
    items: list[str]
    method: str
    loinc: str | None
    source: str
    missing_as_zero: bool = False


def import_questionnaire(
    document: Mapping[str, Any],
    library: Iterable[Definition] = (),
    instrument_id: str | None = None,
    file: str = "questionnaire",
) -> ImportedInstrument:
    """The definition a Questionnaire describes (warnings with it), or
    FhirImportError listing everything that cannot be interpreted. The
    document is not changed."""
    if document.get("resourceType") != "Questionnaire":
        raise FhirImportError(
            [
                f"{file}: resourceType is {document.get('resourceType')!r}, not 'Questionnaire'"
            ]
        )
    findings = Findings()
    library = tuple(library)
    _strict_validation(document, findings)
    language = _language(document)
    stem, questions, calculated = _questions(document, language, findings)
    scored = [q for q in questions if q.scored]
    scales = _scales(calculated, scored, _variables(document), language, findings)
    _unscored([q for q in questions if not q.scored], scales, findings)
    if not scored and not findings.problems:
        findings.refuse(QUESTIONNAIRE, "has no item that can be scored")
    if findings.problems:
        raise findings.error()
    answers = one_answer_set(scored, language, findings)
    if findings.problems:
        raise findings.error()
    if not scales:
        every = [q.link_id for q in scored]
        scales = [_Scale("total", {"en": "Total"}, every, "sum", None, "")]
        findings.warn(
            QUESTIONNAIRE,
            "has no calculated score: Tether's total is the sum of every scored item",
        )
    _name_scales(scales)
    ident, version = _identity(document, instrument_id, findings)
    data = _definition_data(
        document, ident, version, language, stem, scored, answers, scales, findings
    )
    matched = take_from_library(data, scored, library, _own_id(document), findings)
    if matched is None:
        _defaults(document, data, file, findings)
    sources = [(s.source, s.loinc) for s in scales]
    check_calculated_scores(data, sources, scored, library, findings)
    _missing_rule(data, scales, findings)
    try:
        definition = parse_definition(data, file)
    except DefinitionError as error:
        raise findings.error(error.problems) from error
    return ImportedInstrument(data, definition, findings.merged(), matched)


# --- the document ---------------------------------------------------------


def _strict_validation(document: Mapping[str, Any], findings: Findings) -> None:
    """Each place fhir.resources' R4B model rejects, as a warning at its
    linkId; the same message at several places of one item as one warning."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for deviation in r4b_deviations(document):
        where, path = _locate(document, deviation.location)
        shown = f"{path} ({deviation.value!r})" if path else repr(deviation.value)
        grouped.setdefault((where, deviation.message), []).append(shown)
    for (where, message), places in grouped.items():
        findings.warn(
            where,
            f"does not validate as FHIR R4B, read as written: {message}: "
            + ", ".join(places),
        )


def _locate(
    document: Mapping[str, Any], location: tuple[str | int, ...]
) -> tuple[str, str]:
    """The item a validation error is in (`linkId X`, or the Questionnaire),
    and its path below that item."""
    node: Any = document
    where = QUESTIONNAIRE
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
            where = at(str(node["linkId"]))
            path = []
    return where, ".".join(path)


def _language(document: Mapping[str, Any]) -> str:
    """The language of the plain text: the document's (its first two
    letters, en-US → en), else English."""
    language = document.get("language")
    if isinstance(language, str) and re.match(r"^[A-Za-z]{2}\b", language):
        return language[:2].lower()
    return "en"


def _all_items(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for item in listed(node, "item"):
        yield item
        yield from _all_items(item)


def _variables(document: Mapping[str, Any]) -> dict[str, str]:
    """Every named FHIRPath variable of the document (Questionnaire and
    items), by name."""
    found: dict[str, str] = {}
    for node in [document, *_all_items(document)]:
        for extension in extensions(node, VARIABLE):
            expression = extension.get("valueExpression")
            if not isinstance(expression, dict):
                continue
            name, text = expression.get("name"), expression.get("expression")
            if isinstance(name, str) and isinstance(text, str):
                found[name] = text
    return found


def _questions(
    document: Mapping[str, Any], language: str, findings: Findings
) -> tuple[dict[str, str], list[Question], list[Question]]:
    """The stem, the items that ask something (their answers read), and the
    calculated items."""
    top = [n.get("linkId") for n in listed(document, "item")]
    stem: dict[str, str] = {}
    questions: list[Question] = []
    calculated: list[Question] = []
    link_ids: Counter[str] = Counter()
    for node in _all_items(document):
        link_id = node.get("linkId")
        if not isinstance(link_id, str) or not link_id.strip():
            findings.refuse(
                QUESTIONNAIRE, f"an item has no linkId (text: {node.get('text')!r})"
            )
            continue
        link_ids[link_id] += 1
        kind = str(node.get("type", ""))
        if node.get("modifierExtension"):
            urls = ", ".join(
                str(e.get("url")) for e in listed(node, "modifierExtension")
            )
            findings.refuse(
                at(link_id),
                f"modifierExtension {urls} changes the item's meaning and is not understood",
            )
            continue
        if kind == "group":
            continue
        if kind == "display":
            if not questions and not stem and link_id in top:
                stem = dict(read_text(node, "text", language))
                if stem:
                    findings.warn(
                        at(link_id),
                        "display item taken as the stem shown above the items",
                    )
            continue
        question = Question(node, link_id, kind)
        if extensions(node, CALCULATED):
            calculated.append(question)
            continue
        if node.get("enableWhen"):
            findings.warn(
                at(link_id), "enableWhen is not kept: Tether asks the item every time"
            )
        if node.get("repeats") is True:
            findings.refuse(
                at(link_id),
                f"type {kind} with repeats: more than one answer cannot be scored",
            )
            continue
        read_answers(question, document, language, findings)
        questions.append(question)
    for link_id, count in sorted(link_ids.items()):
        if count > 1:
            findings.refuse(
                at(link_id), f"names {count} items; a linkId must be unique"
            )
    return stem, questions, calculated


# --- calculated items, and items asked but not scored ----------------------


def _scales(
    calculated: list[Question],
    scored: list[Question],
    variables: Mapping[str, str],
    language: str,
    findings: Findings,
) -> list[_Scale]:
    """A scale for each calculated item that adds up (or averages) scored
    items; every other calculated item is left out with its reason."""
    scored_ids = {q.link_id for q in scored}
    scales = []
    for q in calculated:
        expression = extensions(q.node, CALCULATED)[0].get("valueExpression")
        text = expression.get("expression") if isinstance(expression, dict) else None
        if q.kind not in NUMBER_TYPES:
            findings.warn(
                q.where, f"calculated item of type {q.kind} is not a score; left out"
            )
            continue
        if not isinstance(text, str):
            findings.warn(
                q.where, "calculated item without a FHIRPath expression; left out"
            )
            continue
        calculation = read_calculation(text, variables)
        if calculation.method is None:
            findings.warn(q.where, f"calculated item left out: {calculation.reason}")
            continue
        unknown = [i for i in calculation.link_ids if i not in scored_ids]
        if unknown:
            findings.warn(
                q.where,
                f"calculated item left out: it counts {', '.join(unknown)}, "
                "which are not scored items of this Questionnaire",
            )
            continue
        findings.warn(
            q.where,
            f"calculated item read as the {calculation.method} of the scores of "
            f"{len(calculation.link_ids)} items ({', '.join(calculation.link_ids)}); "
            "Tether computes it itself, the expression was not run",
        )
        scales.append(
            _Scale(
                "",
                dict(read_text(q.node, "text", language)) or {"en": "Total"},
                list(calculation.link_ids),
                calculation.method,
                q.loinc,
                q.link_id,
                calculation.missing_as_zero,
            )
        )
    return scales


def _unscored(
    unscored: list[Question], scales: list[_Scale], findings: Findings
) -> None:
    """A choice item without scores is asked but not scored where LOINC says
    so or no calculated score counts it; otherwise it is refused."""
    counted = {i for scale in scales for i in scale.items}
    for q in unscored:
        if findings.refused(q.where):
            continue
        if q.loinc in UNSCORED_LOINC:
            findings.warn(q.where, f"left out: {UNSCORED_LOINC[q.loinc]}")
        elif scales and q.link_id not in counted:
            findings.warn(
                q.where,
                "left out: its answers carry no score and no calculated score counts it "
                "(asked, not scored)",
            )
        elif q.kind in CHOICE_TYPES:
            findings.refuse(
                q.where,
                f"type {q.kind} whose answers carry no score (ordinalValue or itemWeight) "
                "cannot be scored",
            )


def _name_scales(scales: list[_Scale]) -> None:
    """Scale ids: Tether's own (`scale-<id>` linkIds), `total` for a lone
    scale, else from the linkId."""
    taken: set[str] = set()
    for scale in scales:
        candidates = []
        if scale.source.startswith(SCALE_LINK_PREFIX):
            candidates.append(scale.source[len(SCALE_LINK_PREFIX) :])
        if len(scales) == 1:
            candidates.append("total")
        candidates.append(_kebab(scale.source) or "total")
        name = next((c for c in candidates if KEBAB.match(c) and c not in taken), "")
        count = 2
        while not name or name in taken:
            name, count = f"scale-{count}", count + 1
        scale.id = name
        taken.add(name)


# --- the definition --------------------------------------------------------


def _own_id(document: Mapping[str, Any]) -> str | None:
    """The instrument id of Tether's own export (its identifier)."""
    for identifier in listed(document, "identifier"):
        if identifier.get("system") == INSTRUMENT_SYSTEM:
            value = str(identifier.get("value", ""))
            if KEBAB.match(value):
                return value
    return None


def _identity(
    document: Mapping[str, Any], instrument_id: str | None, findings: Findings
) -> tuple[str, str]:
    version = str(document.get("version") or "")
    if not version:
        version = "1.0"
        findings.warn(QUESTIONNAIRE, "has no version; 1.0 used")
    ident = instrument_id or _own_id(document)
    if ident:
        return ident, version
    for candidate in (document.get("name"), document.get("title"), document.get("id")):
        ident = _kebab(str(candidate or ""))
        if ident:
            findings.warn(
                QUESTIONNAIRE,
                f"instrument id {ident!r} made from its name; choose another with --id",
            )
            return ident, version
    findings.warn(
        QUESTIONNAIRE,
        "has no name; instrument id 'imported' used (choose one with --id)",
    )
    return "imported", version


def _definition_data(
    document: Mapping[str, Any],
    ident: str,
    version: str,
    language: str,
    stem: dict[str, str],
    scored: list[Question],
    answers: list[dict[str, Any]] | dict[str, int | float],
    scales: list[_Scale],
    findings: Findings,
) -> dict[str, Any]:
    title = dict(read_text(document, "title", language))
    if not title:
        title = {language: str(document.get("name") or ident)}
        findings.warn(QUESTIONNAIRE, f"has no title; {title[language]!r} used")
    items = [_item_data(q, language, findings) for q in scored]
    with_text = [item for item in items if item.get("text")]
    bundled = bool(with_text)
    if bundled and len(with_text) < len(items):
        problems = [
            f"{q.where}: has no text while other items have; give every item its text"
            for q, item in zip(scored, items, strict=True)
            if not item.get("text")
        ]
        raise findings.error(problems)
    labels = [o["label"] for o in answers] if isinstance(answers, list) else []
    languages = (
        _common_languages([i["text"] for i in with_text] + labels + [title], language)
        if bundled
        else []
    )
    for item in items:
        if bundled:
            item.pop("content", None)
            item["text"] = _in_languages(item["text"], languages)
        elif not item.get("content"):
            item["content"] = f"item {item['id']}"
            findings.warn(
                at(item["id"]),
                "has no text and no paraphrase; its content is its linkId",
            )
    if isinstance(answers, list):
        for option in answers:
            option["label"] = _in_languages(option["label"], languages)
    data: dict[str, Any] = {
        "id": ident,
        "version": version,
        "title": _in_languages(title, languages),
        "citation": "",
        "licence": {},
        "validated": False,
        "role": "symptom",
        "respondents": ["client"],
        "languages": languages,
    }
    codes = {"panel": loinc_code(document)} | {s.id: s.loinc for s in scales}
    if any(codes.values()):
        data["loinc"] = {name: code for name, code in codes.items() if code}
    if bundled and stem:
        data["stem"] = _in_languages(stem, languages)
    data["response"] = (
        {"options": answers} if isinstance(answers, list) else {"range": answers}
    )
    data["items"] = items
    data["scales"] = [
        {
            "id": scale.id,
            "label": scale.label,
            "items": scale.items,
            "method": scale.method,
            "min_answered": len(scale.items),
            "missing_rule_source": "[P] imported from FHIR: every item must be answered",
            "higher_is_better": False,
        }
        for scale in scales
    ]
    return data


def _item_data(q: Question, language: str, findings: Findings) -> dict[str, Any]:
    item: dict[str, Any] = {"id": q.link_id}
    text = dict(read_text(q.node, "text", language))
    if text:
        item["text"] = text
    content = [e.get("valueString") for e in extensions(q.node, ITEM_CONTENT)]
    if content and isinstance(content[0], str):
        item["content"] = content[0]
    if q.reverse:
        item["reverse"] = True
        findings.warn(q.where, "its scores run the other way: a reversed item")
    if q.loinc:
        item["loinc"] = q.loinc
    return item


def _defaults(
    document: Mapping[str, Any], data: dict[str, Any], file: str, findings: Findings
) -> None:
    """What a Questionnaire of no instrument Tether knows gets, each said."""
    copyright_text = str(document.get("copyright") or "").strip()
    described = str(document.get("description") or document.get("publisher") or "")
    named = document.get("url") or document.get("id") or file
    data["citation"] = described.strip() or f"FHIR Questionnaire {named}"
    data["licence"] = {
        "class": "permission_required",
        "text_bundled": bool(data["languages"]),
        "note": copyright_text or "Unknown: the Questionnaire states no copyright.",
    }
    findings.warn(
        QUESTIONNAIRE,
        "FHIR has no licence class: set to permission_required"
        + ("" if copyright_text else " (no copyright given)")
        + "; check the instrument's licence before use",
    )
    findings.warn(
        QUESTIONNAIRE,
        "not an instrument Tether knows: role symptom, respondents client, "
        "higher scores worse, not marked validated, every item needed for a score, "
        "no risk item (a Questionnaire has no notion of one) — check each",
    )


def _missing_rule(
    data: Mapping[str, Any], scales: list[_Scale], findings: Findings
) -> None:
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
        findings.warn(
            at(scale.source),
            "the calculated score counts an unanswered item as 0; Tether scores "
            f"{scale.id} with {rule}",
        )


def _kebab(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60].strip("-")


def _common_languages(texts: list[dict[str, str]], base: str) -> list[str]:
    """The languages every text has, the base language first."""
    common = set(texts[0]) if texts else {base}
    for text in texts[1:]:
        common &= set(text)
    return sorted(common, key=lambda lang: (lang != base, lang)) or [base]


def _in_languages(text: Mapping[str, str], languages: list[str]) -> dict[str, str]:
    """The text in the kept languages only (all of it where none is kept)."""
    kept = {k: v for k, v in text.items() if k in languages}
    return kept or dict(text)
