"""What each signal means: title, rule, source, a plain explanation and
suggested responses (texts in catalogue.yaml; how they are written:
docs/clinical-rules.md §Suggestions)."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .config import SignalConfig
from .model import Signal

CATALOGUE = Path(__file__).with_name("catalogue.yaml")


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Explained:
    signal: Signal
    title: str
    rule: str
    source: str
    explanation: str
    suggestions: tuple[Suggestion, ...]
    cautions: tuple[str, ...]


@lru_cache(maxsize=1)
def catalogue() -> Mapping[str, Mapping[str, Any]]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def rule_values(config: SignalConfig | None = None) -> dict[str, str]:
    """The numbers a rule text states, as the clinic has set them: every
    SignalConfig field by name, and what follows from them (the percentiles
    of the not-on-track bands, the rupture floor on the child form and TAC)."""
    return dict(_rule_values(config or SignalConfig()))


@lru_cache(maxsize=16)
def _rule_values(config: SignalConfig) -> tuple[tuple[str, str], ...]:
    from tether.instruments import Library, bundled_definitions

    from .alliance import answer_step_pomp

    values = {f.name: _number(getattr(config, f.name)) for f in fields(config)}
    library = Library(bundled_definitions())
    for name, key in (
        ("child_form_floor", "tac-child"),
        ("tac_floor", "tac"),
        ("child_form_floor_1_0", "tac-child@1.0"),
        ("tac_floor_1_0", "tac@1.0"),
    ):
        step = answer_step_pomp(library.get(key), "self")
        values[name] = f"{config.rupture_min_answer_steps * step:.1f}"
    for name in ("not_on_track_yellow_z", "not_on_track_red_z"):
        z = getattr(config, name)
        values[name.replace("_z", "_percent")] = f"{100 * _normal_cdf(z):.0f}"
    return tuple(values.items())


def _number(value: Any) -> str:
    return f"{round(value, 2):g}" if isinstance(value, int | float) else str(value)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def rule_text(kind: str, config: SignalConfig | None = None) -> str:
    """The rule of a signal kind with the clinic's numbers in it."""
    return str(catalogue()[kind]["rule"]).format_map(rule_values(config))


def describe(
    signal: Signal,
    names: Mapping[str, str] | None = None,
    config: SignalConfig | None = None,
) -> Explained:
    """The signal with its texts; `names` maps member ids to display names;
    the rule states the numbers of `config` (the clinic's settings)."""
    entry = catalogue()[signal.kind]
    template = entry.get("states", {}).get(signal.state) or entry["explanation"]
    values = {
        key: _shown(key, value, names or {}) for key, value in signal.evidence.items()
    }
    return Explained(
        signal=signal,
        title=title_of(signal.kind, values),
        rule=rule_text(signal.kind, config),
        source=entry["source"],
        explanation=string.Formatter().vformat(template, (), _Blank(values))
        + _folded(signal.evidence.get("folded"))
        + _reported(signal, values),
        suggestions=tuple(
            Suggestion(s["text"], s["source"]) for s in entry["suggestions"]
        ),
        cautions=tuple(entry["cautions"]),
    )


def title_of(kind: str, values: Mapping[str, str] | None = None) -> str:
    """The title of a signal kind; a symptom or risk alert's names its
    instrument ("Recovery on PCL-5"), from the evidence shown (`values`: the
    preformatted evidence, as for the explanation). Without it the instrument
    reads as "this measure"."""
    shown = _Blank(values or {})
    if shown.get("instrument", "—") == "—":
        shown["instrument"] = "this measure"
    return string.Formatter().vformat(str(catalogue()[kind]["title"]), (), shown)


def rule_name(kind: str) -> str:
    """A kind of alert as people read it when no one alert is meant (the
    clinic's figures per rule): its title without the measure it names
    ("Risk item endorsed", "Not on track")."""
    title = str(catalogue()[kind]["title"])
    title = re.sub(r"\s+on \{instrument\}", "", title)
    return title.replace("{instrument}", "a measure")


def _reported(signal: Signal, values: Mapping[str, str]) -> str:
    """A score rupture the member also reported on the rupture item."""
    if signal.state == "reported" or "reported" not in signal.evidence:
        return ""
    return (
        f" {values.get('member', '—')} also agreed that something in the session"
        f" did not sit right with them ({values['reported']})."
    )


def _folded(folded: Any) -> str:
    """The splits a rupture made, named as the clinician reads them: they are
    part of the rupture's evidence, not alerts of their own."""
    if not folded:
        return ""
    parts = [
        f"{title_of(f['kind']).lower()} (session {f['session']}"
        + (f"–{f['last_session']})" if f["last_session"] != f["session"] else ")")
        for f in folded
    ]
    return (
        " The same drop also shows as: "
        + "; ".join(parts)
        + ". It is one event, so it is one alert."
    )


MEMBER_KEYS = {"member", "lower", "higher", "lowest", "highest"}


def _shown(key: str, value: Any, names: Mapping[str, str]) -> str:
    if value is None:
        return "—"
    if key == "instrument" and isinstance(value, str):
        return names.get(value) or _short_title(value)
    if key in MEMBER_KEYS and isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@lru_cache(maxsize=64)
def _short_title(key: str) -> str:
    """`pcl-5@past-week` reads as PCL-5 in a sentence."""
    from tether.instruments import Library, UnknownInstrument, bundled_definitions

    try:
        return Library(bundled_definitions()).get(key).short_title
    except UnknownInstrument:
        return key


class _Blank(dict[str, str]):
    """Missing evidence shows as a dash rather than failing."""

    def __missing__(self, key: str) -> str:
        return "—"
