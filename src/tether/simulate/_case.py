"""One simulated case: its members, sessions, planted events and every score.

Pure numpy. A case is returned as a small table of *series* (one member, one
respondent, one instrument scale) and, for each row of the long format, the
series it belongs to, its session and its score; `cohort.py` turns the codes into
text once for the whole cohort.

`simulate_case` reads as the list of its steps: who takes part, their alliance
before any event, each planted event (rupture, split, therapist overestimation,
the PCL-5 trajectory, a risk answer, low support, missed sessions), the observed
ratings, and the rows written. Each step is a function saying what it draws and
why; the order of their draws is part of the output (tests/simulate/test_golden.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import NamedTuple

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


PCL5_CLASSES = ("pcl5-responder", "pcl5-non-responder", "pcl5-deteriorator")
RESPONDER, NON_RESPONDER, DETERIORATOR = range(len(PCL5_CLASSES))

_Group = tuple[str, list[int]]
"""Members a split lowers together, with the label the truth table gives them."""


def simulate_case(rng: np.random.Generator, cfg: SimulationConfig) -> CaseOutput:
    """Draw one case from `rng`, one named step after the other.

    The order of the steps, and of the draws inside each, is fixed
    (tests/simulate/test_golden.py holds it), so a generator seeded the same way
    always gives the same case. A new draw goes after every existing one, so
    the cases drawn before it stay as they were.
    """
    who = _draw_composition(rng, cfg)
    case = _Draft(who, _draw_alliance_base(rng, cfg, who))
    # Both are decided first: when a case gets a rupture and a split, the rupture
    # goes where a split still fits (their windows never overlap).
    has_rupture = rng.random() < cfg.rupture_rate
    has_split = who.kind != INDIVIDUAL and rng.random() < cfg.split_rate
    if has_rupture:
        _plant_rupture(rng, cfg, case, leave_room_for_split=has_split)
    if has_split:
        _plant_split(rng, cfg, case)
    _plant_overestimation(rng, cfg, case)
    pcl5 = _draw_pcl5(rng, cfg, case)
    phq9, item9 = _draw_phq9(rng, cfg, case, pcl5)
    mspss = _draw_mspss(rng, cfg, case)
    missed = _plant_missed_sessions(rng, cfg, case)
    observed = _draw_observed_alliance(rng, cfg, case)

    table = _series_table(who, observed, pcl5, phq9, item9, mspss)
    matrix = np.vstack(table.scores)  # series x sessions
    present = np.ones(matrix.shape, dtype=np.bool_)
    _keep_mspss_assessments_only(table, mspss, present)
    if missed is not None:
        _blank_missed_sessions(cfg, table, missed, matrix, present)
    _leave_out_random_gaps(rng, cfg, who, table, present)
    return _case_output(who, table, matrix, present, case.truth)


# ---- who takes part, and their alliance before any event ----------------------


@dataclass(frozen=True, slots=True)
class _Composition:
    """Who takes part in a case, and for how many sessions."""

    kind: int
    roles: tuple[int, ...]
    youth: tuple[bool, ...]
    child_form: tuple[bool, ...]
    """Youth young enough for TAC-C (up to `child_form_max_age`); they answer
    no MSPSS and no TAC family scales."""
    session_numbers: IntArray
    """1..S."""

    @property
    def members(self) -> int:
        return len(self.roles)

    @property
    def sessions(self) -> int:
        return int(self.session_numbers.size)


def _draw_composition(rng: np.random.Generator, cfg: SimulationConfig) -> _Composition:
    """Draw the kind of case, its members and its number of sessions.

    Every case has an identified client (member 0); a couple case adds a
    partner; a family case adds one or two caregivers and perhaps a sibling,
    and its client is often a youth. A youth's age decides their forms, which
    is why ages are drawn at all.
    """
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
    n_sessions = int(rng.integers(cfg.sessions[0], cfg.sessions[1] + 1))
    return _Composition(
        kind=kind,
        roles=tuple(roles),
        youth=tuple(age > 0 for age in ages),
        child_form=tuple(0 < age <= cfg.child_form_max_age for age in ages),
        session_numbers=np.arange(1, n_sessions + 1, dtype=np.int64),
    )


def _draw_alliance_base(
    rng: np.random.Generator, cfg: SimulationConfig, who: _Composition
) -> FloatArray:
    """Each member's noise-free alliance per session before any event: the
    case's level, the member's deviation from it, and slow growth.

    The level is kept on the scale (0-4), so a planted drop below a level at
    the ceiling is a drop in what members can report.
    """
    case_level = rng.normal(cfg.alliance_mean, cfg.alliance_case_sd)
    member_dev = rng.normal(0.0, cfg.alliance_member_sd, who.members)
    base: FloatArray = np.clip(
        case_level
        + member_dev[:, None]
        + cfg.alliance_growth * (who.session_numbers[None, :] - 1),
        0.0,
        4.0,
    )
    return base


@dataclass(slots=True)
class _Draft:
    """A case while its events are planted: each planting step shifts the true
    alliance levels, marks the sessions it keeps for itself in `calendar`, and
    adds its row to `truth`."""

    who: _Composition
    base: FloatArray
    """The true alliance before any event (members x sessions)."""
    shared_shift: FloatArray = field(init=False)
    """What events change in the true level, seen by the therapist too."""
    member_only_shift: FloatArray = field(init=False)
    """What a family-therapist split lowers: the members' view only."""
    therapist_bias: FloatArray = field(init=False)
    """Per member: how far the therapist overestimates them."""
    calendar: _Calendar = field(init=False)
    truth: list[TruthEvent] = field(init=False)

    def __post_init__(self) -> None:
        shape = (self.who.members, self.who.sessions)
        self.shared_shift = np.zeros(shape)
        self.member_only_shift = np.zeros(shape)
        self.therapist_bias = np.zeros(self.who.members)
        self.calendar = _Calendar(self.who.members, self.who.sessions)
        self.truth = []


