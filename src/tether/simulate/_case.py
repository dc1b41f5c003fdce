"""One simulated case: its members, sessions, planted events and every score.

Pure numpy. A case is returned as a small table of *series* (one member, one
respondent, one instrument scale) and, for each row of the long format, the
series it belongs to, its session and its score; `cohort.py` turns the codes into
text once for the whole cohort.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .config import SimulationConfig

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CASE_KINDS = ("individual", "couple", "family")
INDIVIDUAL, COUPLE, FAMILY = 0, 1, 2

ROLES = ("identified-client", "partner", "caregiver", "sibling", "family")
CLIENT, PARTNER, CAREGIVER, SIBLING, FAMILY_ROLE = 0, 1, 2, 3, 4

RESPONDENTS = ("member", "therapist")
MEMBER, THERAPIST = 0, 1

AGE_BANDS = ("adult", "youth", None)
ADULT, YOUTH, NO_BAND = 0, 1, 2

FAMILY_MEMBER = -1
"""Member code of the therapist's rating of the family as a whole."""

TAC = "tac@1.0"
TAC_CHILD = "tac-child@1.0"
TAC_T = "tac-t@1.0"
"""The TAC forms the simulator writes: version 1.0, named with its version, so
a bare `tac` (which means the default version, now 1.1) never lands on answers
drawn for 1.0. The noise model and the answer grids (1/7 of 0-4 for TAC `self`,
1/4 of 0-4 for TAC-C) are 1.0's; TAC 1.1 has 9 `self` items, TAC-C 1.1 runs
0-3 (docs/simulation.md)."""

SERIES: tuple[tuple[str, str], ...] = (
    (TAC, "self"),
    (TAC_CHILD, "self"),
    (TAC, "family-therapist"),
    (TAC, "within-family"),
    (TAC, "family"),
    (TAC_T, "self"),
    (TAC_T, "family"),
    ("pcl-5@past-week", "total"),
    ("phq-9", "total"),
    ("phq-9", "item:9"),
    ("mspss", "family"),
    ("mspss", "friends"),
    ("mspss", "significant-other"),
    ("mspss", "total"),
)
(
    TAC_SELF,
    TAC_CHILD_SELF,
    TAC_FAMILY_THERAPIST,
    TAC_WITHIN_FAMILY,
    TAC_FAMILY,
    TACT_SELF,
    TACT_FAMILY,
    PCL5_TOTAL,
    PHQ9_TOTAL,
    PHQ9_ITEM9,
    MSPSS_FAMILY,
    MSPSS_FRIENDS,
    MSPSS_SIGNIFICANT_OTHER,
    MSPSS_TOTAL,
) = range(len(SERIES))

EVENTS = (
    "rupture",
    "split-dyad",
    "split-family",
    "split-adult-youth",
    "split-family-therapist",
    "therapist-overestimation",
    "pcl5-responder",
    "pcl5-non-responder",
    "pcl5-deteriorator",
    "risk-item",
    "low-support",
    "missed",
)


@dataclass(frozen=True, slots=True)
class TruthEvent:
    event: str
    member_id: str
    session: int
    end_session: int | None
    detail: str


@dataclass(slots=True)
class CaseOutput:
    """One case in codes. Series arrays have one entry per series; row arrays
    have one entry per long-format row (`row_series` indexes the series)."""

    kind: int
    series_member: IntArray
    series_role: IntArray
    series_respondent: IntArray
    series_code: IntArray
    series_band: IntArray
    row_series: IntArray
    row_session: IntArray
    row_score: FloatArray
    truth: list[TruthEvent] = field(default_factory=list)


def member_id(index: int) -> str:
    return f"M{index + 1}"


def _detail(**values: object) -> str:
    return json.dumps(
        {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}
    )


def _on_grid(x: FloatArray, step: float, low: float, high: float) -> FloatArray:
    """Clip to [low, high] and round to multiples of `step`."""
    result: FloatArray = np.round(np.clip(x, low, high) / step) * step
    return result


