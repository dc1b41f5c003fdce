"""The case page's charts as plotly figure JSON, built here in Python and drawn
by care/case.js (no inline scripts: docs/architecture.md §Dependencies), with the same
numbers as plain tables for readers without JavaScript or with a screen reader."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from tether.instruments import Definition, text_in
from tether.signals import SignalConfig
from tether.signals.expected import ExpectedResponse
from tether.signals.thresholds import MEANINGFUL, change_rule

from .breakdown import MemberBreakdown, rupture_falls, tac_breakdown
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

LEVELS = ("member", "subsystem", "family", "therapist")
# Okabe-Ito: told apart with the common colour-vision deficiencies.
MEMBER_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SUBSYSTEM_COLOURS = ("#6A51A3", "#8C6D31", "#35978F", "#7F7F7F")
FAMILY_COLOUR = "#1d2733"
SEVERITY_COLOURS = {"red": "#a3222a", "yellow": "#b07800"}
MARKED_KINDS = (
    "rupture",
    "split-dyad",
    "split-family",
    "split-adult-youth",
    "split-family-therapist",
)
EXPECTED_MODEL = "pcl-5@past-week"
MSPSS_SCALES = ("family", "friends", "significant-other", "total")


@dataclass(frozen=True)
class CaseCharts:
    alliance: dict[str, Any] | None = None
    alliance_table: dict[str, Any] = field(default_factory=dict)
    uses_tac: bool = False
    pcl5: dict[str, Any] | None = None
    pcl5_table: list[dict[str, Any]] = field(default_factory=list)
    pcl5_info: dict[str, Any] = field(default_factory=dict)
    phq9: list[dict[str, Any]] = field(default_factory=list)
    mspss: list[dict[str, Any]] = field(default_factory=list)
    no_change_rule: list[str] = field(default_factory=list)
    """One sentence per symptom measure of the case that no change rule judges."""
    breakdown: list[MemberBreakdown] = field(default_factory=list)
    """What each member's alliance is made of (care/breakdown.py)."""
    falls: dict[int, str] = field(default_factory=dict)
    """Per open rupture alert id: the dimensions that fell most."""
    cautions: dict[str, str] = field(default_factory=dict)
    """What the PCL-5 and PHQ-9 rule results are not (a diagnosis)."""


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
    phq9 = phq9_rows(frame, names, results)
    uses_tac = not frame.empty and frame["instrument_id"].str.startswith("tac").any()
    return CaseCharts(
        alliance=alliance_figure(levels, names, markers),
        alliance_table=alliance_table(levels, names),
        uses_tac=bool(uses_tac),
        pcl5=pcl5,
        pcl5_table=pcl5_table,
        pcl5_info=pcl5_info,
        phq9=phq9,
        mspss=mspss_rows(frame, names, config.low_support_below),
        no_change_rule=no_change_rule_notes(
            frame, config, (case.organization.signal_norms or {}).get("intake_sds")
        ),
        breakdown=tac_breakdown(frame, names, library()),
        falls=rupture_falls(frame, open_signals, library()),
        cautions={
            "pcl5": str(CAUTIONS["pcl-5"]),
            "phq9": str(CAUTIONS["phq-9"]),
            "not_computed": str(NOT_COMPUTED_IN_TABLES),
        },
    )


# ---- alliance ------------------------------------------------------------------


def series_name(level: str, subject: str, names: Mapping[str, str]) -> str:
    """The legend name of one alliance series (escaped: plotly reads markup)."""
    ident = subject.partition(":")[2]
    if level == "member":
        name = names.get(ident, f"member {ident}")
    elif level == "subsystem":
        name = f"{ident} (subsystem)"
    elif level == "family":
        name = "Whole family"
    elif subject == "family":
        name = "Therapist: family"
    else:
        name = f"Therapist: {names.get(ident, ident)}"
    return html.escape(name)


def _colours(names: Mapping[str, str]) -> dict[str, str]:
    return {
        f"member:{pk}": MEMBER_COLOURS[i % len(MEMBER_COLOURS)]
        for i, pk in enumerate(names)
    }


def _line(level: str, subject: str, colours: dict[str, str], n: int) -> dict[str, Any]:
    if level == "member":
        return {"color": colours.get(subject, "#555"), "width": 2}
    if level == "subsystem":
        colour = SUBSYSTEM_COLOURS[n % len(SUBSYSTEM_COLOURS)]
        return {"color": colour, "width": 2, "dash": "dot"}
    if level == "family":
        return {"color": FAMILY_COLOUR, "width": 4}
    return {"color": colours.get(subject, FAMILY_COLOUR), "width": 2, "dash": "dash"}


