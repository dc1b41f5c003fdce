"""An instrument definition as a FHIR R4 Questionnaire (docs/interop.md
§Questionnaire).

- Each item is a `choice` item whose answerOptions carry the answer's score in
  the R4 `ordinalValue` extension (on the answerOption, where the extension
  registry says it goes in questionnaires); a reversed item carries its
  reversed scores, so a renderer that sums ordinal values scores it right.
  A range instrument (SRS, ORS) has `decimal` (or `integer`) items with
  `minValue`, `maxValue` and their step.
- LOINC codes where the definition has them: the panel as the
  Questionnaire's code, each item's and each answer's code, each scale's.
- Each scale is a hidden, read-only calculated item (SDC
  `calculatedExpression`): the sum or mean of its items' scores, FHIRPath with
  SDC's `weight()` (http://hl7.org/fhir/uv/sdc/expressions.html).
- The licence note in `copyright`, the citation in `description`. Item text,
  the stem and the instructions only where the licence lets Tether bundle them
  (`licence.text_bundled`); otherwise each item carries its paraphrase in
  Tether's `item-content` extension. A site's licensed text pack is never
  exported.
- Every language of the definition: the base text in English where there is
  English, the others as translation extensions.

The result is validated against fhir.resources' R4B Questionnaire.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any

from tether.instruments import Definition, Item, Option, Scale, text_in

from .fhir_base import (
    CALCULATED,
    HIDDEN,
    INSTRUMENT_SYSTEM,
    ITEM_CONTENT,
    LOINC,
    MAX_DECIMAL_PLACES,
    MAX_VALUE,
    MIN_VALUE,
    ORDINAL_VALUE,
    SCALE_LINK_PREFIX,
    SLIDER_STEP,
    answer_system,
    base_language,
    check_r4b,
    code_text,
    number,
    questionnaire_url,
    text_element,
)

STEM_LINK_ID = "stem"


class NotExportable(ValueError):
    """The definition cannot be written as a Questionnaire; says why."""


def questionnaire(definition: Definition) -> dict[str, Any]:
    """The FHIR R4 Questionnaire of `definition`, as a JSON-ready dict."""
    if definition.text_source not in ("bundled", ""):
        raise NotExportable(
            f"{definition.key}: carries a site's licensed text ({definition.text_source}); "
            "export the definition without its text pack"
        )
    d = definition
    language = base_language(d.languages)
    bundled = d.licence.text_bundled
    document: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _resource_id(d),
        "url": questionnaire_url(d.id),
        "identifier": [{"system": INSTRUMENT_SYSTEM, "value": d.id}],
        "version": d.version,
        "name": _machine_name(d.short_title or d.id),
        **text_element("title", d.title, language),
        "status": "retired" if d.superseded_by else "active",
        "subjectType": ["Patient"],
        "description": d.citation,
        "copyright": d.licence.note,
        "language": language,
    }
    panel = d.loinc.get("panel")
    if panel:
        document["identifier"].append({"system": LOINC, "value": panel})
        document["code"] = [{"system": LOINC, "code": panel}]
    items: list[dict[str, Any]] = []
    if bundled and d.stem:
        items.append(
            {
                "linkId": STEM_LINK_ID,
                "type": "display",
                **text_element("text", d.stem, language),
            }
        )
    items += [_item(d, item, language, bundled) for item in d.items]
    items += [_scale_item(d, scale, language) for scale in d.scales]
    link_ids = [item["linkId"] for item in items]
    clashes = sorted({i for i in link_ids if link_ids.count(i) > 1})
    if clashes:
        raise NotExportable(
            f"{d.key}: linkIds {', '.join(clashes)} would name two items "
            f"(an item id is also a scale's {SCALE_LINK_PREFIX}<id> or {STEM_LINK_ID!r})"
        )
    document["item"] = items
    check_r4b(document)
    return document


def _resource_id(d: Definition) -> str:
    """A FHIR id ([A-Za-z0-9.-], at most 64): `phq-9-1.0`."""
    raw = f"{d.id}-{d.version}"
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in raw)[:64]


def _machine_name(short_title: str) -> str:
    """A computer-friendly name as Questionnaire.name asks (qne-0: an
    upper-case letter, then letters, digits and underscores): PHQ_9."""
    name = "".join(c if c.isascii() and c.isalnum() else "_" for c in short_title)
    if not name or not name[0].isalpha():
        name = f"Q{name}"
    return name[0].upper() + name[1:]


def _item(d: Definition, item: Item, language: str, bundled: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"linkId": item.id}
    if item.loinc:
        out["code"] = [{"system": LOINC, "code": item.loinc}]
    if bundled:
        out.update(text_element("text", item.text, language))
    elif item.content:
        out["extension"] = [{"url": ITEM_CONTENT, "valueString": item.content}]
    out["required"] = not d.allow_skip
    if d.value_range is None:
        out["type"] = "choice"
        out["answerOption"] = [_option(d, item, o, language) for o in d.options]
    else:
        kind, extensions = _range(d)
        out["type"] = kind
        out["extension"] = [*out.get("extension", []), *extensions]
    return out


def answer_coding(d: Definition, option: Option) -> dict[str, Any]:
    """How an answer is coded in the Questionnaire and in every response: its
    LOINC answer code where it has one, else Tether's code, the stored value."""
    if option.loinc:
        return {"system": LOINC, "code": option.loinc}
    return {"system": answer_system(d.id), "code": code_text(option.value)}


