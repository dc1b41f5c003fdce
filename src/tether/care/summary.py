"""What the pages show at a glance: the alliance by level, the latest PCL-5,
and the chart series (computed with the pure signals package)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tether.signals import SignalConfig
from tether.signals.alliance import alliance_frame, alliance_levels
from tether.signals.thresholds import (
    MEANINGFUL,
    MIN_INTAKES_FOR_SD,
    NEEDS_CLINIC_SD,
    OUTCOME_ROLES,
    RELIABLE,
    OutcomeScale,
    change_rule,
    missing_change_rule,
)

from .frames import library
from .models import SENT, Response

RuleKey = tuple[str, int, str]

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


def pcl5_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Every member's own PCL-5 totals (either recall version), by session."""
    if frame.empty:
        return frame
    return frame[
        (frame["instrument_id"] == "pcl-5")
        & (frame["scale"] == "total")
        & (frame["respondent"] == "member")
        & frame["score"].notna()
    ].sort_values("session", kind="stable")


def member_order(member_ids: pd.Series) -> pd.Series:
    """Members in the order they were added (their ids are database keys)."""
    return pd.to_numeric(member_ids, errors="coerce")


def latest_pcl5(frame: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """Per case, the identified client's latest PCL-5 total and its change since
    their first. When the identified client has none (a child too young for
    it, say), the most recent of another member's (the first added on a tie),
    marked `fallback`; `member_id` says whose it is."""
    pcl = pcl5_totals(frame)
    out: dict[int, dict[str, Any]] = {}
    for case_id, rows in pcl.groupby("case_id"):
        client = rows[rows["member_role"] == "identified-client"]
        chosen = client if not client.empty else rows
        latest = chosen.assign(_order=member_order(chosen["member_id"])).sort_values(
            ["session", "_order"], ascending=[False, True], kind="stable"
        )
        member = latest["member_id"].iloc[0]
        own = rows[rows["member_id"] == member]
        first, last = own.iloc[0], own.iloc[-1]
        out[int(case_id)] = {
            "latest": round(float(last["score"])),
            "change": round(float(last["score"] - first["score"])),
            "session": int(last["session"]),
            "first_session": int(first["session"]),
            "member_id": str(member),
            "fallback": client.empty,
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


def stored_rule_results(case_id: int) -> dict[RuleKey, dict[str, Any]]:
    """What the scoring rules found in each sent member response of a case,
    by (member id, session number, instrument key), as the score table names
    them."""
    rows = Response.objects.filter(
        session__case_id=case_id,
        status__in=SENT,
        respondent=Response.Respondent.MEMBER,
        member__isnull=False,
    ).values_list("member_id", "session__number", "instrument", "rule_results")
    return {
        (str(member), int(number), instrument): dict(results or {})
        for member, number, instrument, results in rows
    }


PCL5 = "pcl-5"
CHANGE_WORDS = {
    (MEANINGFUL, "worse"): gettext_lazy("meaningfully worse"),
    (MEANINGFUL, "better"): gettext_lazy("meaningfully better"),
    (RELIABLE, "worse"): gettext_lazy("reliably worse"),
    (RELIABLE, "better"): gettext_lazy("reliably better"),
}


def pcl5_change_rule(config: SignalConfig) -> OutcomeScale | None:
    """The clinic's change rule for the PCL-5 total: the same rule that raises
    the worsening and improvement alerts (signals/thresholds.py)."""
    definition = library().get(PCL5)
    total = next(s for s in definition.scales if s.id == "total")
    return change_rule(definition.key, total, config, library=library())


def pcl5_verdict(change: float, rule: OutcomeScale | None) -> dict[str, Any]:
    """`direction` worse/better/"" for a change since intake, and its words."""
    if rule is None or abs(change) < rule.threshold:
        return {"direction": "", "words": ""}
    direction = "worse" if change > 0 else "better"
    return {"direction": direction, "words": CHANGE_WORDS[(rule.basis, direction)]}


def pcl5_rule_sentence(rule: OutcomeScale | None) -> str:
    """The caseload's explanation of its PCL-5 tags, with the clinic's numbers."""
    if rule is None:
        return _("No change rule applies to the PCL-5 here.")
    kind = (
        _("a clinically meaningful change")
        if rule.basis == MEANINGFUL
        else _("a reliable change")
    )
    return _("a change of %(points)s points or more since intake is %(kind)s") % {
        "points": f"{rule.threshold:g}",
        "kind": kind,
    }