# ---- planted alliance events --------------------------------------------------


def _plant_rupture(
    rng: np.random.Generator,
    cfg: SimulationConfig,
    case: _Draft,
    leave_room_for_split: bool,
) -> None:
    """Plant a rupture: one member's true level drops by `rupture_drop` at one
    session t, and the therapist sees the drop too.

    Repaired (`rupture_repaired_share`), the member is back on their own curve
    at t + 1; unrepaired, from t + 1 on the level stays at the level of t - 1
    minus `unrepaired_kept` of the drop (growth stalls), so the signals have a
    repair and a lasting break to tell apart. The rupture keeps its baseline
    and repair window to itself (`_rupture_window`).
    """
    who = case.who
    m = int(rng.integers(who.members))
    drop = float(rng.uniform(*cfg.rupture_drop))
    repaired = bool(rng.random() < cfg.rupture_repaired_share)
    times = _rupture_sessions(cfg, who.sessions, repaired, leave_room_for_split)
    t = int(times[rng.integers(times.size)])
    case.shared_shift[m, t - 1] -= drop
    if repaired:
        case.calendar.mark([m], t - 3, t + 2)
        case.truth.append(
            TruthEvent(
                "rupture", member_id(m), t, t + 1, _detail(repaired=True, drop=drop)
            )
        )
        return
    kept = float(rng.uniform(*cfg.unrepaired_kept))
    pre = case.base[m, t - 2]  # the true level at session t - 1
    case.shared_shift[m, t:] += pre - kept * drop - case.base[m, t:]
    case.calendar.mark([m], t - 3, who.sessions)
    case.truth.append(
        TruthEvent(
            "rupture",
            member_id(m),
            t,
            None,
            _detail(repaired=False, drop=drop, stays_below=kept * drop),
        )
    )


def _rupture_sessions(
    cfg: SimulationConfig, sessions: int, repaired: bool, leave_room_for_split: bool
) -> IntArray:
    """The sessions a rupture may fall on: 4 <= t <= S - 2, so three sessions
    before it show the member's usual level and one after it shows the repair.
    When the case also gets a split, only the sessions whose rupture window
    still leaves a split room, if there are any."""
    times = np.arange(4, sessions - 1, dtype=np.int64)
    if not leave_room_for_split:
        return times
    leaves_room = np.array(
        [
            _free_windows(
                _rupture_window(sessions, int(t), repaired),
                sessions,
                cfg.split_first_session,
                cfg.split_length[0],
            ).size
            > 0
            for t in times
        ]
    )
    return times[leaves_room] if leaves_room.any() else times