def alliance_figure(
    levels: pd.DataFrame, names: Mapping[str, str], markers: Sequence[Signal]
) -> dict[str, Any] | None:
    """One line per member, per subsystem and for the whole family; the
    therapist's ratings dashed; open ruptures and splits marked at their session."""
    if levels.empty:
        return None
    colours = _colours(names)
    fig = go.Figure(layout=_layout("Alliance (0–100)", (0, 100)))
    for level in LEVELS:
        rows = levels[levels["level"] == level]
        for n, (subject, series) in enumerate(rows.groupby("subject", sort=True)):
            line = _line(level, str(subject), colours, n)
            fig.add_trace(
                go.Scatter(
                    x=series["session"].tolist(),
                    y=series["value"].round(1).tolist(),
                    name=series_name(level, str(subject), names),
                    legendgroup=level,
                    mode="lines+markers",
                    line=line,
                    hovertemplate="%{y:.0f}",
                )
            )
    if markers:
        fig.add_trace(_marker_trace(levels, markers, names))
    return _plain(fig)


def _marker_trace(
    levels: pd.DataFrame, markers: Sequence[Signal], names: Mapping[str, str]
) -> go.Scatter:
    value = {
        (int(r.session), str(r.subject)): float(r.value)
        for r in levels[levels["level"] != "therapist"].itertuples()
    }
    xs, ys, texts, colours = [], [], [], []
    for signal in markers:
        at = signal.session_number
        y = value.get((at, signal.subject), value.get((at, "family"), 3.0))
        who = html.escape(
            names.get(signal.subject.removeprefix("member:"), signal.subject)
        )
        xs.append(at)
        ys.append(round(y, 1))
        texts.append(f"{signal.kind.replace('-', ' ')} ({signal.severity}): {who}")
        colours.append(SEVERITY_COLOURS.get(signal.severity, "#555"))
    return go.Scatter(
        x=xs,
        y=ys,
        name="Open ruptures and splits",
        legendgroup="alert",
        mode="markers",
        marker={"symbol": "x", "size": 13, "color": colours},
        hovertext=texts,
        hoverinfo="text",
    )


def alliance_table(levels: pd.DataFrame, names: Mapping[str, str]) -> dict[str, Any]:
    """The chart's numbers: one row per session, one column per series."""
    if levels.empty:
        return {}
    keyed = levels.assign(
        series=[
            html.unescape(series_name(level, subject, names))
            for level, subject in zip(levels["level"], levels["subject"], strict=True)
        ],
        order=levels["level"].map({level: i for i, level in enumerate(LEVELS)}),
    ).sort_values(["order", "subject"])
    columns = list(dict.fromkeys(keyed["series"]))
    wide = keyed.pivot_table(index="session", columns="series", values="value")
    rows = [
        (int(session), [_rounded(wide.at[session, c]) for c in columns])
        for session in wide.index
    ]
    return {"columns": columns, "rows": rows}


# ---- PCL-5 ---------------------------------------------------------------------