def range_type(d: Definition) -> str:
    """The FHIR type of a range instrument's items: integer where the range
    and its step are whole numbers, else decimal."""
    r = d.value_range
    assert r is not None
    whole = all(float(v).is_integer() for v in (r.minimum, r.maximum, r.step))
    return "integer" if whole else "decimal"


def _option(d: Definition, item: Item, option: Option, language: str) -> dict[str, Any]:
    coding = answer_coding(d, option)
    coding.update(text_element("display", option.label, language))
    return {
        "valueCoding": coding,
        "extension": [
            {"url": ORDINAL_VALUE, "valueDecimal": number(_scored(d, item, option))}
        ],
    }


def _scored(d: Definition, item: Item, option: Option) -> float:
    """The option's score on this item: reversed items score min + max - score
    (scoring/engine.item_scores)."""
    if not item.reverse:
        return option.score
    low, high = d.score_bounds
    return low + high - option.score


def _range(d: Definition) -> tuple[str, list[dict[str, Any]]]:
    r = d.value_range
    assert r is not None
    kind = range_type(d)
    whole = kind == "integer"
    value_key = "valueInteger" if whole else "valueDecimal"
    extensions: list[dict[str, Any]] = [
        {"url": MIN_VALUE, value_key: number(r.minimum)},
        {"url": MAX_VALUE, value_key: number(r.maximum)},
    ]
    if whole:
        if r.step != 1:
            extensions.append({"url": SLIDER_STEP, "valueInteger": int(r.step)})
    else:
        places = -math.log10(r.step)
        if not places.is_integer() or places < 1:
            raise NotExportable(
                f"{d.key}: a step of {r.step:g} has no FHIR form "
                "(a whole number, or 0.1, 0.01, …)"
            )
        extensions.append({"url": MAX_DECIMAL_PLACES, "valueInteger": int(places)})
    return kind, extensions


def _scale_item(d: Definition, scale: Scale, language: str) -> dict[str, Any]:
    label = scale.label or MappingProxyType({"en": scale.id})
    out: dict[str, Any] = {
        "linkId": f"{SCALE_LINK_PREFIX}{scale.id}",
        **text_element("text", label, language),
        "type": "decimal",
        "readOnly": True,
        "extension": [
            {
                "url": CALCULATED,
                "valueExpression": {
                    "description": f"{d.short_title} {text_in(label, 'en')}: "
                    f"{scale.method} of the items' scores",
                    "language": "text/fhirpath",
                    "expression": scale_expression(scale),
                },
            },
            {"url": HIDDEN, "valueBoolean": True},
        ],
    }
    code = d.loinc.get(scale.id)
    if code:
        out["code"] = [{"system": LOINC, "code": code}]
    return out


def scale_expression(scale: Scale) -> str:
    """FHIRPath for a scale: the sum (or mean) of its items' scores, read by
    SDC's `weight()` from the answers' ordinal values."""
    chosen = " or ".join(f"linkId = '{_quoted(item)}'" for item in scale.items)
    aggregate = "sum" if scale.method == "sum" else "avg"
    return f"%resource.repeat(item).where({chosen}).answer.weight().{aggregate}()"


def _quoted(text: str) -> str:
    """Text inside a FHIRPath string literal."""
    return text.replace("\\", "\\\\").replace("'", "\\'")
