"""Read and validate instrument definition files.

Every problem is reported as `file: field: reason`, all of them at once, so a
person fixing a definition sees the whole list (docs/instrument-format.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import yaml

from .model import (
    ALLIANCE_DIMENSIONS,
    ALLIANCE_LEVELS,
    CASE_KINDS,
    CUTOFF_DIRECTIONS,
    EMPTY_TEXT,
    LICENCE_CLASSES,
    METHODS,
    PICTURES,
    RESPONDENTS,
    ROLES,
    TARGETS,
    AllianceFacet,
    Band,
    ChangeNorms,
    Cutoff,
    Definition,
    Item,
    Licence,
    Option,
    Recovery,
    RiskTrigger,
    Scale,
    Text,
    ValueRange,
)

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")


class DefinitionError(ValueError):
    """A definition file is invalid; `problems` lists every `file: field: reason`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Reader:
    """Typed access to one YAML mapping that records problems instead of raising."""

    def __init__(self, file: str, data: Mapping[str, Any], path: str = "") -> None:
        self.file = file
        self.data = data
        self.path = path
        self.problems: list[str] = []
        self._seen: set[str] = set()

    def child(self, key: str | int, data: Mapping[str, Any]) -> _Reader:
        sub = _Reader(self.file, data, self._field(key))
        sub.problems = self.problems
        return sub

    def _field(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str | int, reason: str) -> None:
        self.problems.append(f"{self.file}: {self._field(key)}: {reason}")

    def get(self, key: str, kind: type | tuple[type, ...], required: bool) -> Any:
        self._seen.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                self.problem(key, "is required")
            return None
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            self.problem(key, f"must be {_kind_name(kinds)}, not {value!r}")
            return None
        if not isinstance(value, kinds):
            self.problem(key, f"must be {_kind_name(kinds)}, not {value!r}")
            return None
        return value

    def string(self, key: str, required: bool = True) -> str | None:
        value = self.get(key, (str, int, float), required)
        return None if value is None else str(value)

    def number(self, key: str, required: bool = True) -> float | None:
        value = self.get(key, (int, float), required)
        if value is not None and not math.isfinite(value):
            self.problem(key, f"must be a finite number, not {value!r}")
            return None
        return None if value is None else float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.get(key, bool, False)
        return default if value is None else bool(value)

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = True) -> str:
        value = self.string(key, required)
        if value is not None and value not in allowed:
            self.problem(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value or ""

    def choices(
        self, key: str, allowed: tuple[str, ...], required: bool
    ) -> tuple[str, ...]:
        values = self.get(key, list, required) or []
        for index, value in enumerate(values):
            if value not in allowed:
                self.problem(
                    f"{key}[{index}]", f"{value!r} is not one of {', '.join(allowed)}"
                )
        return tuple(str(v) for v in values)

    def text(self, key: str, required: bool = True) -> Text:
        value = self.get(key, dict, required)
        if value is None:
            return EMPTY_TEXT
        out = {}
        for language, words in value.items():
            if not isinstance(language, str) or not LANGUAGE.match(language):
                self.problem(
                    key, f"{language!r} is not a language code such as en or es"
                )
            elif not isinstance(words, str) or not words.strip():
                self.problem(f"{key}.{language}", "must be non-empty text")
            else:
                out[language] = words.strip()
        return MappingProxyType(out)

    def mappings(self, key: str, required: bool = True) -> Iterator[_Reader]:
        values = self.get(key, list, required) or []
        if required and key in self.data and not values:
            self.problem(key, "must not be empty")
        for index, value in enumerate(values):
            if isinstance(value, dict):
                yield self.child(f"{key}[{index}]", value)
            else:
                self.problem(f"{key}[{index}]", "must be a mapping")

    def mapping(self, key: str, required: bool) -> _Reader | None:
        value = self.get(key, dict, required)
        return None if value is None else self.child(key, value)

    def finish(self) -> None:
        """Report keys that no reader asked for: usually a typo in a field name."""
        for key in self.data:
            if key not in self._seen:
                self.problem(str(key), "is not a known field")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def load_definition(path: Path) -> Definition:
    """Load one definition file, raising DefinitionError with every problem."""
    file = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([f"{file}: (file): cannot be read: {error}"]) from error
    except yaml.YAMLError as error:
        raise DefinitionError(
            [f"{file}: (file): is not valid YAML: {error}"]
        ) from error
    if not isinstance(data, dict):
        raise DefinitionError([f"{file}: (file): must be a YAML mapping of fields"])
    return parse_definition(data, file, source_path=str(path))


def parse_definition(
    data: Mapping[str, Any], file: str, source_path: str = ""
) -> Definition:
    """Build a Definition from parsed YAML, validating every field."""
    r = _Reader(file, data)
    ident = r.string("id") or ""
    if ident and not KEBAB.match(ident):
        r.problem("id", f"{ident!r} must be kebab-case, e.g. pcl-5")
    version = r.string("version") or ""
    licence = _licence(r)
    options, value_range = _response(r)
    items = tuple(_item(sub) for sub in r.mappings("items"))
    item_ids = [item.id for item in items]
    for duplicate in sorted({i for i in item_ids if item_ids.count(i) > 1}):
        r.problem("items", f"item id {duplicate!r} appears more than once")
    scales = tuple(_scale(sub, item_ids) for sub in r.mappings("scales"))
    scale_ids = [scale.id for scale in scales]
    for duplicate in sorted({s for s in scale_ids if scale_ids.count(s) > 1}):
        r.problem("scales", f"scale id {duplicate!r} appears more than once")
    ages = r.mapping("ages", required=False)
    age_min = age_max = None
    if ages is not None:
        age_min = _whole(ages, "min")
        age_max = _whole(ages, "max")
        ages.finish()
    loinc = r.get("loinc", dict, False) or {}
    definition = Definition(
        id=ident,
        version=version,
        default=r.boolean("default", False),
        title=r.text("title"),
        member_title=r.text("member_title", required=False),
        short_title=r.string("short_title", required=False) or ident.upper(),
        citation=r.string("citation") or "",
        licence=licence,
        validated=r.boolean("validated", True),
        key_verified=r.boolean("key_verified", True),
        role=r.choice("role", ROLES),
        respondents=r.choices("respondents", RESPONDENTS, required=True),
        age_min=age_min,
        age_max=age_max,
        recall=r.text("recall", required=False),
        languages=tuple(r.get("languages", list, True) or ()),
        trauma_content=r.boolean("trauma_content", False),
        allow_skip=r.boolean("allow_skip", False),
        loinc=MappingProxyType({str(k): str(v) for k, v in loinc.items()}),
        instructions=r.text("instructions", required=False),
        stem=r.text("stem", required=False),
        options=options,
        value_range=value_range,
        items=items,
        scales=scales,
        source_path=source_path,
        text_source="bundled" if licence.text_bundled else "",
        superseded_by=r.string("superseded_by", required=False),
    )
    _check_consistency(r, definition)
    r.finish()
    if r.problems:
        raise DefinitionError(r.problems)
    return definition


def _whole(r: _Reader, key: str) -> int | None:
    value = r.number(key, required=False)
    if value is not None and not value.is_integer():
        r.problem(key, f"must be a whole number of years, not {value}")
    return None if value is None else int(value)


def _licence(r: _Reader) -> Licence:
    sub = r.mapping("licence", required=True)
    if sub is None:
        return Licence("", False, "")
    licence = Licence(
        klass=sub.choice("class", LICENCE_CLASSES),
        text_bundled=bool(sub.get("text_bundled", bool, True)),
        note=sub.string("note") or "",
    )
    sub.finish()
    return licence


def _response(r: _Reader) -> tuple[tuple[Option, ...], ValueRange | None]:
    sub = r.mapping("response", required=True)
    if sub is None:
        return (), None
    options = tuple(_option(o) for o in sub.mappings("options", required=False))
    value_range = None
    range_reader = sub.mapping("range", required=False)
    if range_reader is not None:
        value_range = _value_range(range_reader)
    if bool(options) == (value_range is not None):
        sub.problem("options", "give exactly one of options or range")
    values = [option.value for option in options]
    for duplicate in sorted({v for v in values if values.count(v) > 1}):
        sub.problem("options", f"value {duplicate:g} appears more than once")
    sub.finish()
    return options, value_range


def _option(r: _Reader) -> Option:
    value = r.number("value")
    score = r.number("score", required=False)
    option = Option(
        value=value if value is not None else math.nan,
        label=r.text("label"),
        score=score
        if score is not None
        else (value if value is not None else math.nan),
        picture=r.choice("picture", PICTURES, required=False) or None,
        loinc=r.string("loinc", required=False),
    )
    r.finish()
    return option


def _value_range(r: _Reader) -> ValueRange:
    low, high, step = r.number("min"), r.number("max"), r.number("step")
    r.finish()
    if low is None or high is None or step is None:
        return ValueRange(0.0, 0.0, 1.0)
    if high <= low:
        r.problem("max", f"must be greater than min ({low:g})")
    if step <= 0:
        r.problem("step", "must be greater than 0")
    return ValueRange(low, high, step)


def _item(r: _Reader) -> Item:
    ident = r.string("id") or ""
    risk = None
    risk_reader = r.mapping("risk", required=False)
    if risk_reader is not None:
        risk = RiskTrigger(
            at_or_above=risk_reader.number("at_or_above") or 0.0,
            label=risk_reader.text("label"),
        )
        risk_reader.finish()
    alliance = None
    alliance_reader = r.mapping("alliance", required=False)
    if alliance_reader is not None:
        alliance = AllianceFacet(
            level=alliance_reader.choice("level", ALLIANCE_LEVELS),
            dimension=alliance_reader.choice("dimension", ALLIANCE_DIMENSIONS),
        )
        alliance_reader.finish()
    applies_to = r.choices("applies_to", CASE_KINDS, required=False) or CASE_KINDS
    target = r.choice("target", TARGETS, required=False) or None
    variants = _variants(r, applies_to)
    item = Item(
        id=ident,
        text=r.text("text", required=False),
        content=r.string("content", required=False),
        reverse=r.boolean("reverse", False),
        loinc=r.string("loinc", required=False),
        risk=risk,
        alliance=alliance,
        applies_to=applies_to,
        target=target,
        variants=variants,
    )
    r.finish()
    return item


def _variants(r: _Reader, applies_to: tuple[str, ...]) -> MappingProxyType[str, Text]:
    """`text_for`: the item's wording in cases of one kind, e.g. "my partner"
    for "my family" in couple cases (docs/instrument-format.md)."""
    sub = r.mapping("text_for", required=False)
    if sub is None:
        return MappingProxyType({})
    variants = {}
    for kind in sub.data:
        if kind not in CASE_KINDS:
            sub.problem(str(kind), f"is not one of {', '.join(CASE_KINDS)}")
        elif kind not in applies_to:
            sub.problem(
                kind,
                f"the item is not asked in {kind} cases (applies_to: {', '.join(applies_to)})",
            )
        text = sub.text(str(kind))
        if text:
            variants[str(kind)] = text
    return MappingProxyType(variants)


def _scale(r: _Reader, item_ids: list[str]) -> Scale:
    ident = r.string("id") or ""
    if ident and not KEBAB.match(ident):
        r.problem("id", f"{ident!r} must be kebab-case, e.g. cluster-b")
    items = _scale_items(r, item_ids)
    min_answered = r.number("min_answered")
    if min_answered is not None and not (
        min_answered.is_integer() and 1 <= min_answered <= len(items)
    ):
        r.problem(
            "min_answered",
            f"must be a whole number from 1 to {len(items)}, not {min_answered:g}",
        )
    bands = tuple(_band(sub) for sub in r.mappings("bands", required=False))
    lowers = [band.lower for band in bands]
    if lowers != sorted(lowers) or len(set(lowers)) != len(lowers):
        r.problem("bands", "must be in increasing order of `from`")
    cutoff_reader = r.mapping("cutoff", required=False)
    change_reader = r.mapping("change", required=False)
    scale = Scale(
        id=ident,
        label=r.text("label"),
        items=items,
        method=cast("Any", r.choice("method", METHODS)),
        min_answered=int(min_answered or 1),
        missing_rule_source=r.string("missing_rule_source", required=False) or "",
        higher_is_better=bool(r.get("higher_is_better", bool, True)),
        bands=bands,
        bands_source=r.string("bands_source", required=bool(bands)) or "",
        cutoff=None if cutoff_reader is None else _cutoff(cutoff_reader),
        change=None if change_reader is None else _change(change_reader),
    )
    if scale.higher_is_better and scale.change and scale.change.recovery:
        r.problem("change.recovery", "is for scales where lower is better")
    r.finish()
    return scale


def _scale_items(r: _Reader, item_ids: list[str]) -> tuple[str, ...]:
    value = r.get("items", (str, list), True)
    if value is None:
        return ()
    if isinstance(value, str):
        if value != "all":
            r.problem("items", f"must be 'all' or a list of item ids, not {value!r}")
            return ()
        return tuple(item_ids)
    items = tuple(str(v) for v in value)
    for item in items:
        if item not in item_ids:
            r.problem("items", f"item {item!r} is not an item of this instrument")
    if not items:
        r.problem("items", "must not be empty")
    return items


def _band(r: _Reader) -> Band:
    band = Band(lower=r.number("from") or 0.0, label=r.text("label"))
    r.finish()
    return band


def _cutoff(r: _Reader) -> Cutoff:
    cutoff = Cutoff(
        value=r.number("value") or 0.0,
        direction=cast("Any", r.choice("direction", CUTOFF_DIRECTIONS)),
        label=r.text("label"),
        source=r.string("source") or "",
    )
    r.finish()
    return cutoff


def _change(r: _Reader) -> ChangeNorms:
    reliability = r.number("reliability", required=False)
    if reliability is not None and not 0 <= reliability < 1:
        r.problem("reliability", f"must be at least 0 and below 1, not {reliability:g}")
    sd = r.number("sd", required=False)
    if sd is not None and sd <= 0:
        r.problem("sd", f"must be greater than 0, not {sd:g}")
    points = {
        kind: _change_points(r, kind) for kind in ("reliable", "meaningful", "possible")
    }
    recovery_reader = r.mapping("recovery", required=False)
    change = ChangeNorms(
        source=r.string("source") or "",
        reliability=reliability,
        sd=sd,
        reliable_change_points=points["reliable"][0],
        reliable_change_label=points["reliable"][1],
        meaningful_change_points=points["meaningful"][0],
        meaningful_change_label=points["meaningful"][1],
        possible_change_points=points["possible"][0],
        possible_change_label=points["possible"][1],
        recovery=None if recovery_reader is None else _recovery(recovery_reader),
    )
    given = [p for p, _ in points.values() if p is not None]
    if any(larger <= smaller for larger, smaller in pairwise(given)):
        r.problem(
            "meaningful_change_points",
            "must lie between possible_change_points and reliable_change_points",
        )
    r.finish()
    return change


def _change_points(r: _Reader, kind: str) -> tuple[float | None, str]:
    """`<kind>_change_points` (> 0) and its cited label, required with it."""
    points = r.number(f"{kind}_change_points", required=False)
    label = r.string(f"{kind}_change_label", required=False) or ""
    if points is not None and points <= 0:
        r.problem(f"{kind}_change_points", f"must be greater than 0, not {points:g}")
    if kind != "reliable" and (points is None) != (not label):
        r.problem(f"{kind}_change_label", f"goes with {kind}_change_points")
    return points, label


def _recovery(r: _Reader) -> Recovery:
    below = r.number("below", required=False)
    at_or_below = r.number("at_or_below", required=False)
    if (below is None) == (at_or_below is None):
        r.problem("below", "give exactly one of below or at_or_below")
    paired = r.string("paired_with", required=False)
    if paired is not None and not KEBAB.match(paired):
        r.problem("paired_with", f"{paired!r} must be an instrument id, e.g. gad-7")
    recovery = Recovery(
        value=at_or_below if at_or_below is not None else below or 0.0,
        inclusive=at_or_below is not None,
        source=r.string("source") or "",
        caseness=r.number("caseness", required=False),
        paired_with=paired,
    )
    r.finish()
    return recovery


def _check_consistency(r: _Reader, d: Definition) -> None:
    """Cross-field rules: text vs licence, languages, risk triggers, bounds."""
    for index, language in enumerate(d.languages):
        if not isinstance(language, str) or not LANGUAGE.match(language):
            r.problem(f"languages[{index}]", f"{language!r} is not a language code")
    for index, item in enumerate(d.items):
        field = f"items[{index}]"
        if d.licence.text_bundled:
            missing = [lang for lang in d.languages if lang not in item.text]
            if missing:
                r.problem(f"{field}.text", f"has no text in {', '.join(missing)}")
        elif item.text:
            r.problem(
                f"{field}.text",
                "licence.text_bundled is false, so no item text may be bundled",
            )
        elif not item.content:
            r.problem(
                f"{field}.content", "is required when the item text is not bundled"
            )
        for kind, variant in item.variants.items():
            if not d.licence.text_bundled:
                r.problem(
                    f"{field}.text_for.{kind}",
                    "licence.text_bundled is false, so no item text may be bundled",
                )
                continue
            missing = [lang for lang in d.languages if lang not in variant]
            if missing:
                r.problem(
                    f"{field}.text_for.{kind}", f"has no text in {', '.join(missing)}"
                )
        if item.risk is not None and not _is_possible(d, item.risk.at_or_above):
            r.problem(
                f"{field}.risk.at_or_above",
                f"{item.risk.at_or_above:g} is not an answer value ({d.describe_allowed()})",
            )
    if d.superseded_by is not None:
        if d.superseded_by == d.version:
            r.problem("superseded_by", "must name another version than this one")
        if d.default:
            r.problem(
                "superseded_by",
                "a superseded version cannot be the default (default: true)",
            )
    if d.licence.text_bundled and not d.languages:
        r.problem("languages", "must list the languages of the bundled text")
    if not d.licence.text_bundled and d.languages:
        r.problem("languages", "must be empty when licence.text_bundled is false")
    if d.allow_skip and all(s.min_answered == len(s.items) for s in d.scales):
        r.problem(
            "allow_skip",
            "no scale allows a missing answer (min_answered), so skipping cannot be offered",
        )
    if d.member_title:
        missing = [lang for lang in d.languages if lang not in d.member_title]
        if missing:
            r.problem("member_title", f"has no text in {', '.join(missing)}")
    for index, option in enumerate(d.options):
        missing = [lang for lang in d.languages if lang not in option.label]
        if missing:
            r.problem(
                f"response.options[{index}].label",
                f"has no text in {', '.join(missing)}",
            )


def _is_possible(d: Definition, value: float) -> bool:
    if d.value_range is not None:
        return d.value_range.minimum <= value <= d.value_range.maximum
    return any(option.value == value for option in d.options)
