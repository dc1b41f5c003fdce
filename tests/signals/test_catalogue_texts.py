"""The signal catalogue: every kind has its clinical texts, and they format cleanly.

The catalogue (src/tether/signals/catalogue.yaml) holds the title, default
severity, rule, source, explanation, suggestions and cautions of every signal
kind (docs/signals.md; docs/clinical-rules.md §Suggestions). These tests check its shape and
that every explanation formats with the evidence keys the signal engine supplies.
"""

import re
import string
from pathlib import Path

import pytest
import yaml

CATALOGUE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "tether"
    / "signals"
    / "catalogue.yaml"
)

# Evidence of every change-since-intake signal (outcome.change_signals).
CHANGE_KEYS = frozenset(
    {
        "member",
        "instrument",
        "baseline",
        "current",
        "change",
        "threshold",
        "threshold_source",
    }
)

# kind -> (default severity, evidence keys usable as {placeholders})
KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "risk-item": ("red", frozenset({"member", "instrument", "item", "value", "label"})),
    "risk-item-skipped": (
        "info",
        frozenset({"member", "instrument", "item", "label"}),
    ),
    "rupture": (
        "red",
        frozenset(
            {
                "member",
                "previous",
                "current",
                "drop",
                "threshold",
                "prior_mean",
                "pre_level",
                "level_drop",
                "repaired_session",
                "repair_window",
                "answer",
                "item",
                "instrument",
            }
        ),
    ),
    "split-dyad": (
        "yellow",
        frozenset(
            {
                "lower",
                "higher",
                "instrument",
                "lower_score",
                "higher_score",
                "difference",
                "threshold",
                "sessions",
            }
        ),
    ),
    "split-family": (
        "yellow",
        frozenset(
            {"lowest", "highest", "instrument", "range", "threshold", "sessions"}
        ),
    ),
    "split-adult-youth": (
        "yellow",
        frozenset(
            {
                "lower",
                "instrument",
                "adult_mean",
                "youth_mean",
                "difference",
                "threshold",
                "sessions",
            }
        ),
    ),
    "split-family-therapist": (
        "yellow",
        frozenset(
            {
                "lower",
                "family_mean",
                "therapist",
                "members",
                "difference",
                "threshold",
                "sessions",
            }
        ),
    ),
    "split-across-forms": (
        "info",
        frozenset(
            {
                "lower",
                "higher",
                "lower_instrument",
                "higher_instrument",
                "lower_score",
                "higher_score",
                "difference",
                "threshold",
                "sessions",
            }
        ),
    ),
    "low-alliance": (
        "yellow",
        frozenset({"member", "instrument", "score", "cutoff"}),
    ),
    "therapist-discrepancy": (
        "info",
        frozenset({"member", "therapist", "client", "difference", "trend"}),
    ),
    "not-on-track": (
        "yellow",
        frozenset(
            {
                "member",
                "instrument",
                "score",
                "expected",
                "upper80",
                "upper90",
                "method",
                "intake",
                "change",
            }
        ),
    ),
    "meaningful-worsening": ("red", CHANGE_KEYS),
    "meaningful-improvement": ("green", CHANGE_KEYS),
    "possible-change": (
        "info",
        CHANGE_KEYS | {"direction", "possible", "possible_source"},
    ),
    "reliable-deterioration": ("red", CHANGE_KEYS),
    "reliable-improvement": ("green", CHANGE_KEYS),
    "recovery": (
        "green",
        CHANGE_KEYS | {"cutoff", "reliable", "reliable_source", "end"},
    ),
    "low-support": ("yellow", frozenset({"member", "score", "threshold"})),
    "disengagement": ("yellow", frozenset({"member", "missed", "since_session"})),
    "within-family-safety": (
        "yellow",
        frozenset(
            {"member", "instrument", "item", "answer", "sessions", "last_session"}
        ),
    ),
}

RUPTURE_STATES = {"repaired", "repaired-late", "unrepaired", "pending", "reported"}
SEVERITIES = {"red", "yellow", "green", "info"}
ENTRY_FIELDS = {
    "title",
    "severity",
    "rule",
    "source",
    "explanation",
    "states",
    "suggestions",
    "cautions",
}
EVIDENCE_TAG = re.compile(r"\[(?:V|M|R|P)(?:[/,][^\]]*)?\]")
MAX_SUGGESTION_WORDS = 35

