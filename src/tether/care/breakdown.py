"""What the alliance is made of, for the case page: each member's answers to
the TAC items by dimension in their latest sessions, read against their own
level before them, and for an open rupture the dimensions that fell most
(computed in signals/dimensions.py; docs/clinical-rules.md §TAC dimensions).

A cell is marked lower when it is at least `LOWER_BY` (one answer step on the
TAC's 0-4 scale) below the member's own earlier level [P]: one step is the
smallest change a member can make to one item."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tether.instruments import Definition, Library, text_in
from tether.signals.dimensions import (
    DEFAULT_WINDOW,
    Fall,
    dimension_answers,
    dimension_changes,
    fell_most,
    recent_against_earlier,
)

from .models import Signal

RECENT = 4
"""Sessions shown per member."""
NARROW = 2
"""Sessions shown on a narrow screen (the latest ones; the others are `older`)."""
LOWER_BY = 1.0
"""How far below the member's earlier level a cell is marked lower [P]."""

DIMENSIONS = {
    ("self", "empathy"): gettext_lazy("Empathy"),
    ("self", "respect"): gettext_lazy("Respect"),
    ("self", "genuineness"): gettext_lazy("Genuineness"),
    ("self", "warmth"): gettext_lazy("Warmth"),
    ("self", "goal"): gettext_lazy("Goals"),
    ("self", "task"): gettext_lazy("Tasks"),
    ("self", "bond"): gettext_lazy("Bond"),
    ("self", "safety"): gettext_lazy("Safety and pace"),
    ("self", "overall"): gettext_lazy("Overall"),
    ("other", "empathy"): gettext_lazy("Empathy for the others"),
    ("group", "overall"): gettext_lazy("Family and therapist as a team"),
    ("within", "shared-purpose"): gettext_lazy("Shared purpose in the family"),
    ("within", "safety"): gettext_lazy("Safety within the family"),
}
"""How each (level, dimension) reads on the page."""


@dataclass(frozen=True)
class Cell:
    session: int
    value: str
    answer: str
    """The answer's wording (e.g. "Disagree"), when the value is one answer."""
    lower: bool
    older: bool = False
    """Not among the NARROW latest sessions: left out on a narrow screen."""

    @property
    def css(self) -> str:
        return " ".join(
            name for name, on in (("lower", self.lower), ("older", self.older)) if on
        )


@dataclass(frozen=True)
class Column:
    session: int
    older: bool


@dataclass(frozen=True)
class Row:
    dimension: str
    question: str
    """The item as the member read it, in the page's language (if bundled)."""
    earlier: str
    cells: list[Cell]


@dataclass(frozen=True)
class MemberBreakdown:
    member: str
    instrument: str
    sessions: list[Column]
    earlier_span: str
    """e.g. "sessions 1–8", or "" when the member has no earlier session."""
    rows: list[Row]
    fell_most: str
    """e.g. "In session 12, Leo's answers fell most on respect (3.7 → 1)."."""
    scale: str
    """The answer scale, e.g. "0 Strongly disagree … 4 Strongly agree"."""
    lower_count: int = field(default=0)


def dimension_name(level: str, dimension: str) -> str:
    label = DIMENSIONS.get((level, dimension))
    return str(label) if label is not None else dimension.replace("-", " ")


def case_dimensions(frame: pd.DataFrame, library: Library) -> pd.DataFrame:
    """The case's alliance answers by dimension (signals.dimensions), read
    once for both the breakdown tables and the rupture alerts' sentences."""
    return frame if frame.empty else dimension_answers(frame, library)


def tac_breakdown(
    answers: pd.DataFrame, names: Mapping[str, str], library: Library
) -> list[MemberBreakdown]:
    """One table per member and alliance instrument they answered item by
    item, members in the order of `names`; `answers` from case_dimensions."""
    if answers.empty:
        return []
    shown = recent_against_earlier(answers, RECENT)
    order = {member: index for index, member in enumerate(names)}
    out = []
    groups = shown.groupby(["member_id", "instrument"], sort=False)
    for (member_id, instrument), rows in sorted(
        groups, key=lambda group: (order.get(group[0][0], len(order)), group[0][1])
    ):
        definition = library.get(str(instrument))
        out.append(_member(rows, names.get(str(member_id), ""), definition))
    return out


