"""The instrument definition model: frozen dataclasses built from YAML files.

The format is documented in docs/instrument-format.md; the loader in loader.py
builds these objects and is the only place that knows the YAML shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import Literal

Text = MappingProxyType[str, str]
"""Text per language code, e.g. {"en": "...", "es": "..."}."""

EMPTY_TEXT: Text = MappingProxyType({})


def _no_text() -> Text:
    return EMPTY_TEXT


def _no_variants() -> MappingProxyType[str, Text]:
    return MappingProxyType({})


LICENCE_CLASSES = (
    "public_domain",
    "blanket_permission",
    "project_open",
    "free_use_confirm",
    "permission_required",
    "licensed_local_text_only",
)
ROLES = ("alliance", "symptom", "support", "outcome", "screen")
RESPONDENTS = ("client", "child", "caregiver", "therapist")
ALLIANCE_LEVELS = ("self", "other", "group", "within")
ALLIANCE_DIMENSIONS = (
    "empathy",
    "respect",
    "genuineness",
    "warmth",
    "goal",
    "task",
    "bond",
    "safety",
    "shared-purpose",
    "engagement",
    "connection",
    "overall",
    "rupture",
)
"""`rupture` marks a direct rupture item ("something in today's session didn't
sit right"): an endorsement is a rupture in itself (R4, docs/clinical-rules.md
§Rupture)."""
CASE_KINDS = ("individual", "couple", "family")
PICTURES = (
    *(f"face-{n}" for n in range(5)),
    *(f"circles-{n}" for n in range(4)),
)
"""Pictures an answer option may show (child forms); the portal ships one SVG
for each: faces from sad to happy (TAC-C 1.0) and 0-3 filled circles out of 3
(TAC-C 1.1, neutral about mood)."""
TARGETS = ("member", "family")
METHODS = ("sum", "mean")
CUTOFF_DIRECTIONS = ("at_or_above", "below")


def text_in(text: Text, language: str, fallback: str = "en") -> str:
    """The text in `language`, else in `fallback`, else the first one there is."""
    if language in text:
        return text[language]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")


@dataclass(frozen=True, slots=True)
class Option:
    value: float
    label: Text
    score: float
    picture: str | None = None
    loinc: str | None = None
    """The LOINC answer code (LA…), where the instrument's answer list has
    one (PHQ-9: LA6568-5 for "Not at all"); FHIR exports code the answer with
    it (docs/interop.md)."""


@dataclass(frozen=True, slots=True)
class ValueRange:
    minimum: float
    maximum: float
    step: float


@dataclass(frozen=True, slots=True)
class RiskTrigger:
    at_or_above: float
    label: Text


@dataclass(frozen=True, slots=True)
class AllianceFacet:
    level: str
    dimension: str


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: Text = field(default_factory=_no_text)
    content: str | None = None
    reverse: bool = False
    loinc: str | None = None
    risk: RiskTrigger | None = None
    alliance: AllianceFacet | None = None
    applies_to: tuple[str, ...] = CASE_KINDS
    target: str | None = None
    variants: MappingProxyType[str, Text] = field(default_factory=_no_variants)
    """Other wording by case kind, e.g. "my partner" for "my family" in couple
    cases (YAML `text_for`)."""

    def text_for(self, case_kind: str) -> Text:
        """The item's text as asked in a case of this kind: its variant for
        that kind where there is one (per language, the plain text fills any
        language the variant lacks, e.g. one a text pack added)."""
        variant = self.variants.get(case_kind)
        if variant is None:
            return self.text
        return MappingProxyType({**self.text, **variant})


@dataclass(frozen=True, slots=True)
class Band:
    lower: float
    label: Text


@dataclass(frozen=True, slots=True)
class Cutoff:
    value: float
    direction: Literal["at_or_above", "below"]
    label: Text
    source: str

    def is_met(self, score: float) -> bool:
        """True when `score` is on the clinical (concern) side of the cutoff."""
        if self.direction == "at_or_above":
            return score >= self.value
        return score < self.value


@dataclass(frozen=True, slots=True)
class Recovery:
    """The end of treatment a recovered member reaches on this scale (lower is
    better), where the instrument has a published one (PCL-5 <= 28, Marx 2022;
    PHQ-9 < 10 with GAD-7 < 8, NHS Talking Therapies)."""

    value: float
    inclusive: bool
    """True: recovered at or below `value`; False: below it."""
    source: str
    caseness: float | None = None
    """An intake at or above this is a case; None: the scale's cutoff decides."""
    paired_with: str | None = None
    """The instrument id (e.g. gad-7) whose own recovery end must hold too, and
    whose caseness at intake also counts (NHS Talking Therapies' joint rule)."""

    def is_met(self, score: float) -> bool:
        return score <= self.value if self.inclusive else score < self.value