# One plausible, preformatted value per evidence key.
SAMPLE = {
    "member": "Sam (identified client)",
    "instrument": "PHQ-9",
    "item": "9",
    "value": "1",
    "label": "thoughts of being better off dead or of self-harm",
    "previous": "81.3",
    "current": "58.3",
    "drop": "23.0",
    "threshold": "14.4",
    "prior_mean": "80.2",
    "pre_level": "79.5",
    "level_drop": "21.5",
    "repaired_session": "7",
    "repair_window": "2",
    "lower": "Alex",
    "higher": "Jordan",
    "lower_score": "55.0",
    "higher_score": "85.0",
    "difference": "30.0",
    "sessions": "2",
    "lowest": "Riley",
    "highest": "Morgan",
    "range": "32.5",
    "adult_mean": "82.5",
    "youth_mean": "60.0",
    "family_mean": "64.6",
    "members": "3",
    "lower_instrument": "TAC-C",
    "higher_instrument": "TAC",
    "therapist": "85.0",
    "client": "62.5",
    "trend": "narrowing by 2.1 points per session",
    "score": "34",
    "cutoff": "36",
    "expected": "41.2",
    "upper80": "47.0",
    "upper90": "50.1",
    "method": "expected-response model",
    "baseline": "52",
    "intake": "52",
    "change": "+17",
    "threshold_source": "VA PCL-5 guidance [S]",
    "direction": "worse",
    "possible": "5",
    "possible_source": "VA PCL-5 guidance [S]",
    "reliable": "15",
    "reliable_source": "Marx et al. 2022 [V]",
    "end": "at or below 28",
    "missed": "2",
    "since_session": "5",
    "answer": "Disagree",
    "last_session": "7",
}

# Kinds whose keys take other kinds of values (the engine's own wording).
SAMPLE_BY_KIND = {
    "split-adult-youth": {"lower": "the young people"},
    "split-family-therapist": {"lower": "the family"},
}


def sample_for(kind: str) -> dict[str, str]:
    values = {key: SAMPLE[key] for key in KINDS[kind][1]}
    values.update(SAMPLE_BY_KIND.get(kind, {}))
    return values


def fields(text: str) -> set[str]:
    return {
        name for _, name, _, _ in string.Formatter().parse(text) if name is not None
    }


@pytest.fixture(scope="module")
def catalogue() -> dict:
    with CATALOGUE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict), "catalogue.yaml must be a mapping of kind -> entry"
    return data


def formatted_texts(entry: dict) -> list[str]:
    return [entry["explanation"], *(entry.get("states") or {}).values()]


def test_sample_covers_every_evidence_key():
    for _, keys in KINDS.values():
        assert keys <= SAMPLE.keys()