def _member(rows: pd.DataFrame, name: str, definition: Definition) -> MemberBreakdown:
    language = get_language() or "en"
    labels = {o.value: text_in(o.label, language) for o in definition.options}
    sessions = sorted(int(s) for s in rows["session"].unique())
    older = set(sessions[:-NARROW])
    table = []
    lower_count = 0
    for _key, dimension in rows.groupby(["order"], sort=True):
        first = dimension.iloc[0]
        by_session = {
            int(session): (float(value), float(below))
            for session, value, below in zip(
                dimension["session"],
                dimension["value"],
                dimension["below"],
                strict=True,
            )
        }
        cells = []
        for session in sessions:
            if session not in by_session:
                cells.append(Cell(session, "—", "", False, session in older))
                continue
            value, below = by_session[session]
            lower = bool(below >= LOWER_BY)
            lower_count += lower
            answer = labels.get(value, "") if value.is_integer() else ""
            cells.append(Cell(session, _number(value), answer, lower, session in older))
        items = str(first["items"]).split(", ")
        question = (
            text_in(definition.item(items[0]).text, language)
            if (len(items) == 1)
            else ""
        )
        earlier = first["earlier"]
        table.append(
            Row(
                dimension_name(str(first["level"]), str(first["dimension"])),
                question,
                "—" if pd.isna(earlier) else _number(float(earlier)),
                cells,
            )
        )
    first = rows.iloc[0]
    span = (
        ""
        if pd.isna(first["earlier_first"])
        else _span(int(first["earlier_first"]), int(first["earlier_last"]))
    )
    return MemberBreakdown(
        member=name,
        instrument=definition.short_title,
        sessions=[Column(session, session in older) for session in sessions],
        earlier_span=span,
        rows=table,
        fell_most=_headline(rows, name, sessions[-1], span),
        scale=_scale(definition, language),
        lower_count=lower_count,
    )


def _headline(rows: pd.DataFrame, name: str, session: int, span: str) -> str:
    """What fell most in the latest session against the earlier level."""
    latest = rows[(rows["session"] == session) & (rows["below"] >= LOWER_BY)]
    if latest.empty:
        return ""
    top = latest[latest["below"] == latest["below"].max()].sort_values("order")
    dimensions = "; ".join(
        _("%(dimension)s (%(earlier)s → %(value)s)")
        % {
            "dimension": dimension_name(r.level, r.dimension).lower(),
            "earlier": _number(r.earlier),
            "value": _number(r.value),
        }
        for r in top.itertuples(index=False)
    )
    return _(
        "In session %(session)s, %(member)s's answers fell most on "
        "%(dimensions)s, against %(span)s."
    ) % {
        "session": session,
        "member": name,
        "dimensions": dimensions,
        "span": span,
    }


def rupture_falls(answers: pd.DataFrame, signals: Iterable[Signal]) -> dict[int, str]:
    """For each open rupture alert (by id), a sentence naming the dimensions
    of the member's TAC that fell most at the rupture's session, against the
    up to 3 sessions before it (the rupture rule's own pre-rupture window);
    `answers` from case_dimensions."""
    ruptures = [s for s in signals if s.kind == "rupture"]
    if answers.empty or not ruptures:
        return {}
    changes = dimension_changes(answers, DEFAULT_WINDOW)
    out = {}
    for signal in ruptures:
        member = signal.subject.removeprefix("member:")
        falls = fell_most(
            changes,
            str(signal.case_id),
            member,
            signal.instrument,
            signal.session_number,
        )
        if falls:
            out[signal.pk] = _(
                "What fell most in session %(session)s, against up to "
                "%(window)s sessions before: %(dimensions)s."
            ) % {
                "session": signal.session_number,
                "window": DEFAULT_WINDOW,
                "dimensions": _falls(falls),
            }
    return out


def _falls(falls: list[Fall]) -> str:
    return "; ".join(
        _("%(dimension)s (%(earlier)s → %(value)s)")
        % {
            "dimension": dimension_name(f.level, f.dimension).lower(),
            "earlier": _number(f.earlier),
            "value": _number(f.value),
        }
        for f in falls
    )


def _span(first: int, last: int) -> str:
    if first == last:
        return _("session %(first)s") % {"first": first}
    return _("sessions %(first)s–%(last)s") % {"first": first, "last": last}


def _scale(definition: Definition, language: str) -> str:
    options = sorted(definition.options, key=lambda o: o.value)
    if not options:
        return ""
    low, high = options[0], options[-1]
    return f"{_number(low.value)} {text_in(low.label, language)} … {_number(high.value)} {text_in(high.label, language)}"


def _number(value: float) -> str:
    """1 as "1", 3.667 as "3.7" (with the page language's decimal mark)."""
    rounded = round(float(value), 1)
    if rounded.is_integer():
        return str(int(rounded))
    return number_format(rounded, decimal_pos=1)
