"""Reliability of each instrument on a clinic's own answers (methods §6;
docs/analytics.md §Reliability): for each instrument version, scale and
respondent role, Cronbach's α with its Feldt CI, McDonald's ω, the corrected
item–total r of each item, the SEM and the reliable-change threshold in raw
points, with N and the date window.

The statistics are scoring.psychometrics' (α: Cronbach 1951, Feldt, Woodruff &
Salih 1987; ω: McDonald 1999; r.drop as psych's ``R/alpha.R``) and
scoring.change's (SEM and S_diff, Jacobson & Truax 1991); this module only
chooses the rows and columns they are computed on.

Which answers: each person's earliest response to the instrument version that
answers every item of the scale, scored as the scale scores it (option scores,
reversed items reversed: scoring.engine.item_scores). One response per person,
because repeated answers of one person are not independent and would mix
within- and between-person variance (methods §6.3); the earliest, so the SD
is the baseline SD that Jacobson–Truax's SEM asks for (methods §1.1).

The input is a long item table, one row per answer (ITEM_COLUMNS): what
tether.care gathers from stored responses, and what a research export's
``item:<id>`` rows give (docs/research-export.md)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from tether.instruments import Definition, Library, UnknownInstrument
from tether.scoring import (
    Z_CRIT,
    corrected_item_total,
    cronbach_alpha,
    item_scores,
    mcdonald_omega,
    s_diff,
    sem,
)

from .needs import NotEnoughData

FloatArray = npt.NDArray[np.float64]

ITEM_COLUMNS = (
    "person",
    "respondent",
    "instrument",
    "session",
    "date",
    "item",
    "answer",
)
"""One answer per row: who (any stable key, e.g. case/member), their respondent
role, the instrument (id@version), the session number, its date (or empty),
the item id and the stored answer (a number, empty when not answered)."""

MIN_PEOPLE = 30
"""The fewest people whose answers a reliability is computed on (a project
default, docs/analytics.md §Minimum data): below about 30 the Feldt interval
of α spans most of the scale and a one-factor fit is unstable."""


def minimum_people(items: int) -> int:
    """People needed for a scale of `items` items: MIN_PEOPLE, and always more
    people than items, so the covariance matrix the one-factor model (ω) is
    fitted to is of full rank."""
    return max(MIN_PEOPLE, items + 2)


@dataclass(frozen=True, slots=True)
class ItemTotal:
    item: str
    r: float | None
    """Corrected item–total r; None where the item never varied."""


@dataclass(frozen=True, slots=True)
class Reliability:
    instrument: str
    """id@version."""
    scale: str
    respondent: str
    n: int
    """People (one response each)."""
    k: int
    """Items of the scale."""
    alpha: float
    alpha_low: float
    alpha_high: float
    """Feldt's 95% interval of α."""
    omega: float | None
    """McDonald's ω_total (one factor, covariance metric); None where the
    one-factor model could not be fitted (`omega_note` says why)."""
    omega_note: str
    item_total: tuple[ItemTotal, ...]
    mean: float
    sd: float
    """Sample SD (n − 1) of the scale scores."""
    sem: float | None
    """SD·√(1 − α); None where α is not in [0, 1)."""
    rc_points: float | None
    """The reliable-change threshold in the scale's points: 1.96·√2·SEM."""
    first_date: dt.date | None
    last_date: dt.date | None

    @property
    def weakest_item(self) -> ItemTotal | None:
        known = [i for i in self.item_total if i.r is not None]
        return min(known, key=lambda i: i.r or 0.0) if known else None