def _pick(rng: np.random.Generator, shares: tuple[float, ...]) -> int:
    u = rng.random()
    total = 0.0
    for index, share in enumerate(shares):
        total += share
        if u < total:
            return index
    return len(shares) - 1


class _Calendar:
    """Which sessions planted events already use (columns are sessions 1..S).

    `any[m]`: sessions where member m has an event (a missed pair must avoid them).
    `alliance`: sessions where any member's alliance carries an event, with its
    baseline and repair window; a rupture and a split never share a session, so
    neither hides or imitates the other.
    """

    def __init__(self, members: int, sessions: int) -> None:
        self.sessions = sessions
        self.alliance = np.zeros(sessions + 2, dtype=np.bool_)
        self.any = np.zeros((members, sessions + 2), dtype=np.bool_)

    def mark(
        self, members: list[int], first: int, last: int, alliance: bool = True
    ) -> None:
        first, last = max(first, 1), min(last, self.sessions)
        if first > last:
            return
        self.any[members, first : last + 1] = True
        if alliance:
            self.alliance[first : last + 1] = True


def _free_windows(busy: BoolArray, sessions: int, first: int, length: int) -> IntArray:
    """Start sessions s >= first with sessions s..s+length-1 all free."""
    used = busy[1 : sessions + 1].astype(np.int64)
    cumulative = np.concatenate(([0], np.cumsum(used)))
    starts = np.arange(first, sessions - length + 2, dtype=np.int64)
    if starts.size == 0:
        return starts
    inside = cumulative[starts + length - 1] - cumulative[starts - 1]
    result: IntArray = starts[inside == 0]
    return result


def _rupture_window(sessions: int, t: int, repaired: bool) -> BoolArray:
    """The sessions a rupture at t keeps for itself: three baseline sessions
    before it, and the two-session repair window after it (or, unrepaired, the
    rest of the case)."""
    window = np.zeros(sessions + 2, dtype=np.bool_)
    window[max(t - 3, 1) : (t + 3 if repaired else sessions + 1)] = True
    return window


