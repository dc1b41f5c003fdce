"""The case page's charts, drawn on the server as SVG (care/svg.py lays them
out, care/_panel.html writes them): no chart script, so the page stays light,
and the same drawing can go into a PDF. Every chart has its numbers in a table
beside it, for screen readers and for readers who want the numbers. Colours
come from the one palette (core/palette.py): a member keeps theirs in every
chart of the case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tether.core import palette
from tether.instruments import Definition, text_in
from tether.signals import SignalConfig
from tether.signals.catalogue import title_of
from tether.signals.expected import ExpectedResponse
from tether.signals.thresholds import MEANINGFUL, OUTCOME_ROLES, change_rule

from .breakdown import MemberBreakdown, case_dimensions, rupture_falls, tac_breakdown
from .frames import library, score_frame
from .models import Case, Member, Signal
from .rule_results import CAUTIONS, NOT_COMPUTED_IN_TABLES, cell_text
from .summary import (
    RuleKey,
    levels_of,
    member_order,
    no_change_rule_notes,
    pcl5_totals,
    stored_rule_results,
)
from .svg import Guide, Mark, Panel, Series, draw

MEMBER_MARKS = ("rupture", "split-dyad", "split-family")
"""Alerts about one member: ringed on that member's line (the lower one's)."""
FAMILY_MARKS = ("split-adult-youth", "split-family-therapist")
"""Alerts about the family as a whole: ringed on the whole family's line."""
MARKED_KINDS = MEMBER_MARKS + FAMILY_MARKS
EXPECTED_MODEL = "pcl-5@past-week"
MSPSS_SCALES = ("family", "friends", "significant-other", "total")
OWN_CHARTS = ("pcl-5",)
"""Symptom measures with a chart of their own; every other symptom or outcome
measure a case uses gets a `Measure` chart and table."""


@dataclass(frozen=True)
class Measure:
    """One symptom or outcome measure of the case: a chart, and its table."""

    id: str
    title: str
    panel: Panel
    rows: list[dict[str, Any]]
    scale: str
    """What the values are, in words ("Total 0–27, lower is better")."""
    finding: str | None = None
    """The header of the rule-result column (PHQ-9: depressive syndrome)."""
    caution: str = ""


@dataclass(frozen=True)
class CaseCharts:
    alliance: list[Panel] = field(default_factory=list)
    """The small multiples: each member; subsystems; the whole family beside
    the therapist's rating of it; the therapist's rating of each member."""
    alliance_table: dict[str, Any] = field(default_factory=dict)
    uses_tac: bool = False
    pcl5: Panel | None = None
    pcl5_table: list[dict[str, Any]] = field(default_factory=list)
    pcl5_info: dict[str, Any] = field(default_factory=dict)
    measures: list[Measure] = field(default_factory=list)
    mspss: list[dict[str, Any]] = field(default_factory=list)
    no_change_rule: list[str] = field(default_factory=list)
    """One sentence per symptom measure of the case that no change rule judges."""
    breakdown: list[MemberBreakdown] = field(default_factory=list)
    """What each member's alliance is made of (care/breakdown.py)."""
    falls: dict[int, str] = field(default_factory=dict)
    """Per open rupture alert id: the dimensions that fell most."""
    cautions: dict[str, str] = field(default_factory=dict)
    """What the PCL-5 rule results are not (a diagnosis)."""


def case_charts(
    case: Case, members: Sequence[Member], open_signals: Iterable[Signal]
) -> CaseCharts:
    """Every chart and table of one case's page."""
    names = {str(m.pk): m.first_name for m in members}
    open_signals = list(open_signals)
    frame = score_frame([case.pk], alliance_items=True)
    levels = levels_of(frame)
    markers = [s for s in open_signals if s.kind in MARKED_KINDS]
    config = SignalConfig.from_mapping(case.organization.signal_settings or {})
    results = stored_rule_results(case.pk)
    pcl5, pcl5_table, pcl5_info = pcl5_figure(frame, members, case, config, results)
    uses_tac = not frame.empty and frame["instrument_id"].str.startswith("tac").any()
    alliance = alliance_series(levels, names, markers)
    dimensions = case_dimensions(frame, library())
    return CaseCharts(
        alliance=alliance_panels(alliance, levels),
        alliance_table=alliance_table(alliance),
        uses_tac=bool(uses_tac),
        pcl5=pcl5,
        pcl5_table=pcl5_table,
        pcl5_info=pcl5_info,
        measures=measures(frame, names, results),
        mspss=mspss_rows(frame, names, config.low_support_below),
        no_change_rule=no_change_rule_notes(
            frame, config, (case.organization.signal_norms or {}).get("intake_sds")
        ),
        breakdown=tac_breakdown(dimensions, names, library()),
        falls=rupture_falls(dimensions, open_signals),
        cautions={
            "pcl5": str(CAUTIONS["pcl-5"]),
            "not_computed": str(NOT_COMPUTED_IN_TABLES),
        },
    )