@dataclass(frozen=True, slots=True)
class ChangeNorms:
    source: str
    reliability: float | None = None
    sd: float | None = None
    reliable_change_points: float | None = None
    """A published reliable-change value in raw points (change beyond noise)."""
    reliable_change_label: str = ""
    """Its short cited label, shown with every signal that uses it."""
    meaningful_change_points: float | None = None
    """A published clinically meaningful change, where it differs from the
    reliable one (PCL-5: 10); the default alert threshold."""
    meaningful_change_label: str = ""
    possible_change_points: float | None = None
    """A smaller change worth showing as information only (PCL-5: 5)."""
    possible_change_label: str = ""
    recovery: Recovery | None = None


@dataclass(frozen=True, slots=True)
class Scale:
    id: str
    label: Text
    items: tuple[str, ...]
    method: Literal["sum", "mean"]
    min_answered: int
    higher_is_better: bool
    missing_rule_source: str = ""
    bands: tuple[Band, ...] = ()
    bands_source: str = ""
    cutoff: Cutoff | None = None
    change: ChangeNorms | None = None

    def band_for(self, score: float) -> Band | None:
        """The last band whose lower bound is at or below `score`."""
        found = None
        for band in self.bands:
            if band.lower <= score:
                found = band
        return found


@dataclass(frozen=True, slots=True)
class Licence:
    klass: str
    text_bundled: bool
    note: str


@dataclass(frozen=True, slots=True)
class Definition:
    id: str
    version: str
    title: Text
    short_title: str
    citation: str
    licence: Licence
    validated: bool
    role: str
    respondents: tuple[str, ...]
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    options: tuple[Option, ...] = ()
    value_range: ValueRange | None = None
    default: bool = False
    languages: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    recall: Text = field(default_factory=_no_text)
    trauma_content: bool = False
    allow_skip: bool = False
    loinc: MappingProxyType[str, str] = field(default_factory=_no_text)
    instructions: Text = field(default_factory=_no_text)
    stem: Text = field(default_factory=_no_text)
    member_title: Text = field(default_factory=_no_text)
    """The title shown to the person answering, where `title` is not for them
    (the child form); empty: `title`."""
    source_path: str = ""
    key_verified: bool = True
    """False where the scoring key (reverse items, which items make which
    scale) was not checked against the published one: its scores are shown,
    but raise no alliance alert until a site loads a definition with the
    official key (`key_verified: true`)."""
    text_source: str = ""
    """Where the item text came from: "bundled", a text pack's source, or ""."""
    superseded_by: str | None = None
    """The version that replaces this one: a superseded version is never sent
    (links, kiosk) but stays loadable, so its stored answers keep their
    version, their scores and their text."""

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def has_text(self) -> bool:
        return all(item.text for item in self.items)

    def speaks(self, language: str) -> bool:
        """Every item has text in `language` (bundled or from a text pack)."""
        return bool(self.items) and all(language in item.text for item in self.items)

    def text_language(self, wanted: str, fallback: str = "en") -> str:
        """The language its questions are shown in on a page in `wanted`:
        that one where every item has it, else `fallback`, else the first
        language of its first item, as `text_in` picks."""
        for language in (wanted, fallback):
            if self.speaks(language):
                return language
        first = self.items[0].text if self.items else EMPTY_TEXT
        return next(iter(first), wanted)

    def title_for_members(self, language: str) -> str:
        """The title a member reads: `member_title` where the definition has
        one (the child form's "A few questions about today"), else `title`."""
        return text_in(self.member_title or self.title, language)

    @property
    def checked_on_clinic_data(self) -> bool:
        """The project's own instrument, not yet validated: its reliability is
        reported on the clinic's own answers (docs/tac.md) until a study
        validates it."""
        return self.licence.klass == "project_open" and not self.validated

    @property
    def risk_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.risk is not None)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    @property
    def answer_bounds(self) -> tuple[float, float]:
        """The lowest and highest stored answer to one item."""
        return self._bounds([option.value for option in self.options])

    @property
    def score_bounds(self) -> tuple[float, float]:
        """The lowest and highest scored value one item can take."""
        return self._bounds([option.score for option in self.options])

    @property
    def score_step(self) -> float:
        """The smallest change in one item's scored value: one answer moving
        one step."""
        if self.value_range is not None:
            return self.value_range.step
        scores = sorted({option.score for option in self.options})
        return min(b - a for a, b in pairwise(scores))

    def _bounds(self, values: list[float]) -> tuple[float, float]:
        if self.value_range is not None:
            return self.value_range.minimum, self.value_range.maximum
        return min(values), max(values)

    def scale_bounds(self, scale: Scale) -> tuple[float, float]:
        """The range a scale's score can take (sum or mean of its items)."""
        low, high = self.score_bounds
        if scale.method == "mean":
            return low, high
        return low * len(scale.items), high * len(scale.items)

    def describe_allowed(self) -> str:
        """The allowed answer values, as shown in error messages."""
        if self.value_range is not None:
            r = self.value_range
            return f"a number from {_num(r.minimum)} to {_num(r.maximum)} in steps of {_num(r.step)}"
        return "{" + ", ".join(_num(option.value) for option in self.options) + "}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
