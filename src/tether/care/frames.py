"""Scores from the database as the long-format table the signals read."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
from django.db.models import Q

from tether.instruments import Library, load_library
from tether.longformat import COLUMNS
from tether.signals import check_scores
from tether.signals.alliance import SUBSYSTEMS, subsystems_of
from tether.signals.engine import item_scales_read
from tether.signals.risk import risk_item_scales

from .models import AgeBand, Score, Subsystem

Row = tuple[str, str, str, str, str, str, str, str, str, str]
"""One long-format row, every column but `subsystem` (score_frame fills it)."""
ROW_COLUMNS = [column for column in COLUMNS if column != "subsystem"]
RowSource = Callable[[list[int] | None, int | None], list[Row]]
RISK_ITEM_PREFIX = "item:"
ROW_SOURCES: list[RowSource] = []
"""Other apps add long-format rows here (the portal adds the questionnaires of
invitations that expired unanswered, which the disengagement rule counts)."""


def library() -> Library:
    from django.conf import settings

    return load_library(settings.DATA_DIR)


def score_frame(
    case_ids: Iterable[int] | None = None,
    organization_id: int | None = None,
    risk_items_only: bool = False,
    alliance_items: bool = False,
) -> pd.DataFrame:
    """The checked long-format table of these cases (or of an organization),
    each member in their subsystem as the case's clinicians edited it; with
    `risk_items_only`, just the risk items' `item:<id>` rows, which the risk
    rule reads (no alliance item, no other app's rows, no subsystems), so a
    risk answer is checked quickly and alone.

    The `item:<id>` rows of alliance items (a TAC's eleven answers) come only
    with `alliance_items` (the case page's breakdown), except those a rule
    reads (signals.engine.item_scales_read): the others no rule looks at, and
    they would nearly triple the rows every recompute checks (measured on one
    50-member case: 0.51 s per recompute without them, 0.73 s with them,
    under profiling)."""
    case_ids = None if case_ids is None else list(case_ids)
    scores = Score.objects.all()
    if risk_items_only:
        scores = scores.filter(_item_rows(risk_item_scales(library())))
    elif not alliance_items:
        scores = scores.filter(
            ~Q(scale__startswith=RISK_ITEM_PREFIX)
            | _item_rows(item_scales_read(library()))
        )
    if case_ids is not None:
        scores = scores.filter(response__session__case_id__in=case_ids)
    if organization_id is not None:
        scores = scores.filter(organization_id=organization_id)
    rows = scores.values_list(
        "response__session__case_id",
        "response__member_id",
        "response__member__role",
        "response__respondent",
        "response__session__number",
        "response__instrument",
        "scale",
        "value",
        "response__session__case__kind",
        "response__member__age_band",
    )
    records = [
        (
            str(case),
            str(member) if member is not None else "family",
            role or "family",
            respondent,
            str(number),
            instrument,
            scale,
            "" if value is None else repr(value),
            kind,
            "" if member is None else ("adult" if band == AgeBand.ADULT else "youth"),
        )
        for case, member, role, respondent, number, instrument, scale, value, kind, band in rows
    ]
    for source in [] if risk_items_only else ROW_SOURCES:
        records += source(case_ids, organization_id)
    if not records:
        return pd.DataFrame(columns=[*COLUMNS, "instrument_id", "role", "low", "high"])
    raw = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
    if not risk_items_only:
        raw["subsystem"] = edited_subsystems(raw, case_ids, organization_id)
    return check_scores(_worst_risk_answer(raw), library())


def _item_rows(pairs: set[tuple[str, str]]) -> Q:
    """The score rows of these (instrument, `item:<id>`) pairs."""
    wanted = Q(pk__in=[])
    for instrument, scale in sorted(pairs):
        wanted |= Q(response__instrument=instrument, scale=scale)
    return wanted


def edited_subsystems(
    raw: pd.DataFrame, case_ids: list[int] | None, organization_id: int | None
) -> pd.Series:
    """Each row's `subsystem` cell from the case's subsystems as edited in the
    app: the first of caregivers, children and couple the member is in; `none`
    when the subsystem their role would place them in exists for the case
    without them (a clinician took them out); empty, so derived from the role,
    when the case has no such subsystem (docs/long-format.md)."""
    subsystems = Subsystem.objects.filter(name__in=SUBSYSTEMS)
    if case_ids is not None:
        subsystems = subsystems.filter(case_id__in=case_ids)
    if organization_id is not None:
        subsystems = subsystems.filter(organization_id=organization_id)
    existing = {
        (str(case), name) for case, name in subsystems.values_list("case_id", "name")
    }
    rank = {name: i for i, name in enumerate(SUBSYSTEMS)}
    member_of: dict[str, str] = {}
    links = Subsystem.members.through.objects.filter(subsystem__in=subsystems)
    for member, name in links.values_list("member_id", "subsystem__name"):
        known = member_of.get(str(member))
        if known is None or rank[name] < rank[known]:
            member_of[str(member)] = name
    derived = pd.MultiIndex.from_arrays([raw["case_id"], subsystems_of(raw)])
    taken_out = pd.Series(derived.isin(list(existing)), index=raw.index)
    cell = raw["member_id"].map(member_of)
    cell = cell.where(cell.notna(), taken_out.map({True: "none", False: ""}))
    return cell.where(raw["member_role"] != "family", "")


def _worst_risk_answer(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per item, person and session: incomplete responses stand
    beside the one that counts, and each may hold an answer to the same risk
    item. The highest answer is kept (a value over none), so a risk answer in
    any of them reaches the risk rule. (Incomplete responses store risk items
    only, so an alliance item's `item:<id>` row has no duplicate to drop; the
    risk rule itself reads only the items its instrument marks as risk.)"""
    items = raw["scale"].str.startswith(RISK_ITEM_PREFIX)
    if not items.any():
        return raw
    answers = raw[items]
    value = pd.to_numeric(answers["score"].replace("", None), errors="coerce")
    worst = (
        answers.assign(_value=value.fillna(float("-inf")))
        .sort_values("_value", kind="stable")
        .drop_duplicates(list(COLUMNS[:7]), keep="last")
        .drop(columns="_value")
    )
    return pd.concat([raw[~items], worst], ignore_index=True)
