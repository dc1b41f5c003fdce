"""Disengagement (docs/clinical-rules.md §Disengagement): a member who left
`disengagement_missed` invitations in a row unanswered, or who stopped taking
part while the case went on."""

from __future__ import annotations

import pandas as pd

from .config import SignalConfig
from .model import episodes, rows

MEMBER = ["case_id", "member_id"]


def disengagement_signals(frame: pd.DataFrame, config: SignalConfig) -> pd.DataFrame:
    # Risk-item rows are the risk rule's: they may come from answers never
    # sent, which do not count as taking part.
    members = frame[
        (frame["respondent"] == "member") & ~frame["scale"].str.startswith("item:")
    ]
    per_session = members.groupby([*MEMBER, "session"])["score"].agg(
        lambda s: s.notna().any()
    )
    missed = per_session[~per_session].reset_index()[[*MEMBER, "session"]]
    runs = episodes(missed.assign(severity="yellow"), MEMBER)
    runs = runs[runs["sessions"] >= config.disengagement_missed]
    evidence = [
        {
            "member": r.member_id,
            "missed": int(r.sessions),
            "since_session": int(r.first_session),
            "reason": "unanswered invitations",
        }
        for r in runs.itertuples(index=False)
    ]
    unanswered = rows(
        "disengagement",
        runs.assign(session=runs["first_session"] + config.disengagement_missed - 1),
        "yellow",
        "member:" + runs["member_id"],
        evidence,
    )
    return pd.concat([unanswered, _stopped(members, config)], ignore_index=True)


def _stopped(members: pd.DataFrame, config: SignalConfig) -> pd.DataFrame:
    """Members with no rows in the case's last sessions while others still answer."""
    last_case = members.groupby("case_id")["session"].max().rename("case_last")
    last_member = (
        members.groupby(MEMBER)["session"].max().rename("member_last").reset_index()
    )
    table = last_member.join(last_case, on="case_id")
    gone = table[
        table["case_last"] - table["member_last"] >= config.disengagement_missed
    ]
    # Keyed to where the episode began (the first session missed), so the
    # alert keeps its identity, and its acknowledgement, as the case goes on.
    gone = gone.assign(session=gone["member_last"] + 1)
    evidence = [
        {
            "member": r.member_id,
            "missed": int(r.case_last - r.member_last),
            "since_session": int(r.member_last + 1),
            "reason": "stopped attending",
        }
        for r in gone.itertuples(index=False)
    ]
    return rows(
        "disengagement", gone, "yellow", "member:" + gone["member_id"], evidence
    )