def scale_reliability(
    definition: Definition,
    scale_id: str,
    answers: npt.ArrayLike,
    *,
    respondent: str = "",
    dates: Iterable[dt.date | None] = (),
) -> Reliability | NotEnoughData:
    """The reliability of one scale on `answers`: one row per person, the
    stored answers to every item of `definition` in definition order (NaN
    where not answered). Rows missing an item of the scale are left out;
    `dates` (one per row, optional) give the window of the rows used."""
    scale = definition.scale(scale_id)
    matrix = np.asarray(answers, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(definition.items):
        raise ValueError(
            f"{definition.key}: expected an N×{len(definition.items)} answer matrix, "
            f"got shape {matrix.shape}"
        )
    columns = [definition.item_ids.index(item) for item in scale.items]
    scored = item_scores(definition, matrix)[:, columns]
    complete = np.all(np.isfinite(scored), axis=1)
    block = scored[complete]
    k = len(columns)
    needed = minimum_people(k)
    if block.shape[0] < needed:
        return NotEnoughData(
            f"reliability of {definition.key} {scale.id}"
            + (f" ({respondent})" if respondent else ""),
            "people who answered every item",
            needed,
            int(block.shape[0]),
            instrument=definition.key,
            scale=scale.id,
            respondent=respondent,
        )
    alpha = cronbach_alpha(block)
    totals = block.sum(axis=1) if scale.method == "sum" else block.mean(axis=1)
    sd = float(np.std(totals, ddof=1))
    error, threshold = _sem_and_threshold(sd, alpha.alpha)
    omega, note = _omega(block)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = corrected_item_total(block)
    used = [
        d for d, keep in zip(_padded(dates, len(matrix)), complete, strict=True) if keep
    ]
    known_dates = sorted(d for d in used if d is not None)
    return Reliability(
        instrument=definition.key,
        scale=scale.id,
        respondent=respondent,
        n=int(block.shape[0]),
        k=k,
        alpha=alpha.alpha,
        alpha_low=alpha.ci_low,
        alpha_high=alpha.ci_high,
        omega=omega,
        omega_note=note,
        item_total=tuple(
            ItemTotal(item, float(v) if math.isfinite(v) else None)
            for item, v in zip(scale.items, r, strict=True)
        ),
        mean=float(totals.mean()),
        sd=sd,
        sem=error,
        rc_points=threshold,
        first_date=known_dates[0] if known_dates else None,
        last_date=known_dates[-1] if known_dates else None,
    )


def _padded(dates: Iterable[dt.date | None], n: int) -> list[dt.date | None]:
    given = list(dates)
    return given if len(given) == n else [None] * n


def _sem_and_threshold(sd: float, alpha: float) -> tuple[float | None, float | None]:
    """SEM = SD·√(1 − α) and Δ = z·√2·SEM (scoring.change; methods §1.1);
    none where α is outside [0, 1) or the scores never varied."""
    if not (0 <= alpha < 1) or not sd > 0:
        return None, None
    error = sem(sd, alpha)
    return error, Z_CRIT * s_diff(error)


def _omega(block: FloatArray) -> tuple[float | None, str]:
    if block.shape[1] < 3:
        return None, "a one-factor model needs at least 3 items"
    if np.any(np.var(block, axis=0, ddof=1) == 0):
        return None, "an item never varied, so no one-factor model can be fitted"
    try:
        return mcdonald_omega(block).omega_total, ""
    except (RuntimeError, np.linalg.LinAlgError, ValueError) as error:
        return None, f"the one-factor model could not be fitted ({error})"


def clinic_reliability(
    items: pd.DataFrame, library: Library
) -> list[Reliability | NotEnoughData]:
    """Every scale of two or more items of every instrument version in
    `items` (ITEM_COLUMNS), per respondent role; in instrument, scale and
    respondent order. Instruments the library does not know are left out."""
    found: list[Reliability | NotEnoughData] = []
    if items.empty:
        return found
    for (key, respondent), rows in items.groupby(
        ["instrument", "respondent"], sort=True
    ):
        try:
            definition = library.get(str(key))
        except UnknownInstrument:
            continue
        wide = _responses(rows, definition)
        for scale in definition.scales:
            if len(scale.items) < 2:
                continue
            matrix, dates = _first_complete(wide, definition, scale.items)
            found.append(
                scale_reliability(
                    definition,
                    scale.id,
                    matrix,
                    respondent=str(respondent),
                    dates=dates,
                )
            )
    return found


def _responses(rows: pd.DataFrame, definition: Definition) -> pd.DataFrame:
    """One row per response (person, session), one column per item of the
    definition, in definition order; the response's date beside them."""
    known = rows[rows["item"].isin(definition.item_ids)]
    answers = pd.to_numeric(known["answer"], errors="coerce")
    wide = (
        known.assign(answer=answers)
        .groupby(["person", "session", "item"])["answer"]
        .last()
        .unstack("item")
        .reindex(columns=list(definition.item_ids))
    )
    dates = rows.groupby(["person", "session"])["date"].first()
    return wide.assign(_date=dates.reindex(wide.index))


def _first_complete(
    wide: pd.DataFrame, definition: Definition, scale_items: tuple[str, ...]
) -> tuple[FloatArray, list[dt.date | None]]:
    """Each person's earliest response answering every item of the scale."""
    complete = wide[list(scale_items)].notna().all(axis=1)
    chosen = (
        wide[complete]
        .reset_index()
        .sort_values(["person", "session"], kind="stable")
        .drop_duplicates("person", keep="first")
    )
    matrix = chosen[list(definition.item_ids)].to_numpy(dtype=np.float64)
    return matrix, [_as_date(d) for d in chosen["_date"]]


def _as_date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day: dt.date = pd.Timestamp(str(value)).date()
    except ValueError:
        return None
    return day