def _plant_split(rng: np.random.Generator, cfg: SimulationConfig, case: _Draft) -> None:
    """Plant one split in a couple or family case: the kinds of split the case
    allows are tried in random order, and the first that fits the sessions
    left free lowers its group by `split_drop` for `split_length` sessions.

    A family-therapist split lowers what every member reports but not what the
    therapist sees (that difference is the split); the others lower both.
    """
    options = _split_options(case.who)
    for option in rng.permutation(len(options)):
        event, groups = options[int(option)]
        placements = _split_placements(cfg, case, groups)
        if not placements:
            continue
        g, s, length = placements[int(rng.integers(len(placements)))]
        label, group = groups[g]
        end = s + length - 1
        drop = float(rng.uniform(*cfg.split_drop))
        target = (
            case.member_only_shift
            if event == "split-family-therapist"
            else case.shared_shift
        )
        target[group, s - 1 : end] -= drop
        case.calendar.mark(group, s, end)
        case.truth.append(
            TruthEvent(
                event,
                label,
                s,
                end,
                _detail(drop=drop, members=[member_id(i) for i in group]),
            )
        )
        return


def _split_options(who: _Composition) -> list[tuple[str, list[_Group]]]:
    """The kinds of split a case can have, each with the groups it may lower: a
    couple splits one partner from the other or both from the therapist; a
    family splits one member from the rest, its youth from its adults (when it
    has youth), or everyone from the therapist."""
    everyone = list(range(who.members))
    singles = [(member_id(i), [i]) for i in everyone]
    if who.kind == COUPLE:
        return [
            ("split-dyad", singles),
            ("split-family-therapist", [("family", everyone)]),
        ]
    options = [("split-family", singles)]
    youths = [i for i in everyone if who.youth[i]]
    if youths:
        options.append(("split-adult-youth", [("youth", youths)]))
    options.append(("split-family-therapist", [("family", everyone)]))
    return options


def _split_placements(
    cfg: SimulationConfig, case: _Draft, groups: list[_Group]
) -> list[tuple[int, int, int]]:
    """(group, first session, length) of every place a split of these groups
    fits: its sessions free of any other alliance event, from
    `split_first_session` on.

    A split is there from its first session on: an abrupt drop of one member
    mid-therapy is a rupture by definition (docs/clinical-rules.md §Rupture), so planting it as a
    split would blur the ground truth.
    """
    placements: list[tuple[int, int, int]] = []
    for length in range(cfg.split_length[0], cfg.split_length[1] + 1):
        starts = _free_windows(
            case.calendar.alliance, case.who.sessions, cfg.split_first_session, length
        )
        starts = starts[starts == cfg.split_first_session]
        for g in range(len(groups)):
            placements += [(g, int(s), length) for s in starts]
    return placements


def _plant_overestimation(
    rng: np.random.Generator, cfg: SimulationConfig, case: _Draft
) -> None:
    """Plant a therapist's overestimation: the therapist rates one member
    `overestimation_bias` above the level they see in every session.

    The truth records the bias and how much of it shows under the ceiling of 4
    (a bias above a member already near 4 cannot be seen). The therapist's view
    is final here: the rupture and the split, the only events that shift it,
    are planted before.
    """
    if rng.random() >= cfg.overestimation_rate:
        return
    m = int(rng.integers(case.who.members))
    bias = float(rng.uniform(*cfg.overestimation_bias))
    case.therapist_bias[m] = bias
    case.calendar.mark([m], 1, case.who.sessions, alliance=False)
    view = case.base[m] + case.shared_shift[m]
    seen = np.minimum(view + bias, 4.0) - np.minimum(view, 4.0)
    case.truth.append(
        TruthEvent(
            "therapist-overestimation",
            member_id(m),
            1,
            None,
            _detail(bias=bias, visible_bias=float(seen.mean())),
        )
    )


# ---- symptoms and support -----------------------------------------------------