def pcl5_figure(
    frame: pd.DataFrame,
    members: Sequence[Member],
    case: Case,
    config: SignalConfig,
    results: Mapping[RuleKey, Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], dict[str, Any]]:
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
    fig = go.Figure(layout=_layout("PCL-5 total (0–80)", (low, high)))
    own = totals[totals["member_id"] == str(reference.pk)]
    intake = float(own["score"].iloc[0])
    info |= _pcl5_guides(fig, definition, intake, config, reference.first_name)
    model = _expected_model(case)
    if model is not None:
        first, last = int(own["session"].iloc[0]), int(own["session"].iloc[-1])
        _expected_curves(fig, model, config, intake, first, last)
        info["expected"] = True
    colours = _colours({str(m.pk): m.first_name for m in members})
    table = []
    for member in answered:
        rows = totals[totals["member_id"] == str(member.pk)]
        sessions, scores = rows["session"].tolist(), rows["score"].tolist()
        keys = [
            (str(member.pk), int(n), i)
            for n, i in zip(sessions, rows["instrument"], strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=sessions,
                y=scores,
                name=html.escape(f"{member.first_name}: PCL-5 total"),
                mode="lines+markers",
                line={
                    "color": colours[f"member:{member.pk}"],
                    "width": 3 if member == reference else 2,
                },
                marker={"size": 8},
                hovertemplate="%{y:.0f}",
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
    info["reference"] = reference.first_name
    info["members"] = [
        {"name": m.first_name, "client": m.is_identified_client} for m in answered
    ]
    return _plain(fig), table, info


def _pcl5_guides(
    fig: go.Figure,
    definition: Definition,
    intake: float,
    config: SignalConfig,
    whose: str,
) -> dict[str, Any]:
    """The cutoff line and the band around one person's intake within which a
    change raises no alert (the change rule's threshold, as the clinic has set
    it)."""
    scale = definition.scale("total")
    low, high = definition.scale_bounds(scale)
    info: dict[str, Any] = {"intake": _rounded(intake)}
    rule = change_rule(definition.key, scale, config)
    if rule is not None:
        points = rule.threshold
        fig.add_hrect(
            y0=max(low, intake - points),
            y1=min(high, intake + points),
            fillcolor="#2a5d8f",
            opacity=0.1,
            line_width=0,
            annotation_text=(
                f"{html.escape(whose, quote=False)}’s intake ± {points:g}: no alert"
            ),
            annotation_position="top left",
        )
        info["change_alert"] = points
        info["change_basis"] = (
            "clinically meaningful" if rule.basis == MEANINGFUL else "reliable"
        )
    if scale.cutoff is not None:
        label = text_in(scale.cutoff.label, "en")
        fig.add_hline(
            y=scale.cutoff.value,
            line={"color": "#a3222a", "width": 1.5, "dash": "dot"},
            annotation_text=f"cutoff {scale.cutoff.value:g}: {label}",
            annotation_position="bottom right",
        )
        info["cutoff"] = scale.cutoff.value
        info["cutoff_label"] = label
    return info


def _expected_model(case: Case) -> ExpectedResponse | None:
    stored = (case.organization.signal_norms or {}).get("models") or {}
    data = stored.get(EXPECTED_MODEL)
    return ExpectedResponse.from_dict(data) if data else None


def _expected_curves(
    fig: go.Figure,
    model: ExpectedResponse,
    config: SignalConfig,
    intake: float,
    first: int,
    last: int,
) -> None:
    sessions = list(range(first, max(last + 2, first + 7) + 1))
    mean = model.mean(sessions, [intake] * len(sessions))
    sd = model.sd(sessions)
    curves = (
        ("Expected for similar clients", mean, "#5b6775", "dot"),
        (
            "80% upper bound",
            mean + config.not_on_track_yellow_z * sd,
            "#b07800",
            "dash",
        ),
        ("90% upper bound", mean + config.not_on_track_red_z * sd, "#a3222a", "dash"),
    )
    for name, values, colour, dash in curves:
        fig.add_trace(
            go.Scatter(
                x=sessions,
                y=[round(float(v), 1) for v in values],
                name=name,
                legendgroup="expected",
                mode="lines",
                line={"color": colour, "width": 1.5, "dash": dash},
                hovertemplate="%{y:.0f}",
            )
        )


# ---- PHQ-9 ---------------------------------------------------------------------


def phq9_rows(
    frame: pd.DataFrame,
    names: Mapping[str, str],
    results: Mapping[RuleKey, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Each member's PHQ-9 totals (0-27) by session, with the syndrome the
    PHQ-9 algorithm found in the same answers."""
    if frame.empty:
        return []
    rows = frame[
        (frame["instrument_id"] == "phq-9")
        & (frame["respondent"] == "member")
        & (frame["scale"] == "total")
        & frame["score"].notna()
    ]
    rows = rows.assign(_order=member_order(rows["member_id"]))
    return [
        {
            "member": names.get(str(r.member_id), str(r.member_id)),
            "session": int(r.session),
            "score": _rounded(r.score),
            "syndrome": cell_text(
                "phq-9",
                results.get((str(r.member_id), int(r.session), str(r.instrument)), {}),
            ),
        }
        for r in rows.sort_values(["_order", "session"], kind="stable").itertuples()
    ]


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


def _layout(title: str, y_range: tuple[float, float]) -> dict[str, Any]:
    return {
        "template": "none",
        "height": 420,
        "margin": {"l": 56, "r": 16, "t": 16, "b": 120},
        "font": {"family": "system-ui, sans-serif", "size": 13, "color": "#1d2733"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "x unified",
        "xaxis": {"title": {"text": "Session"}, "dtick": 1, "gridcolor": "#eef1f5"},
        "yaxis": {
            "title": {"text": title},
            "range": [y_range[0], y_range[1]],
            "gridcolor": "#eef1f5",
            "zeroline": False,
        },
        "legend": {"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
    }


def _plain(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain JSON data, for `json_script`."""
    if len(fig.data) < 2:  # plotly shows no legend: no room needed for one
        fig.update_layout(height=360, margin_b=50)
    data: dict[str, Any] = json.loads(fig.to_json())
    return data


def _rounded(value: Any, digits: int = 0) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value)) if digits == 0 else round(float(value), digits)