def test_every_kind_present_and_no_others(catalogue):
    assert set(catalogue) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_entry_shape(catalogue, kind):
    entry = catalogue[kind]
    assert set(entry) <= ENTRY_FIELDS, (
        f"{kind}: unknown fields {set(entry) - ENTRY_FIELDS}"
    )
    for field in ("title", "severity", "rule", "source", "explanation"):
        value = entry.get(field)
        assert isinstance(value, str), f"{kind}.{field} must be a string"
        assert value.strip(), f"{kind}.{field} is empty"
    assert entry["severity"] in SEVERITIES
    assert entry["severity"] == KINDS[kind][0], f"{kind}: default severity"
    assert len(entry["title"]) <= 60, f"{kind}: title should be short"

    suggestions = entry.get("suggestions")
    assert isinstance(suggestions, list)
    assert 2 <= len(suggestions) <= 4, f"{kind}: 2-4 suggestions"
    for number, suggestion in enumerate(suggestions, start=1):
        assert set(suggestion) == {"text", "source"}, f"{kind} suggestion {number}"
        assert isinstance(suggestion["text"], str)
        assert suggestion["text"].strip()
        assert isinstance(suggestion["source"], str)
        assert suggestion["source"].strip()
        words = len(suggestion["text"].split())
        assert words <= MAX_SUGGESTION_WORDS, (
            f"{kind} suggestion {number} has {words} words"
        )
        assert EVIDENCE_TAG.search(suggestion["source"]), (
            f"{kind} suggestion {number}: source carries no evidence tag"
        )

    cautions = entry.get("cautions")
    assert isinstance(cautions, list)
    assert 1 <= len(cautions) <= 3, f"{kind}: 1-3 cautions"
    for caution in cautions:
        assert isinstance(caution, str)
        assert caution.strip()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_states_only_where_a_signal_has_states(catalogue, kind):
    states = catalogue[kind].get("states")
    expected = {"rupture": RUPTURE_STATES}
    if kind in expected:
        assert isinstance(states, dict)
        assert set(states) == expected[kind]
        for name, text in states.items():
            assert isinstance(text, str), f"{kind}.states.{name}"
            assert text.strip()
    else:
        assert states is None, f"{kind} has no states"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_placeholders_are_evidence_keys(catalogue, kind):
    allowed = KINDS[kind][1]
    for text in formatted_texts(catalogue[kind]):
        for name in fields(text):
            assert name in allowed, (
                f"{kind}: unknown placeholder {{{name}}} in {text!r}"
            )
            # Plain names only: no attribute, index, conversion or format spec.
            assert name.isidentifier(), f"{kind}: placeholder {{{name}}}"
    assert fields(catalogue[kind]["explanation"]), (
        f"{kind}: explanation shows no numbers"
    )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_explanations_format_with_sample_values(catalogue, kind):
    values = sample_for(kind)
    for text in formatted_texts(catalogue[kind]):
        result = text.format(**values)
        assert "{" not in result
        assert "}" not in result


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_unformatted_texts_have_no_braces(catalogue, kind):
    """Titles, sources, suggestions and cautions are shown as they are; a
    rule's only placeholders are the clinic's settings (rule_values)."""
    from tether.signals.catalogue import rule_values

    entry = catalogue[kind]
    rule = entry["rule"]
    for name in re.findall(r"{(\w+)}", rule):
        assert name in rule_values(), name
    rule = re.sub(r"{\w+}", "", rule)
    title = entry["title"].replace("{instrument}", "")
    texts = [title, rule, entry["source"], *entry["cautions"]]
    for suggestion in entry["suggestions"]:
        texts += [suggestion["text"], suggestion["source"]]
    for text in texts:
        assert "{" not in text
        assert "}" not in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_title_names_only_the_instrument_and_only_where_the_evidence_has_it(
    catalogue, kind
):
    names = set(fields(catalogue[kind]["title"]))
    assert names <= {"instrument"}, f"{kind}: title placeholders {names}"
    if names:
        assert "instrument" in KINDS[kind][1]
        assert catalogue[kind]["title"].format(**sample_for(kind)).count("PHQ-9") == 1


SYMPTOM_KINDS = [
    "not-on-track",
    "meaningful-worsening",
    "meaningful-improvement",
    "possible-change",
    "reliable-deterioration",
    "reliable-improvement",
    "recovery",
    "risk-item",
    "risk-item-skipped",
]


@pytest.mark.parametrize("kind", SYMPTOM_KINDS)
def test_a_symptom_or_risk_alert_title_names_its_instrument(catalogue, kind):
    assert "{instrument}" in catalogue[kind]["title"]


def all_text(entry: object) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return " ".join(all_text(value) for value in entry.values())
    if isinstance(entry, list):
        return " ".join(all_text(value) for value in entry)
    return str(entry)


def test_risk_item_gives_crisis_lines_and_never_a_risk_level(catalogue):
    text = all_text(catalogue["risk-item"])
    assert "988" in text
    assert "838255" in text
    assert "911" in text
    assert "press 1" in text.lower()
    assert "9-8-8" in text  # Canada
    assert "116 123" in text  # the United Kingdom
    assert "999" in text
    assert not re.search(r"\blow[\s-]+risk\b", text, re.IGNORECASE)


def test_risk_item_suggestions_cover_section_10(catalogue):
    text = all_text(catalogue["risk-item"]["suggestions"]).lower()
    for topic in ("today", "secondary screen", "safety plan", "firearms", "document"):
        assert topic in text, f"risk-item suggestions miss {topic!r}"


def test_no_text_suggests_showing_answers_to_other_members(catalogue):
    for kind, entry in catalogue.items():
        for suggestion in entry["suggestions"]:
            text = suggestion["text"].lower()
            assert not re.search(
                r"\b(show|share|read out)\b[^.;]*\b(score|answer|rating)s?\b", text
            ), f"{kind}: {suggestion['text']!r}"