def _draw_pcl5(
    rng: np.random.Generator, cfg: SimulationConfig, case: _Draft
) -> FloatArray:
    """The identified client's PCL-5 total at each session, with their
    trajectory class in the truth table (every case has one).

    The expected score is intake - b ln(t): responders improve (b drawn from
    `responder_slope`), non-responders stay about level; a deteriorator follows
    a responder's curve until an onset and then gets worse
    (`_plant_deterioration`). Scores add residual noise and are whole points.
    """
    who = case.who
    trajectory = _pick(
        rng, (cfg.responder_share, cfg.non_responder_share, cfg.deteriorator_share)
    )
    if trajectory == DETERIORATOR and who.sessions < 7:
        trajectory = RESPONDER  # no onset 4 <= o <= S - 3 exists: a responder instead
    intake = float(
        np.clip(
            rng.normal(cfg.pcl5_intake_mean, cfg.pcl5_intake_sd),
            *cfg.pcl5_intake_bounds,
        )
    )
    slope_mean, slope_sd = (
        cfg.non_responder_slope if trajectory == NON_RESPONDER else cfg.responder_slope
    )
    slope = float(rng.normal(slope_mean, slope_sd))
    mu: FloatArray = intake - slope * np.log(who.session_numbers)
    if trajectory == DETERIORATOR:
        _plant_deterioration(rng, cfg, case, mu, intake, slope)
    else:
        case.truth.append(
            TruthEvent(
                PCL5_CLASSES[trajectory],
                member_id(0),
                1,
                None,
                _detail(intake=intake, slope=slope),
            )
        )
    return _on_grid(
        mu + rng.normal(0.0, cfg.pcl5_residual_sd, who.sessions), 1.0, 0.0, 80.0
    )


def _plant_deterioration(
    rng: np.random.Generator,
    cfg: SimulationConfig,
    case: _Draft,
    mu: FloatArray,
    intake: float,
    slope: float,
) -> None:
    """Turn the expected PCL-5 curve `mu` (changed in place) into a
    deteriorator's: from an onset o (4 <= o <= S - 3) it rises linearly over
    `deterioration_sessions` sessions from the level of o - 1 to
    `deterioration_rise` above intake, and stays there.

    A deteriorator ends worse than at intake (reliable deterioration is judged
    against intake; Hannan et al. 2005), whatever they gained first.
    """
    sessions = case.who.session_numbers
    onset = int(rng.integers(4, sessions.size - 2))  # 4 <= o <= S - 3
    rise = float(rng.uniform(*cfg.deterioration_rise))
    steps = np.minimum(
        1.0, (sessions[onset - 1 :] - onset + 1) / cfg.deterioration_sessions
    )
    before = mu[onset - 2]
    mu[onset - 1 :] = before + (intake + rise - before) * steps
    case.calendar.mark(
        [0], onset - 1, onset + cfg.deterioration_sessions - 1, alliance=False
    )
    case.truth.append(
        TruthEvent(
            "pcl5-deteriorator",
            member_id(0),
            onset,
            None,
            _detail(intake=intake, slope=slope, rise=rise),
        )
    )