def simulate_case(rng: np.random.Generator, cfg: SimulationConfig) -> CaseOutput:
    """Draw one case from `rng`. The order of draws is fixed, so a generator
    seeded the same way always gives the same case."""
    # ---- members -------------------------------------------------------------
    kind = _pick(rng, (cfg.individual_share, cfg.couple_share, cfg.family_share))
    roles = [CLIENT]
    ages = [0]  # 0: adult; otherwise the youth's age in years
    young, old = cfg.youth_ages
    if kind == COUPLE:
        roles.append(PARTNER)
        ages.append(0)
    elif kind == FAMILY:
        if rng.random() < cfg.family_youth_client_share:
            ages[0] = int(rng.integers(young, old + 1))
        caregivers = 2 if rng.random() < cfg.two_caregivers_share else 1
        roles += [CAREGIVER] * caregivers
        ages += [0] * caregivers
        if rng.random() < cfg.sibling_share:
            roles.append(SIBLING)
            ages.append(int(rng.integers(young, old + 1)))
    n_members = len(roles)
    youth = [age > 0 for age in ages]
    child_form = [0 < age <= cfg.child_form_max_age for age in ages]

    n_sessions = int(rng.integers(cfg.sessions[0], cfg.sessions[1] + 1))
    session_numbers = np.arange(1, n_sessions + 1, dtype=np.int64)

    # ---- alliance, true levels -------------------------------------------------
    case_level = rng.normal(cfg.alliance_mean, cfg.alliance_case_sd)
    member_dev = rng.normal(0.0, cfg.alliance_member_sd, n_members)
    # The noise-free level is kept on the scale (0-4), so a planted drop below a
    # level at the ceiling is a drop in what members can report.
    base = np.clip(
        case_level
        + member_dev[:, None]
        + cfg.alliance_growth * (session_numbers[None, :] - 1),
        0.0,
        4.0,
    )
    shared_shift = np.zeros((n_members, n_sessions))  # seen by the therapist too
    member_only_shift = np.zeros((n_members, n_sessions))  # family-therapist split
    therapist_bias = np.zeros(n_members)
    calendar = _Calendar(n_members, n_sessions)
    truth: list[TruthEvent] = []

    # ---- rupture -----------------------------------------------------------------
    # Both are decided first: when a case gets a rupture and a split, the rupture
    # goes where a split still fits (their windows never overlap).
    has_rupture = rng.random() < cfg.rupture_rate
    has_split = kind != INDIVIDUAL and rng.random() < cfg.split_rate
    if has_rupture:
        m = int(rng.integers(n_members))
        drop = float(rng.uniform(*cfg.rupture_drop))
        repaired = bool(rng.random() < cfg.rupture_repaired_share)
        times = np.arange(4, n_sessions - 1, dtype=np.int64)  # 4 <= t <= S - 2
        if has_split:
            leaves_room = np.array(
                [
                    _free_windows(
                        _rupture_window(n_sessions, int(t), repaired),
                        n_sessions,
                        cfg.split_first_session,
                        cfg.split_length[0],
                    ).size
                    > 0
                    for t in times
                ]
            )
            if leaves_room.any():
                times = times[leaves_room]
        t = int(times[rng.integers(times.size)])
        shared_shift[m, t - 1] -= drop
        if repaired:
            calendar.mark([m], t - 3, t + 2)
            truth.append(
                TruthEvent(
                    "rupture", member_id(m), t, t + 1, _detail(repaired=True, drop=drop)
                )
            )
        else:
            kept = float(rng.uniform(*cfg.unrepaired_kept))
            pre = base[m, t - 2]  # the true level at session t - 1
            shared_shift[m, t:] += pre - kept * drop - base[m, t:]
            calendar.mark([m], t - 3, n_sessions)
            truth.append(
                TruthEvent(
                    "rupture",
                    member_id(m),
                    t,
                    None,
                    _detail(repaired=False, drop=drop, stays_below=kept * drop),
                )
            )

    # ---- split (couple and family cases) -------------------------------------
    if has_split:
        everyone = list(range(n_members))
        singles = [(member_id(i), [i]) for i in everyone]
        options: list[tuple[str, list[tuple[str, list[int]]]]]
        if kind == COUPLE:
            options = [
                ("split-dyad", singles),
                ("split-family-therapist", [("family", everyone)]),
            ]
        else:
            options = [("split-family", singles)]
            youths = [i for i in everyone if youth[i]]
            if youths:
                options.append(("split-adult-youth", [("youth", youths)]))
            options.append(("split-family-therapist", [("family", everyone)]))
        lengths = range(cfg.split_length[0], cfg.split_length[1] + 1)
        for option in rng.permutation(len(options)):
            event, groups = options[int(option)]
            feasible: list[tuple[int, int, int]] = []
            for length in lengths:
                starts = _free_windows(
                    calendar.alliance, n_sessions, cfg.split_first_session, length
                )
                # A split is there from its first session on: an abrupt drop of
                # one member mid-therapy is a rupture by definition
                # (docs/clinical-rules.md §Rupture),
                # so planting it as a split would blur the ground truth.
                starts = starts[starts == cfg.split_first_session]
                for g in range(len(groups)):
                    feasible += [(g, int(s), length) for s in starts]
            if not feasible:
                continue
            g, s, length = feasible[int(rng.integers(len(feasible)))]
            label, group = groups[g]
            end = s + length - 1
            drop = float(rng.uniform(*cfg.split_drop))
            target = (
                member_only_shift if event == "split-family-therapist" else shared_shift
            )
            target[group, s - 1 : end] -= drop
            calendar.mark(group, s, end)
            truth.append(
                TruthEvent(
                    event,
                    label,
                    s,
                    end,
                    _detail(drop=drop, members=[member_id(i) for i in group]),
                )
            )
            break

    # ---- therapist overestimation ----------------------------------------------
    overestimated: tuple[int, int, float] | None = None
    if rng.random() < cfg.overestimation_rate:
        m = int(rng.integers(n_members))
        bias = float(rng.uniform(*cfg.overestimation_bias))
        therapist_bias[m] = bias
        calendar.mark([m], 1, n_sessions, alliance=False)
        overestimated = (m, len(truth), bias)
        truth.append(TruthEvent("therapist-overestimation", member_id(m), 1, None, ""))

    # ---- PCL-5 trajectory (identified client) -----------------------------------
    trajectory = _pick(
        rng, (cfg.responder_share, cfg.non_responder_share, cfg.deteriorator_share)
    )
    if trajectory == 2 and n_sessions < 7:
        trajectory = 0  # no onset 4 <= o <= S - 3 exists: a responder instead
    intake = float(
        np.clip(
            rng.normal(cfg.pcl5_intake_mean, cfg.pcl5_intake_sd),
            *cfg.pcl5_intake_bounds,
        )
    )
    slope_mean, slope_sd = (
        cfg.non_responder_slope if trajectory == 1 else cfg.responder_slope
    )
    slope = float(rng.normal(slope_mean, slope_sd))
    mu = intake - slope * np.log(session_numbers)
    if trajectory == 2:
        onset = int(rng.integers(4, n_sessions - 2))  # 4 <= o <= S - 3
        rise = float(rng.uniform(*cfg.deterioration_rise))
        steps = np.minimum(
            1.0, (session_numbers[onset - 1 :] - onset + 1) / cfg.deterioration_sessions
        )
        # A deteriorator ends worse than at intake (reliable deterioration is
        # judged against intake; Hannan et al. 2005), whatever they gained first.
        before = mu[onset - 2]
        mu[onset - 1 :] = before + (intake + rise - before) * steps
        calendar.mark(
            [0], onset - 1, onset + cfg.deterioration_sessions - 1, alliance=False
        )
        truth.append(
            TruthEvent(
                "pcl5-deteriorator",
                member_id(0),
                onset,
                None,
                _detail(intake=intake, slope=slope, rise=rise),
            )
        )
    else:
        truth.append(
            TruthEvent(
                "pcl5-responder" if trajectory == 0 else "pcl5-non-responder",
                member_id(0),
                1,
                None,
                _detail(intake=intake, slope=slope),
            )
        )
    pcl5 = _on_grid(
        mu + rng.normal(0.0, cfg.pcl5_residual_sd, n_sessions), 1.0, 0.0, 80.0
    )

    # ---- PHQ-9 and the risk item --------------------------------------------------
    phq9 = _on_grid(
        pcl5 * cfg.phq9_per_pcl5 + rng.normal(0.0, cfg.phq9_sd, n_sessions),
        1.0,
        0.0,
        27.0,
    )
    item9 = np.zeros(n_sessions)
    if rng.random() < cfg.risk_item_rate:
        r = int(rng.integers(1, n_sessions + 1))
        value = int(rng.integers(1, 4))
        item9[r - 1] = value
        phq9[r - 1] = max(phq9[r - 1], value)
        calendar.mark([0], r, r, alliance=False)
        truth.append(
            TruthEvent(
                "risk-item",
                member_id(0),
                r,
                r,
                json.dumps({"instrument": "phq-9", "item": "9", "value": value}),
            )
        )

    # ---- MSPSS ---------------------------------------------------------------------
    answers_mspss = [i for i in range(n_members) if not child_form[i]]
    mspss_sessions = np.arange(1, n_sessions + 1, cfg.mspss_every, dtype=np.int64)
    n_assess = mspss_sessions.size
    traits = rng.normal(cfg.mspss_mean, cfg.mspss_sd, (len(answers_mspss), 3))
    occasions = rng.normal(
        0.0, cfg.mspss_occasion_sd, (len(answers_mspss), 3, n_assess)
    )
    mspss = traits[:, :, None] + occasions
    mspss[:, 1:] = _on_grid(mspss[:, 1:], 0.25, 1.0, 7.0)
    mspss[:, 0] = _on_grid(mspss[:, 0], 0.25, cfg.mspss_unplanted_family_floor, 7.0)
    if rng.random() < cfg.low_support_rate:
        k = int(rng.integers(len(answers_mspss)))
        first = int(rng.integers(n_assess))
        mspss[k, 0, first:] = _on_grid(
            rng.uniform(*cfg.low_support_family, n_assess - first), 0.25, 1.0, 7.0
        )
        onset = int(mspss_sessions[first])
        calendar.mark([answers_mspss[k]], onset, onset, alliance=False)
        truth.append(
            TruthEvent(
                "low-support",
                member_id(answers_mspss[k]),
                onset,
                None,
                _detail(instrument="mspss", scale="family"),
            )
        )

    # ---- missed sessions -----------------------------------------------------------
    missed: tuple[int, int] | None = None
    if rng.random() < cfg.missed_rate:
        span = cfg.missed_sessions
        candidates = [
            (m, int(s))
            for m in range(n_members)
            for s in _free_windows(calendar.any[m], n_sessions, 2, span)
        ]
        if candidates:
            missed = candidates[int(rng.integers(len(candidates)))]
            m, s = missed
            truth.append(
                TruthEvent(
                    "missed", member_id(m), s, s + span - 1, _detail(sessions=span)
                )
            )

    # ---- observed alliance scores ---------------------------------------------------
    true_level = base + shared_shift + member_only_shift
    therapist_view = base + shared_shift
    own = true_level + rng.normal(0.0, cfg.alliance_residual_sd, true_level.shape)
    family_scales = true_level[:, None, :] + rng.normal(
        0.0, cfg.family_scales_sd, (n_members, 2, n_sessions)
    )
    therapist = (
        therapist_view
        + therapist_bias[:, None]
        + rng.normal(0.0, cfg.therapist_sd, true_level.shape)
    )
    family_rating = therapist_view.mean(axis=0) + rng.normal(
        0.0, cfg.therapist_sd, n_sessions
    )
    # Drawn after every earlier draw, so the other series draw as before.
    family_whole = true_level + rng.normal(0.0, cfg.family_scales_sd, true_level.shape)
    if overestimated is not None:
        # The ceiling (4) caps the bias: record how much of it can be seen.
        m, index, bias = overestimated
        seen = np.minimum(therapist_view[m] + bias, 4.0) - np.minimum(
            therapist_view[m], 4.0
        )
        truth[index] = TruthEvent(
            "therapist-overestimation",
            member_id(m),
            1,
            None,
            _detail(bias=bias, visible_bias=float(seen.mean())),
        )

    # ---- series table ------------------------------------------------------------------
    s_member: list[int] = []
    s_role: list[int] = []
    s_respondent: list[int] = []
    s_code: list[int] = []
    s_band: list[int] = []
    values: list[FloatArray] = []
    mspss_series: list[int] = []
    missed_series: list[int] = []

    def add(member: int, respondent: int, code: int, series: FloatArray) -> None:
        if member == FAMILY_MEMBER:
            s_role.append(FAMILY_ROLE)
            s_band.append(NO_BAND)
        else:
            s_role.append(roles[member])
            s_band.append(YOUTH if youth[member] else ADULT)
            if missed is not None and respondent == MEMBER and member == missed[0]:
                missed_series.append(len(values))
        s_member.append(member)
        s_respondent.append(respondent)
        s_code.append(code)
        values.append(series)

    full = np.full(n_sessions, np.nan)
    for m in range(n_members):
        if child_form[m]:
            add(m, MEMBER, TAC_CHILD_SELF, _on_grid(own[m], 0.25, 0.0, 4.0))
        else:
            add(m, MEMBER, TAC_SELF, _on_grid(own[m], 1.0 / 7.0, 0.0, 4.0))
            if kind != INDIVIDUAL:
                add(
                    m,
                    MEMBER,
                    TAC_FAMILY_THERAPIST,
                    _on_grid(family_scales[m, 0], 0.5, 0.0, 4.0),
                )
                add(
                    m,
                    MEMBER,
                    TAC_WITHIN_FAMILY,
                    _on_grid(family_scales[m, 1], 0.5, 0.0, 4.0),
                )
                add(
                    m,
                    MEMBER,
                    TAC_FAMILY,
                    _on_grid(family_whole[m], 1.0 / 3.0, 0.0, 4.0),
                )
        add(m, THERAPIST, TACT_SELF, _on_grid(therapist[m], 1.0 / 7.0, 0.0, 4.0))
        if m == 0:
            add(m, MEMBER, PCL5_TOTAL, pcl5)
            add(m, MEMBER, PHQ9_TOTAL, phq9)
            add(m, MEMBER, PHQ9_ITEM9, item9)
        if not child_form[m]:
            k = answers_mspss.index(m)
            subscales = mspss[k]
            for code, series in (
                (MSPSS_FAMILY, subscales[0]),
                (MSPSS_FRIENDS, subscales[1]),
                (MSPSS_SIGNIFICANT_OTHER, subscales[2]),
                (MSPSS_TOTAL, subscales.mean(axis=0)),
            ):
                padded = full.copy()
                padded[mspss_sessions - 1] = series
                mspss_series.append(len(values))
                add(m, MEMBER, code, padded)
    if kind != INDIVIDUAL:
        add(
            FAMILY_MEMBER,
            THERAPIST,
            TACT_FAMILY,
            _on_grid(family_rating, 1.0 / 3.0, 0.0, 4.0),
        )

    n_series = len(values)
    matrix = np.vstack(values)  # series x sessions
    present = np.ones((n_series, n_sessions), dtype=np.bool_)
    if mspss_series:
        off_schedule = np.ones(n_sessions, dtype=np.bool_)
        off_schedule[mspss_sessions - 1] = False
        rows = np.asarray(mspss_series, dtype=np.int64)
        present[np.ix_(rows, off_schedule.nonzero()[0])] = False
    if missed is not None and missed_series:
        s = missed[1]
        window = slice(s - 1, s - 1 + cfg.missed_sessions)
        matrix[missed_series, window] = np.nan
        # A questionnaire not answered at all has no risk-item row: an empty
        # item row means the risk item alone went unanswered (docs/long-format.md).
        items = [r for r in missed_series if SERIES[s_code[r]][1].startswith("item:")]
        present[items, window] = False

    if cfg.skipped_member_sessions > 0:
        # Drawn last, so the default mode (no gaps) draws exactly as before.
        gaps = rng.random((n_members, n_sessions)) < cfg.skipped_member_sessions
        gaps[:, 0] = False  # everyone answers at intake
        for row in range(n_series):
            if s_respondent[row] == MEMBER and s_member[row] != FAMILY_MEMBER:
                present[row] &= ~gaps[s_member[row]]

    # session-major order: every series of session 1, then session 2, ...
    keep = present.T.ravel()
    row_series = np.tile(np.arange(n_series, dtype=np.int64), n_sessions)[keep]
    row_session = np.repeat(session_numbers, n_series)[keep]
    row_score = matrix.T.ravel()[keep]

    return CaseOutput(
        kind=kind,
        series_member=np.asarray(s_member, dtype=np.int64),
        series_role=np.asarray(s_role, dtype=np.int64),
        series_respondent=np.asarray(s_respondent, dtype=np.int64),
        series_code=np.asarray(s_code, dtype=np.int64),
        series_band=np.asarray(s_band, dtype=np.int64),
        row_series=row_series,
        row_session=row_session,
        row_score=row_score,
        truth=truth,
    )
