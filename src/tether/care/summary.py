"""What the pages show at a glance: the alliance by level, the latest PCL-5,
and the chart series (computed with the pure signals package)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from tether.signals import SignalConfig
from tether.signals.alliance import alliance_frame, alliance_levels
from tether.signals.thresholds import (
    MIN_INTAKES_FOR_SD,
    NEEDS_CLINIC_SD,
    OUTCOME_ROLES,
    missing_change_rule,
)

from .frames import library

LEVEL_COLUMNS = ["case_id", "session", "level", "subject", "value", "spread", "n"]


def levels_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The alliance at each level, per case and session, of a score table."""
    if frame.empty:
        return pd.DataFrame(columns=LEVEL_COLUMNS)
    return alliance_levels(alliance_frame(frame, library()))


def alliance_glance(frame: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """Per case, at its latest session: the lowest member, each subsystem, the
    family and the therapist's family rating, on 0-100."""
    levels = levels_of(frame)
    out: dict[int, dict[str, Any]] = {}
    for case_id, rows in levels.groupby("case_id"):
        latest = rows[rows["session"] == rows["session"].max()]
        members = latest[latest["level"] == "member"]
        glance: dict[str, Any] = {"session": int(latest["session"].iloc[0])}
        if not members.empty:
            lowest = members.loc[members["value"].idxmin()]
            glance["lowest_member"] = (
                lowest["subject"].removeprefix("member:"),
                round(float(lowest["value"])),
            )
        for level in ("family", "therapist"):
            chosen = latest[
                (latest["level"] == level) & (latest["subject"] == "family")
            ]
            if not chosen.empty:
                glance[level] = round(float(chosen["value"].iloc[0]))
        glance["subsystems"] = {
            r.subject.removeprefix("subsystem:"): round(float(r.value))
            for r in latest[latest["level"] == "subsystem"].itertuples()
        }
        out[int(case_id)] = glance
    return out


def latest_pcl5(frame: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """The identified client's latest PCL-5 total and its change since intake."""
    if frame.empty:
        return {}
    pcl = frame[
        (frame["instrument"].str.startswith("pcl-5@"))
        & (frame["scale"] == "total")
        & frame["score"].notna()
    ]
    out: dict[int, dict[str, Any]] = {}
    for (case_id, _member), rows in pcl.sort_values("session").groupby(
        ["case_id", "member_id"]
    ):
        first, last = rows.iloc[0], rows.iloc[-1]
        out[int(case_id)] = {
            "latest": int(last["score"]),
            "change": int(last["score"] - first["score"]),
            "session": int(last["session"]),
        }
    return out


def no_change_rule_notes(
    frame: pd.DataFrame,
    config: SignalConfig,
    intake_sds: Mapping[str, float] | None = None,
) -> list[str]:
    """A sentence for each symptom or outcome measure of the case whose change
    since intake no rule judges (docs/signals.md, "Outcomes")."""
    if frame.empty:
        return []
    used = frame.loc[frame["role"].isin(OUTCOME_ROLES), "instrument"].unique()
    notes = []
    for key in sorted(used):
        definition = library().get(key)
        reason = missing_change_rule(definition, config, intake_sds)
        if reason is None:
            continue
        if reason == NEEDS_CLINIC_SD:
            text = _(
                "No change rule for %(title)s yet: no reliable-change value or "
                "reference SD is published for it, so Tether will derive one "
                "(Jacobson–Truax, from its reliability) from your clinic's own "
                "intakes once there are %(n)d. Until then its change since intake "
                "raises no alert."
            )
        else:
            text = _(
                "No change rule for %(title)s: its definition gives no published "
                "change value and no reliability, so its change since intake "
                "raises no alert."
            )
        notes.append(text % {"title": definition.short_title, "n": MIN_INTAKES_FOR_SD})
    return notes