def _draw_phq9(
    rng: np.random.Generator, cfg: SimulationConfig, case: _Draft, pcl5: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The identified client's PHQ-9 total at each session and their answer to
    item 9. The total follows the PCL-5 (`phq9_per_pcl5`, depression going
    with PTSD) with its own noise; item 9 is 0 unless a risk answer is
    planted."""
    phq9 = _on_grid(
        pcl5 * cfg.phq9_per_pcl5 + rng.normal(0.0, cfg.phq9_sd, case.who.sessions),
        1.0,
        0.0,
        27.0,
    )
    item9 = np.zeros(case.who.sessions)
    _plant_risk_item(rng, cfg, case, phq9, item9)
    return phq9, item9


def _plant_risk_item(
    rng: np.random.Generator,
    cfg: SimulationConfig,
    case: _Draft,
    phq9: FloatArray,
    item9: FloatArray,
) -> None:
    """Plant a risk answer: PHQ-9 item 9 answered 1, 2 or 3 at one session
    (`phq9` and `item9` are changed in place). The total is raised to at least
    that answer, since item 9 is one of the items it sums."""
    if rng.random() >= cfg.risk_item_rate:
        return
    r = int(rng.integers(1, case.who.sessions + 1))
    value = int(rng.integers(1, 4))
    item9[r - 1] = value
    phq9[r - 1] = max(phq9[r - 1], value)
    case.calendar.mark([0], r, r, alliance=False)
    case.truth.append(
        TruthEvent(
            "risk-item",
            member_id(0),
            r,
            r,
            json.dumps({"instrument": "phq-9", "item": "9", "value": value}),
        )
    )


@dataclass(frozen=True, slots=True)
class _Mspss:
    """A case's MSPSS: who answers it, when, and each answerer's family,
    friends and significant-other subscale at each assessment."""

    answerers: list[int]
    """The members who answer it (all but TAC-C children), in member order."""
    sessions: IntArray
    """The sessions it is given at."""
    subscales: FloatArray
    """answerer x subscale (family, friends, significant other) x assessment."""


def _draw_mspss(
    rng: np.random.Generator, cfg: SimulationConfig, case: _Draft
) -> _Mspss:
    """Every answerer's MSPSS at sessions 1, 1 + `mspss_every`, ...: a stable
    trait per subscale plus noise per assessment, on the 1/4 grid of 1-7.

    Without planted low support the family subscale stays at or above
    `mspss_unplanted_family_floor`, so the only low support in the cohort is the
    planted one and the truth table is complete.
    """
    who = case.who
    answerers = [i for i in range(who.members) if not who.child_form[i]]
    sessions = np.arange(1, who.sessions + 1, cfg.mspss_every, dtype=np.int64)
    traits = rng.normal(cfg.mspss_mean, cfg.mspss_sd, (len(answerers), 3))
    occasions = rng.normal(
        0.0, cfg.mspss_occasion_sd, (len(answerers), 3, sessions.size)
    )
    subscales = traits[:, :, None] + occasions
    subscales[:, 1:] = _on_grid(subscales[:, 1:], 0.25, 1.0, 7.0)
    subscales[:, 0] = _on_grid(
        subscales[:, 0], 0.25, cfg.mspss_unplanted_family_floor, 7.0
    )
    mspss = _Mspss(answerers, sessions, subscales)
    _plant_low_support(rng, cfg, case, mspss)
    return mspss


def _plant_low_support(
    rng: np.random.Generator, cfg: SimulationConfig, case: _Draft, mspss: _Mspss
) -> None:
    """Plant low support: one answerer's MSPSS family subscale is drawn from
    `low_support_family` from one assessment on (changed in place)."""
    if rng.random() >= cfg.low_support_rate:
        return
    assessments = mspss.sessions.size
    k = int(rng.integers(len(mspss.answerers)))
    first = int(rng.integers(assessments))
    mspss.subscales[k, 0, first:] = _on_grid(
        rng.uniform(*cfg.low_support_family, assessments - first), 0.25, 1.0, 7.0
    )
    onset = int(mspss.sessions[first])
    case.calendar.mark([mspss.answerers[k]], onset, onset, alliance=False)
    case.truth.append(
        TruthEvent(
            "low-support",
            member_id(mspss.answerers[k]),
            onset,
            None,
            _detail(instrument="mspss", scale="family"),
        )
    )


# ---- missed sessions ----------------------------------------------------------


class _Missed(NamedTuple):
    member: int
    first: int
    """The first of the `missed_sessions` sessions the member answers nothing in."""


def _plant_missed_sessions(
    rng: np.random.Generator, cfg: SimulationConfig, case: _Draft
) -> _Missed | None:
    """Plant missed sessions: one member answers nothing in `missed_sessions`
    consecutive sessions from session 2 on. The sessions avoid every other
    event of that member, so a miss never hides one; a case where no such
    sessions exist gets none (None). Only the truth is written here; the
    member's rows are blanked when the rows are written
    (`_blank_missed_sessions`)."""
    if rng.random() >= cfg.missed_rate:
        return None
    span = cfg.missed_sessions
    candidates = [
        _Missed(m, int(s))
        for m in range(case.who.members)
        for s in _free_windows(case.calendar.any[m], case.who.sessions, 2, span)
    ]
    if not candidates:
        return None
    missed = candidates[int(rng.integers(len(candidates)))]
    case.truth.append(
        TruthEvent(
            "missed",
            member_id(missed.member),
            missed.first,
            missed.first + span - 1,
            _detail(sessions=span),
        )
    )
    return missed


# ---- observed ratings and the rows written ------------------------------------


@dataclass(frozen=True, slots=True)
class _ObservedAlliance:
    """Alliance ratings with their noise, before rounding to answer grids."""

    own: FloatArray
    """Each member's own TAC (or TAC-C) `self` (members x sessions)."""
    family_scales: FloatArray
    """Each member's TAC `family-therapist` and `within-family` (members x 2 x
    sessions)."""
    therapist: FloatArray
    """The therapist's TAC-T `self` for each member (members x sessions)."""
    family_rating: FloatArray
    """The therapist's TAC-T `family` (sessions)."""
    family_whole: FloatArray
    """Each member's TAC `family` (members x sessions)."""


def _draw_observed_alliance(
    rng: np.random.Generator, cfg: SimulationConfig, case: _Draft
) -> _ObservedAlliance:
    """Every alliance rating: its true level plus independent noise.

    Members report the level with every planted event; the therapist sees it
    without a family-therapist split's lowering (that gap is the split), plus
    any overestimation bias, and rates the family as the mean over members.
    TAC `family` is drawn last because it was added last: the other series
    kept their draws.
    """
    who = case.who
    true_level = case.base + case.shared_shift + case.member_only_shift
    therapist_view = case.base + case.shared_shift
    own = true_level + rng.normal(0.0, cfg.alliance_residual_sd, true_level.shape)
    family_scales = true_level[:, None, :] + rng.normal(
        0.0, cfg.family_scales_sd, (who.members, 2, who.sessions)
    )
    therapist = (
        therapist_view
        + case.therapist_bias[:, None]
        + rng.normal(0.0, cfg.therapist_sd, true_level.shape)
    )
    family_rating = therapist_view.mean(axis=0) + rng.normal(
        0.0, cfg.therapist_sd, who.sessions
    )
    family_whole = true_level + rng.normal(0.0, cfg.family_scales_sd, true_level.shape)
    return _ObservedAlliance(own, family_scales, therapist, family_rating, family_whole)


@dataclass(slots=True)
class _SeriesTable:
    """A case's series in the order they are written (one member or the
    family, one respondent, one instrument scale), each with its score at every
    session (NaN where it has none)."""

    member: list[int] = field(default_factory=list)
    role: list[int] = field(default_factory=list)
    respondent: list[int] = field(default_factory=list)
    code: list[int] = field(default_factory=list)
    band: list[int] = field(default_factory=list)
    scores: list[FloatArray] = field(default_factory=list)

    def add(
        self,
        who: _Composition,
        member: int,
        respondent: int,
        code: int,
        scores: FloatArray,
    ) -> None:
        if member == FAMILY_MEMBER:
            self.role.append(FAMILY_ROLE)
            self.band.append(NO_BAND)
        else:
            self.role.append(who.roles[member])
            self.band.append(YOUTH if who.youth[member] else ADULT)
        self.member.append(member)
        self.respondent.append(respondent)
        self.code.append(code)
        self.scores.append(scores)

    def rows_answered_by(self, member: int) -> list[int]:
        """The series this member answers (not the therapist's about them)."""
        return [
            row
            for row, (m, respondent) in enumerate(
                zip(self.member, self.respondent, strict=True)
            )
            if respondent == MEMBER and m == member
        ]

    def rows_of(self, codes: set[int]) -> list[int]:
        return [row for row, code in enumerate(self.code) if code in codes]


MSPSS_SCALES = (MSPSS_FAMILY, MSPSS_FRIENDS, MSPSS_SIGNIFICANT_OTHER, MSPSS_TOTAL)


def _series_table(
    who: _Composition,
    observed: _ObservedAlliance,
    pcl5: FloatArray,
    phq9: FloatArray,
    item9: FloatArray,
    mspss: _Mspss,
) -> _SeriesTable:
    """Every series of the case, member by member, each rating rounded to its
    scale's grid (a mean of n items moves in steps of 1/n of the answer step).

    For each member: their own alliance (TAC-C `self` for a child, else TAC
    `self` and, in couple and family cases, the three TAC family scales), the
    therapist's TAC-T for them, the identified client's PCL-5 and PHQ-9, and
    their MSPSS (given only at its sessions); then, in couple and family cases,
    the therapist's TAC-T for the whole family.
    """
    table = _SeriesTable()
    for m in range(who.members):
        if who.child_form[m]:
            table.add(
                who,
                m,
                MEMBER,
                TAC_CHILD_SELF,
                _on_grid(observed.own[m], 0.25, 0.0, 4.0),
            )
        else:
            table.add(
                who, m, MEMBER, TAC_SELF, _on_grid(observed.own[m], 1.0 / 7.0, 0.0, 4.0)
            )
            if who.kind != INDIVIDUAL:
                for code, scores, step in (
                    (TAC_FAMILY_THERAPIST, observed.family_scales[m, 0], 0.5),
                    (TAC_WITHIN_FAMILY, observed.family_scales[m, 1], 0.5),
                    (TAC_FAMILY, observed.family_whole[m], 1.0 / 3.0),
                ):
                    table.add(who, m, MEMBER, code, _on_grid(scores, step, 0.0, 4.0))
        table.add(
            who,
            m,
            THERAPIST,
            TACT_SELF,
            _on_grid(observed.therapist[m], 1.0 / 7.0, 0.0, 4.0),
        )
        if m == 0:
            table.add(who, m, MEMBER, PCL5_TOTAL, pcl5)
            table.add(who, m, MEMBER, PHQ9_TOTAL, phq9)
            table.add(who, m, MEMBER, PHQ9_ITEM9, item9)
        if not who.child_form[m]:
            subscales = mspss.subscales[mspss.answerers.index(m)]
            for code, assessed in zip(
                MSPSS_SCALES, (*subscales, subscales.mean(axis=0)), strict=True
            ):
                scores = np.full(who.sessions, np.nan)
                scores[mspss.sessions - 1] = assessed
                table.add(who, m, MEMBER, code, scores)
    if who.kind != INDIVIDUAL:
        table.add(
            who,
            FAMILY_MEMBER,
            THERAPIST,
            TACT_FAMILY,
            _on_grid(observed.family_rating, 1.0 / 3.0, 0.0, 4.0),
        )
    return table


def _keep_mspss_assessments_only(
    table: _SeriesTable, mspss: _Mspss, present: BoolArray
) -> None:
    """MSPSS rows exist only at the sessions it is given at (`present` is
    changed in place): between them nobody was asked, which is not a missing
    answer."""
    rows = table.rows_of(set(MSPSS_SCALES))
    if not rows:
        return
    off_schedule = np.ones(present.shape[1], dtype=np.bool_)
    off_schedule[mspss.sessions - 1] = False
    present[np.ix_(np.asarray(rows, dtype=np.int64), off_schedule.nonzero()[0])] = False


def _blank_missed_sessions(
    cfg: SimulationConfig,
    table: _SeriesTable,
    missed: _Missed,
    matrix: FloatArray,
    present: BoolArray,
) -> None:
    """The missed sessions' rows of the member's own series are written with an
    empty score (invited, no answer; `matrix` and `present` are changed in
    place). Their risk-item rows are left out: a questionnaire not answered at
    all has no risk-item row, as an empty item row means the risk item alone
    went unanswered (docs/long-format.md)."""
    rows = table.rows_answered_by(missed.member)
    if not rows:
        return
    window = slice(missed.first - 1, missed.first - 1 + cfg.missed_sessions)
    matrix[rows, window] = np.nan
    items = [r for r in rows if SERIES[table.code[r]][1].startswith("item:")]
    present[items, window] = False


def _leave_out_random_gaps(
    rng: np.random.Generator,
    cfg: SimulationConfig,
    who: _Composition,
    table: _SeriesTable,
    present: BoolArray,
) -> None:
    """Unplanted gaps (`skipped_member_sessions`; the realistic mode): each
    member skips each session after the first with this chance, and their own
    rows of it are left out (`present` is changed in place); the therapist's
    stay. Noise, not an event, so not in the truth table. Drawn last, so the
    default mode (no gaps) draws exactly as before gaps existed."""
    if cfg.skipped_member_sessions <= 0:
        return
    gaps = rng.random((who.members, who.sessions)) < cfg.skipped_member_sessions
    gaps[:, 0] = False  # everyone answers at intake
    for row, (member, respondent) in enumerate(
        zip(table.member, table.respondent, strict=True)
    ):
        if respondent == MEMBER and member != FAMILY_MEMBER:
            present[row] &= ~gaps[member]


def _case_output(
    who: _Composition,
    table: _SeriesTable,
    matrix: FloatArray,
    present: BoolArray,
    truth: list[TruthEvent],
) -> CaseOutput:
    """The case in codes, its rows in the long format's order: session-major
    (every series of session 1, then session 2, ...), one row per present
    cell."""
    n_series = len(table.scores)
    keep = present.T.ravel()
    return CaseOutput(
        kind=who.kind,
        series_member=np.asarray(table.member, dtype=np.int64),
        series_role=np.asarray(table.role, dtype=np.int64),
        series_respondent=np.asarray(table.respondent, dtype=np.int64),
        series_code=np.asarray(table.code, dtype=np.int64),
        series_band=np.asarray(table.band, dtype=np.int64),
        row_series=np.tile(np.arange(n_series, dtype=np.int64), who.sessions)[keep],
        row_session=np.repeat(who.session_numbers, n_series)[keep],
        row_score=matrix.T.ravel()[keep],
        truth=truth,
    )