def colours(names: Mapping[str, str]) -> dict[str, str]:
    """Each member's colour, by the order they were added (`names` is in it)."""
    return {f"member:{pk}": palette.person(i) for i, pk in enumerate(names)}


# ---- alliance ------------------------------------------------------------------

_EMPTY = pd.DataFrame(columns=["session", "subject", "value", "n"])


@dataclass(frozen=True)
class Group:
    """The series of one alliance panel."""

    id: str
    title: str
    series: list[Series]


def alliance_series(
    levels: pd.DataFrame, names: Mapping[str, str], markers: Sequence[Signal]
) -> list[Group]:
    """The alliance as small multiples, each level its own panel: each member
    (their own rating); the subsystems that are more than one member and less
    than the family; the whole family with the therapist's rating of it beside;
    the therapist's rating of each member. Panels without data are left out."""
    if levels.empty:
        return []
    colour = colours(names)
    marks = _marks(markers, names)
    by_level = {str(level): rows for level, rows in levels.groupby("level")}

    def points(rows: pd.DataFrame) -> tuple[tuple[int, float], ...]:
        rows = rows.sort_values("session")
        return tuple(
            (int(n), round(float(v), 1))
            for n, v in zip(rows["session"], rows["value"], strict=True)
        )

    def ordered(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
        groups = {str(s): r for s, r in rows.groupby("subject")}
        return sorted(groups.items(), key=lambda kv: _member_rank(kv[0], names))

    members = [
        Series(
            subject,
            _name(subject, names),
            colour.get(subject, palette.INK),
            points(rows),
            marks=marks.get(subject, ()),
        )
        for subject, rows in ordered(by_level.get("member", _EMPTY))
    ]
    subsystems = [
        Series(
            subject,
            subject.partition(":")[2],
            palette.subsystem(i),
            points(rows),
        )
        for i, (subject, rows) in enumerate(
            sorted(subsystem_rows(levels).groupby("subject"))
        )
    ]
    therapist = by_level.get("therapist", _EMPTY)
    family = [
        Series(
            "family",
            _("Whole family"),
            palette.FAMILY,
            points(rows),
            width=3.0,
            marks=marks.get("family", ()),
        )
        for _subject, rows in by_level.get("family", _EMPTY).groupby("subject")
    ] + [
        Series(
            "therapist:family",
            _("Therapist"),
            palette.THERAPIST,
            points(therapist[therapist["subject"] == "family"]),
            dashed=True,
        )
    ]
    rated = [
        Series(
            f"therapist:{subject}",
            _name(subject, names),
            colour.get(subject, palette.THERAPIST),
            points(rows),
            dashed=True,
        )
        for subject, rows in ordered(therapist[therapist["subject"] != "family"])
    ]
    groups = [
        Group("alliance-members", _("Each member"), members),
        Group("alliance-subsystems", _("Subsystems"), subsystems),
        Group("alliance-family", _("Whole family and therapist"), family),
        Group("alliance-therapist", _("Therapist's rating of each member"), rated),
    ]
    return [
        Group(g.id, g.title, [s for s in g.series if s.points])
        for g in groups
        if any(s.points for s in g.series)
    ]


def subsystem_rows(levels: pd.DataFrame) -> pd.DataFrame:
    """The subsystem values worth a line of their own: where at least two of
    its members answered, and fewer than everyone who answered (a subsystem of
    one member is that member's line; of everyone, the whole family's)."""
    rows = levels[levels["level"] == "subsystem"]
    everyone = levels[levels["level"] == "family"].set_index("session")["n"]
    family_n = rows["session"].map(everyone)
    return rows[(rows["n"] >= 2) & ~(rows["n"] >= family_n)]


def _member_rank(subject: str, names: Mapping[str, str]) -> tuple[int, str]:
    ident = subject.partition(":")[2]
    order = list(names)
    return (order.index(ident) if ident in order else len(order), subject)


def _name(subject: str, names: Mapping[str, str]) -> str:
    ident = subject.partition(":")[2]
    return names.get(ident, ident)


def _marks(
    markers: Sequence[Signal], names: Mapping[str, str]
) -> dict[str, tuple[Mark, ...]]:
    """Open ruptures and splits, by the line they belong to."""
    out: dict[str, list[Mark]] = {}
    for signal in markers:
        if signal.kind not in MARKED_KINDS:
            continue
        line = "family" if signal.kind in FAMILY_MARKS else signal.subject
        who = _name(signal.subject, names) if line != "family" else _("the family")
        text = _("open alert: %(title)s (%(who)s)") % {
            "title": title_of(signal.kind).lower(),
            "who": who,
        }
        out.setdefault(line, []).append(
            Mark(signal.session_number, text, signal.severity)
        )
    return {line: tuple(found) for line, found in out.items()}


def alliance_panels(groups: Sequence[Group], levels: pd.DataFrame) -> list[Panel]:
    """One panel per group, on one session axis and the 0–100 scale."""
    if not groups:
        return []
    sessions = (int(levels["session"].min()), int(levels["session"].max()))
    longest = max(len(s.name) for g in groups for s in g.series)
    return [
        draw(
            g.id,
            g.title,
            summary(g.series),
            g.series,
            sessions,
            (0, 100),
            x_title=_("Session"),
            y_title=_("Alliance (0–100)"),
            longest=longest,
        )
        for g in groups
    ]


def summary(series: Sequence[Series]) -> str:
    """The panel in words, for a screen reader: each line's first and last
    value, and the alerts ringed on it."""
    parts = []
    for s in series:
        (first, a), (last, b) = s.points[0], s.points[-1]
        if first == last:
            text = _("%(name)s: %(value)s in session %(session)s") % {
                "name": s.name,
                "value": f"{a:.0f}",
                "session": first,
            }
        else:
            text = _(
                "%(name)s: %(first)s in session %(a)s, %(last)s in session %(b)s"
            ) % {
                "name": s.name,
                "first": f"{a:.0f}",
                "a": first,
                "last": f"{b:.0f}",
                "b": last,
            }
        for mark in s.marks:
            text += ", " + _("%(text)s in session %(session)s") % {
                "text": mark.text,
                "session": mark.session,
            }
        parts.append(text)
    return "; ".join(parts) + "."


def alliance_table(groups: Sequence[Group]) -> dict[str, Any]:
    """The charts' numbers: one row per session, one column per line, the
    columns grouped by panel; a cell names the alerts ringed at it."""
    if not groups:
        return {}
    columns = [s for g in groups for s in g.series]
    sessions = sorted({n for s in columns for n, _v in s.points})
    values = [dict(s.points) for s in columns]
    marks = [{m.session: m.text for m in s.marks} for s in columns]
    return {
        "groups": [{"title": g.title, "span": len(g.series)} for g in groups],
        "columns": [s.name for s in columns],
        "rows": [
            (
                n,
                [
                    {"value": _rounded(v.get(n)), "mark": m.get(n, "")}
                    for v, m in zip(values, marks, strict=True)
                ],
            )
            for n in sessions
        ],
    }


# ---- PCL-5 ---------------------------------------------------------------------


def pcl5_figure(
    frame: pd.DataFrame,
    members: Sequence[Member],
    case: Case,
    config: SignalConfig,
    results: Mapping[RuleKey, Mapping[str, Any]] | None = None,
) -> tuple[Panel | None, list[dict[str, Any]], dict[str, Any]]:
    """One named line per member who answered the PCL-5, with the cutoff; the
    change-alert band around intake and, when the clinic has one, the
    expected curve belong to one person: the identified client, or when they
    have no PCL-5 the first member charted (the caption names them). The table
    has each total with the provisional diagnosis stored with it."""
    client = next((m for m in members if m.is_identified_client), None)
    info: dict[str, Any] = {"client": client.first_name if client else None}
    totals = pcl5_totals(frame)
    answered = [m for m in members if str(m.pk) in set(totals["member_id"])]
    if not answered:
        return None, [], info
    reference = client if client in answered else answered[0]
    definition = library().get("pcl-5")
    low, high = definition.scale_bounds(definition.scale("total"))
    own = totals[totals["member_id"] == str(reference.pk)]
    intake = float(own["score"].iloc[0])
    guides, guide_info = _pcl5_guides(definition, intake, config, reference.first_name)
    info |= guide_info
    model = _expected_model(case)
    curves: list[Series] = []
    if model is not None:
        first, last = int(own["session"].iloc[0]), int(own["session"].iloc[-1])
        curves = _expected_curves(model, config, intake, first, last)
        info["expected"] = True
    colour = colours({str(m.pk): m.first_name for m in members})
    lines, table = [], []
    for member in answered:
        rows = totals[totals["member_id"] == str(member.pk)]
        sessions, scores = rows["session"].tolist(), rows["score"].tolist()
        keys = [
            (str(member.pk), int(n), i)
            for n, i in zip(sessions, rows["instrument"], strict=True)
        ]
        lines.append(
            Series(
                f"member:{member.pk}",
                member.first_name,
                colour[f"member:{member.pk}"],
                tuple(
                    (int(n), round(float(v), 1))
                    for n, v in zip(sessions, scores, strict=True)
                ),
                width=3.0 if member == reference else 2.0,
            )
        )
        table += [
            {
                "member": member.first_name,
                "session": int(session),
                "score": _rounded(score),
                "change": _rounded(score - scores[0]),
                "diagnosis": cell_text("pcl-5", (results or {}).get(key, {})),
            }
            for session, score, key in zip(sessions, scores, keys, strict=True)
        ]
    series = [*lines, *curves]
    panel = draw(
        "pcl5-chart",
        _("PTSD symptoms (PCL-5)"),
        summary(lines),
        series,
        _session_span(series),
        (low, high),
        x_title=_("Session"),
        y_title=_("PCL-5 total (0–80)"),
        guides=guides,
        height=260,
    )
    info["reference"] = reference.first_name
    info["members"] = [
        {"name": m.first_name, "client": m.is_identified_client} for m in answered
    ]
    return panel, table, info


def _pcl5_guides(
    definition: Definition,
    intake: float,
    config: SignalConfig,
    whose: str,
) -> tuple[list[Guide], dict[str, Any]]:
    """The cutoff line and the band around one person's intake within which a
    change raises no alert (the change rule's threshold, as the clinic has set
    it)."""
    scale = definition.scale("total")
    low, high = definition.scale_bounds(scale)
    info: dict[str, Any] = {"intake": _rounded(intake)}
    guides = []
    rule = change_rule(definition.key, scale, config)
    if rule is not None:
        points = rule.threshold
        guides.append(
            Guide(
                max(low, intake - points),
                min(high, intake + points),
                palette.BAND,
                _("%(name)s’s intake ± %(points)s: no alert")
                % {"name": whose, "points": f"{points:g}"},
            )
        )
        info["change_alert"] = points
        info["change_basis"] = (
            "clinically meaningful" if rule.basis == MEANINGFUL else "reliable"
        )
    if scale.cutoff is not None:
        guides.append(_cutoff(definition, scale.cutoff.value))
        info["cutoff"] = scale.cutoff.value
        info["cutoff_label"] = text_in(scale.cutoff.label, "en")
    return guides, info


def _cutoff(definition: Definition, value: float) -> Guide:
    scale = definition.scale("total")
    label = text_in(scale.cutoff.label, "en") if scale.cutoff else ""
    return Guide(
        value,
        value,
        palette.CUTOFF,
        _("cutoff %(value)s: %(label)s") % {"value": f"{value:g}", "label": label},
    )


def _expected_model(case: Case) -> ExpectedResponse | None:
    stored = (case.organization.signal_norms or {}).get("models") or {}
    data = stored.get(EXPECTED_MODEL)
    return ExpectedResponse.from_dict(data) if data else None


def _expected_curves(
    model: ExpectedResponse,
    config: SignalConfig,
    intake: float,
    first: int,
    last: int,
) -> list[Series]:
    sessions = list(range(first, max(last + 2, first + 7) + 1))
    mean = model.mean(sessions, [intake] * len(sessions))
    sd = model.sd(sessions)
    curves = (
        ("expected", _("Expected"), mean),
        ("upper80", _("80% bound"), mean + config.not_on_track_yellow_z * sd),
        ("upper90", _("90% bound"), mean + config.not_on_track_red_z * sd),
    )
    return [
        Series(
            key,
            name,
            colour,
            tuple(
                (n, round(float(v), 1)) for n, v in zip(sessions, values, strict=True)
            ),
            dashed=True,
            width=1.5,
        )
        for (key, name, values), colour in zip(curves, palette.EXPECTED, strict=True)
    ]


# ---- every other symptom or outcome measure ------------------------------------


FINDINGS = {
    "phq-9": (gettext_lazy("Depressive syndrome"), gettext_lazy("PHQ-9 algorithm"))
}
"""The header of a measure's rule-result column (tether.scoring.rules)."""


def measures(
    frame: pd.DataFrame,
    names: Mapping[str, str],
    results: Mapping[RuleKey, Mapping[str, Any]],
) -> list[Measure]:
    """A chart and a table for each symptom or outcome measure the case's
    members answered (PHQ-9, GAD-7, ORS...; the PCL-5 has its own): one line
    per member in their colour, the cutoff where the measure has one, and in
    the table the rule result stored with each total (PHQ-9: the syndrome)."""
    if frame.empty:
        return []
    rows = frame[
        frame["role"].isin(OUTCOME_ROLES)
        & ~frame["instrument_id"].isin(OWN_CHARTS)
        & (frame["respondent"] == "member")
        & frame["score"].notna()
    ]
    colour = colours(names)
    out = []
    for instrument_id, found in sorted(rows.groupby("instrument_id")):
        latest = sorted(found["instrument"].unique())[-1]
        definition = library().get(str(latest))
        scale = _main_scale(definition)
        ours = found[found["scale"] == scale.id]
        if ours.empty:
            continue
        out.append(
            _measure(
                str(instrument_id), definition, scale.id, ours, names, colour, results
            )
        )
    return out


def _main_scale(definition: Definition) -> Any:
    ids = [s.id for s in definition.scales]
    return definition.scale("total" if "total" in ids else ids[0])


def _measure(
    instrument_id: str,
    definition: Definition,
    scale_id: str,
    rows: pd.DataFrame,
    names: Mapping[str, str],
    colour: Mapping[str, str],
    results: Mapping[RuleKey, Mapping[str, Any]],
) -> Measure:
    scale = definition.scale(scale_id)
    low, high = definition.scale_bounds(scale)
    rows = rows.assign(_order=member_order(rows["member_id"])).sort_values(
        ["_order", "session"], kind="stable"
    )
    series = [
        Series(
            f"member:{member}",
            names.get(str(member), str(member)),
            colour.get(f"member:{member}", palette.INK),
            tuple(
                (int(n), round(float(v), 1))
                for n, v in zip(own["session"], own["score"], strict=True)
            ),
        )
        for member, own in rows.groupby("member_id", sort=False)
    ]
    guides = (
        [_cutoff(definition, scale.cutoff.value)] if scale.cutoff is not None else []
    )
    title = f"{text_in(definition.title, 'en')} ({definition.short_title})"
    y_title = _("%(measure)s %(scale)s (%(low)s–%(high)s)") % {
        "measure": definition.short_title,
        "scale": text_in(scale.label, "en").lower(),
        "low": f"{low:g}",
        "high": f"{high:g}",
    }
    finding = FINDINGS.get(instrument_id)
    return Measure(
        id=instrument_id,
        title=title,
        panel=draw(
            f"{instrument_id}-chart",
            title,
            summary(series),
            series,
            _session_span(series),
            (low, high),
            x_title=_("Session"),
            y_title=y_title,
            guides=guides,
        ),
        rows=[
            {
                "member": names.get(str(r.member_id), str(r.member_id)),
                "session": int(r.session),
                "score": _rounded(r.score, 0 if scale.method == "sum" else 1),
                "finding": cell_text(
                    instrument_id,
                    results.get(
                        (str(r.member_id), int(r.session), str(r.instrument)), {}
                    ),
                ),
            }
            for r in rows.itertuples()
        ],
        scale=(
            _("%(scale)s %(low)s–%(high)s, lower is better")
            if not scale.higher_is_better
            else _("%(scale)s %(low)s–%(high)s, higher is better")
        )
        % {
            "scale": text_in(scale.label, "en"),
            "low": f"{low:g}",
            "high": f"{high:g}",
        },
        finding=(
            _("%(finding)s (%(rule)s)") % {"finding": finding[0], "rule": finding[1]}
            if finding
            else None
        ),
        caution=str(CAUTIONS.get(instrument_id, "")),
    )


# ---- MSPSS ---------------------------------------------------------------------


def mspss_rows(
    frame: pd.DataFrame, names: Mapping[str, str], low_below: float
) -> list[dict[str, Any]]:
    """Each member's MSPSS subscale means (1–7) by session."""
    if frame.empty:
        return []
    rows = frame[
        (frame["instrument_id"] == "mspss")
        & (frame["respondent"] == "member")
        & frame["scale"].isin(MSPSS_SCALES)
    ]
    if rows.empty:
        return []
    wide = rows.pivot_table(
        index=["member_id", "session"], columns="scale", values="score"
    )
    out = []
    for (member, session), values in wide.iterrows():
        family = values.get("family")
        out.append(
            {
                "member": names.get(str(member), str(member)),
                "session": int(session),
                "values": [_rounded(values.get(s), 2) for s in MSPSS_SCALES],
                "low": bool(family is not None and family < low_below),
            }
        )
    return out


# ---- shared --------------------------------------------------------------------


def _session_span(series: Sequence[Series]) -> tuple[int, int]:
    sessions = [n for s in series for n, _v in s.points]
    return min(sessions), max(sessions)


def _rounded(value: Any, digits: int = 0) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value)) if digits == 0 else round(float(value), digits)
