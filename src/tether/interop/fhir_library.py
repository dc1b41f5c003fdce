"""What an imported Questionnaire takes from an instrument Tether already has
(docs/interop.md §Import).

A Questionnaire has no notion of a risk item, an interpretation band, a
cutoff or a change threshold. Where it is an instrument of the library —
Tether's own export of it (its `urn:tether:instrument` identifier and
version), or items carrying the same LOINC codes as that instrument's items —
and its answers score exactly as that instrument's do, those rules are taken
from the library definition, and a warning says which. Where the codes match
but the scores do not, nothing is taken: the rules were made for the other
scoring.

Tether's own score is also checked against a calculated score that carries a
LOINC code of a library instrument's scale (LHC-Forms' PHQ-9 total, 44261-6):
the same items, the same range, or a warning saying how they differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tether.instruments import Definition, Scale
from tether.instruments.model import CASE_KINDS

from .fhir_answers import Question
from .fhir_base import number
from .fhir_findings import QUESTIONNAIRE, Findings, at


def take_from_library(
    data: dict[str, Any],
    scored: Sequence[Question],
    library: Iterable[Definition],
    own_id: str | None,
    findings: Findings,
) -> str | None:
    """Complete the definition data with the rules of the library instrument
    it is (risk items, alliance facets, the scales' missing-item rule,
    direction, bands, cutoff and change norms; role, respondents, licence,
    citation); the key of that instrument, or None."""
    library = tuple(library)
    match = _match(data, scored, library, own_id)
    if match is None:
        return None
    definition, by_item, how = match
    differs = _scoring_differs(data, definition, by_item)
    if differs:
        findings.warn(
            QUESTIONNAIRE,
            f"its items {how} {definition.key}, but {differs}: risk items, bands and "
            f"cutoffs are not taken from {definition.key}; add `risk:` by hand where "
            "an item is a risk item",
        )
        return None
    risk = _take_item_rules(data, definition, by_item)
    taken = [
        f"risk item {', '.join(risk)}" if risk else "no risk item (it has none)",
        "role",
        "respondents",
        "licence",
        "citation",
    ]
    for scale_data in data["scales"]:
        theirs = _same_scale(scale_data, definition, by_item)
        if theirs is None:
            continue
        scale_data.update(_scale_rules(theirs))
        if theirs.bands or theirs.cutoff:
            taken.append(f"the {scale_data['id']} scale's bands and cutoff")
    _take_instrument_rules(data, definition)
    findings.warn(
        QUESTIONNAIRE,
        f"its items {how} {definition.key} and score the same: "
        f"{', '.join(taken)} taken from {definition.key}",
    )
    return definition.key


def _match(
    data: Mapping[str, Any],
    scored: Sequence[Question],
    library: tuple[Definition, ...],
    own_id: str | None,
) -> tuple[Definition, dict[str, str], str] | None:
    """The library definition this Questionnaire is, with its item ids by
    linkId."""
    link_ids = sorted(q.link_id for q in scored)
    for definition in library:
        if (definition.id, definition.version) == (own_id, data["version"]) and sorted(
            definition.item_ids
        ) == link_ids:
            return definition, {i: i for i in link_ids}, "are the items of"
    codes = {q.loinc: q.link_id for q in scored if q.loinc}
    if len(codes) != len(scored):
        return None
    for definition in library:
        theirs = {item.loinc: item.id for item in definition.items if item.loinc}
        if len(theirs) == len(definition.items) and set(theirs) == set(codes):
            return (
                definition,
                {codes[code]: theirs[code] for code in codes},
                "carry the LOINC codes of the items of",
            )
    return None


def _scoring_differs(
    data: Mapping[str, Any], definition: Definition, by_item: Mapping[str, str]
) -> str:
    """Why the imported answers do not score as the library definition's;
    empty when they score the same."""
    response = data["response"]
    if "range" in response:
        r = definition.value_range
        mine = response["range"]
        if r is None or (r.minimum, r.maximum, r.step) != (
            mine["min"],
            mine["max"],
            mine["step"],
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
    turned = [
        item["id"]
        for item in data["items"]
        if bool(item.get("reverse")) != definition.item(by_item[item["id"]]).reverse
    ]
    if turned:
        return f"items {', '.join(turned)} are reversed differently"
    return ""


def _take_item_rules(
    data: dict[str, Any], definition: Definition, by_item: Mapping[str, str]
) -> list[str]:
    """Each item's risk trigger, alliance facet, case kinds and target; the
    risk items taken, as words."""
    risk = []
    for item in data["items"]:
        theirs = definition.item(by_item[item["id"]])
        if theirs.risk is not None:
            item["risk"] = {
                "at_or_above": number(theirs.risk.at_or_above),
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
    return risk


def _take_instrument_rules(data: dict[str, Any], definition: Definition) -> None:
    data["role"] = definition.role
    data["respondents"] = list(definition.respondents)
    data["citation"] = definition.citation
    data["validated"] = definition.validated
    data["key_verified"] = definition.key_verified
    data["licence"] = {
        "class": definition.licence.klass,
        "text_bundled": bool(data["languages"]),
        "note": definition.licence.note,
    }
    if definition.allow_skip and any(
        s["min_answered"] < len(s["items"]) for s in data["scales"]
    ):
        data["allow_skip"] = True
    ages = {"min": definition.age_min, "max": definition.age_max}
    if any(v is not None for v in ages.values()):
        data["ages"] = {k: v for k, v in ages.items() if v is not None}
    if definition.recall:
        data["recall"] = dict(definition.recall)
    if definition.trauma_content:
        data["trauma_content"] = True


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
    """What a library scale knows beyond its items, as definition-file fields."""
    rules: dict[str, Any] = {
        "label": dict(scale.label),
        "min_answered": scale.min_answered,
        "missing_rule_source": scale.missing_rule_source
        or "taken from the library definition",
        "higher_is_better": scale.higher_is_better,
    }
    if scale.bands:
        rules["bands"] = [
            {"from": number(b.lower), "label": dict(b.label)} for b in scale.bands
        ]
        rules["bands_source"] = scale.bands_source
    if scale.cutoff is not None:
        c = scale.cutoff
        rules["cutoff"] = {
            "value": number(c.value),
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
            out[f"{kind}_change_points"] = number(points)
            label = getattr(change, f"{kind}_change_label")
            if label:
                out[f"{kind}_change_label"] = label
    if change.recovery is not None:
        r = change.recovery
        end = "at_or_below" if r.inclusive else "below"
        recovery: dict[str, Any] = {end: number(r.value)}
        if r.caseness is not None:
            recovery["caseness"] = number(r.caseness)
        if r.paired_with:
            recovery["paired_with"] = r.paired_with
        recovery["source"] = r.source
        out["recovery"] = recovery
    out["source"] = change.source
    return out


def check_calculated_scores(
    data: Mapping[str, Any],
    calculated: Sequence[tuple[str, str | None]],
    scored: Sequence[Question],
    library: Iterable[Definition],
    findings: Findings,
) -> None:
    """Tether's own score against each calculated one that carries the LOINC
    code of a library instrument's scale: the items it counts (by their LOINC
    codes), how, and the range Tether's score takes. `calculated` gives, for
    each scale of `data`, the calculated item's linkId and LOINC code ("" and
    None for a total Tether made)."""
    loinc_of = {q.link_id: q.loinc for q in scored}
    library = tuple(library)
    for (source, code), scale_data in zip(calculated, data["scales"], strict=True):
        if not source or not code:
            continue
        found = _scale_coded(library, code)
        if found is None:
            continue
        definition, theirs = found
        what = f"carries LOINC {code}, the code of {definition.key}'s {theirs.id}"
        ours_codes = {loinc_of.get(i) for i in scale_data["items"]}
        their_codes = {definition.item(i).loinc for i in theirs.items}
        if ours_codes != their_codes or scale_data["method"] != theirs.method:
            left_out = sorted(c for c in their_codes - ours_codes if c)
            findings.warn(
                at(source),
                f"{what}, but counts other items ({len(scale_data['items'])} where "
                f"{definition.key} counts {len(theirs.items)}"
                + (f"; not {', '.join(left_out)}" if left_out else "")
                + f"): Tether scores it as the Questionnaire says, not as {definition.key}",
            )
            continue
        low, high = _bounds(data, scale_data)
        their_low, their_high = definition.scale_bounds(theirs)
        verdict = (
            "they agree"
            if (low, high) == (their_low, their_high)
            else "they differ, check the answer scores"
        )
        findings.warn(
            at(source),
            f"{what}: the same {len(theirs.items)} items, {theirs.method}; "
            f"Tether's {scale_data['id']} runs {low:g}-{high:g}, {definition.key}'s "
            f"{their_low:g}-{their_high:g}: {verdict}",
        )


def _scale_coded(
    library: tuple[Definition, ...], code: str
) -> tuple[Definition, Scale] | None:
    for definition in library:
        names = [n for n, c in definition.loinc.items() if c == code]
        for scale in definition.scales:
            if scale.id in names:
                return definition, scale
    return None


def _bounds(
    data: Mapping[str, Any], scale_data: Mapping[str, Any]
) -> tuple[float, float]:
    """The range a scale of the definition data takes."""
    response = data["response"]
    if "range" in response:
        low = float(response["range"]["min"])
        high = float(response["range"]["max"])
    else:
        scores = [float(o.get("score", o["value"])) for o in response["options"]]
        low, high = min(scores), max(scores)
    if scale_data["method"] == "mean":
        return low, high
    n = len(scale_data["items"])
    return low * n, high * n
