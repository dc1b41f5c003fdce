"""An instrument definition as plain data in the shape of its YAML file
(docs/instrument-format.md): the reverse of `tether.instruments.loader`.

Exports carry parts of it (a REDCap dictionary's field annotations, the
research codebook), and an importer rebuilds a definition from such parts
through `parse_definition`, which checks every field. Item text, variants,
stem and instructions are included only with `with_text` (the caller decides
what the instrument's licence allows), and then only in `languages`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tether.instruments import Definition, Item, Option, Recovery, Scale
from tether.instruments.model import (
    CASE_KINDS,
    Band,
    ChangeNorms,
    Cutoff,
    Text,
    ValueRange,
)

Data = dict[str, Any]


def number(value: float) -> int | float:
    """A whole number as an int (2, not 2.0), as the definition files write it."""
    return int(value) if float(value).is_integer() else float(value)


def text_data(text: Text, languages: Iterable[str] | None = None) -> dict[str, str]:
    """Text per language; only `languages` when given."""
    wanted = None if languages is None else set(languages)
    return {
        language: words
        for language, words in text.items()
        if wanted is None or language in wanted
    }


def option_data(option: Option) -> Data:
    data: Data = {"value": number(option.value), "label": text_data(option.label)}
    if option.score != option.value:
        data["score"] = number(option.score)
    if option.picture is not None:
        data["picture"] = option.picture
    if option.loinc is not None:
        data["loinc"] = option.loinc
    return data


def range_data(value_range: ValueRange) -> Data:
    return {
        "min": number(value_range.minimum),
        "max": number(value_range.maximum),
        "step": number(value_range.step),
    }


def item_data(
    item: Item, with_text: bool, languages: Iterable[str] | None = None
) -> Data:
    """One item; its text and variants only `with_text`."""
    data: Data = {"id": item.id}
    languages = None if languages is None else tuple(languages)
    if with_text and item.text:
        data["text"] = text_data(item.text, languages)
    if item.content is not None:
        data["content"] = item.content
    if item.reverse:
        data["reverse"] = True
    if item.loinc is not None:
        data["loinc"] = item.loinc
    if item.risk is not None:
        data["risk"] = {
            "at_or_above": number(item.risk.at_or_above),
            "label": text_data(item.risk.label),
        }
    if item.alliance is not None:
        data["alliance"] = {
            "level": item.alliance.level,
            "dimension": item.alliance.dimension,
        }
    if tuple(item.applies_to) != CASE_KINDS:
        data["applies_to"] = list(item.applies_to)
    if item.target is not None:
        data["target"] = item.target
    if with_text and item.variants:
        data["text_for"] = {
            kind: text_data(variant, languages)
            for kind, variant in item.variants.items()
        }
    return data


def band_data(band: Band) -> Data:
    return {"from": number(band.lower), "label": text_data(band.label)}


def cutoff_data(cutoff: Cutoff) -> Data:
    return {
        "value": number(cutoff.value),
        "direction": cutoff.direction,
        "label": text_data(cutoff.label),
        "source": cutoff.source,
    }


def recovery_data(recovery: Recovery) -> Data:
    data: Data = {
        ("at_or_below" if recovery.inclusive else "below"): number(recovery.value)
    }
    if recovery.caseness is not None:
        data["caseness"] = number(recovery.caseness)
    if recovery.paired_with is not None:
        data["paired_with"] = recovery.paired_with
    data["source"] = recovery.source
    return data


def change_data(change: ChangeNorms) -> Data:
    data: Data = {}
    if change.reliability is not None:
        data["reliability"] = number(change.reliability)
    if change.sd is not None:
        data["sd"] = number(change.sd)
    for kind in ("reliable", "meaningful", "possible"):
        points = getattr(change, f"{kind}_change_points")
        label = getattr(change, f"{kind}_change_label")
        if points is not None:
            data[f"{kind}_change_points"] = number(points)
        if label:
            data[f"{kind}_change_label"] = label
    if change.recovery is not None:
        data["recovery"] = recovery_data(change.recovery)
    data["source"] = change.source
    return data


def scale_rules(scale: Scale) -> Data:
    """What a scale says beyond its items and method: direction, missing-answer
    rule source, bands, cutoff and change norms (a REDCap calculation carries
    the rest)."""
    data: Data = {"higher_is_better": scale.higher_is_better}
    if scale.missing_rule_source:
        data["missing_rule_source"] = scale.missing_rule_source
    if scale.bands:
        data["bands"] = [band_data(band) for band in scale.bands]
        data["bands_source"] = scale.bands_source
    if scale.cutoff is not None:
        data["cutoff"] = cutoff_data(scale.cutoff)
    if scale.change is not None:
        data["change"] = change_data(scale.change)
    return data


def scale_data(scale: Scale) -> Data:
    return {
        "id": scale.id,
        "label": text_data(scale.label),
        "items": list(scale.items),
        "method": scale.method,
        "min_answered": scale.min_answered,
        **scale_rules(scale),
    }


def about_data(definition: Definition) -> Data:
    """The instrument's own fields that are neither items, answers nor scales
    and no instrument text: citation, licence, role, respondents, ages, codes
    and the flags."""
    d = definition
    data: Data = {
        "short_title": d.short_title,
        "citation": d.citation,
        "licence": {
            "class": d.licence.klass,
            "text_bundled": d.licence.text_bundled,
            "note": d.licence.note,
        },
        "validated": d.validated,
        "key_verified": d.key_verified,
        "role": d.role,
        "respondents": list(d.respondents),
        "trauma_content": d.trauma_content,
        "allow_skip": d.allow_skip,
    }
    if d.default:
        data["default"] = True
    if d.superseded_by is not None:
        data["superseded_by"] = d.superseded_by
    ages = {
        key: value
        for key, value in (("min", d.age_min), ("max", d.age_max))
        if value is not None
    }
    if ages:
        data["ages"] = ages
    if d.recall:
        data["recall"] = text_data(d.recall)
    if d.loinc:
        data["loinc"] = dict(d.loinc)
    return data


def instrument_text(
    definition: Definition, languages: Iterable[str] | None = None
) -> Data:
    """The instrument's own words beyond its items: instructions, stem and the
    title its members read."""
    languages = None if languages is None else tuple(languages)
    data: Data = {}
    for name in ("instructions", "stem", "member_title"):
        text = getattr(definition, name)
        if text:
            data[name] = text_data(text, languages)
    return data


def definition_data(definition: Definition, with_text: bool | None = None) -> Data:
    """The whole definition in the shape of its file. `with_text` (by default:
    whether the licence bundles the text) decides whether item text, stem and
    instructions are included; without them the file lists no languages."""
    d = definition
    text = d.licence.text_bundled if with_text is None else with_text
    response: Data = (
        {"range": range_data(d.value_range)}
        if d.value_range is not None
        else {"options": [option_data(option) for option in d.options]}
    )
    data: Data = {
        "id": d.id,
        "version": d.version,
        "title": text_data(d.title),
        **about_data(d),
        "languages": list(d.languages) if text else [],
        **(instrument_text(d) if text else {}),
        "response": response,
        "items": [item_data(item, text) for item in d.items],
        "scales": [scale_data(scale) for scale in d.scales],
    }
    return data
