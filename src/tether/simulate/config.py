"""The parameters of a simulated cohort, with the documented noise model."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

__all__ = ["SimulationConfig"]


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Every parameter of `simulate_cohort`, with the defaults of the harness.

    Noise model (the harness's documented noise level; docs/simulation.md repeats it)
    --------------------------------------------------------------------------------
    Alliance, on the 0-4 mean scale of TAC, for member m of case c at session t:

        true_mt = f_c + d_m + 0.015 * (t - 1) + events_mt
        f_c ~ N(2.9, 0.40)   case (family or individual) level
        d_m ~ N(0, 0.08)     member deviation

    * member's own TAC `self` (or TAC-C `self` at 8-12):
      true_mt + N(0, 0.12), clipped to [0, 4], rounded to 1/7 (TAC) or 1/4 (TAC-C);
    * member's TAC `family-therapist` and `within-family` (13+, couple and family
      cases): true_mt + N(0, 0.15) each, clipped to [0, 4], rounded to 1/2;
      TAC `family` (the same members): true_mt + N(0, 0.15), clipped, rounded
      to 1/3 (drawn after every other alliance series);
    * therapist's TAC-T `self` for member m: therapist_mt + N(0, 0.10), clipped,
      rounded to 1/7, where therapist_mt is true_mt without a family-therapist
      split's lowering, plus the overestimation bias for an overestimated member;
    * therapist's TAC-T `family` (couple and family cases): the mean over members
      of true_mt without a family-therapist split's lowering, + N(0, 0.10),
      clipped, rounded to 1/3.

    Every noise draw is independent (per member, scale and session). Clipping at 4
    gives the usual alliance ceiling.

    PCL-5 (identified client, every session), integers 0-80:
    intake ~ N(50, 10) clipped to [25, 80]; mu_t = intake - b * ln(t); score =
    round(mu_t + N(0, 5)) clipped to [0, 80]. Responders (55%) b ~ N(10, 2.5);
    non-responders (30%) b ~ N(0, 1); deteriorators (15%) follow a responder
    curve up to onset o, then mu rises linearly over two sessions (half way at o,
    all the way from o + 1) from mu_(o-1) to intake + U(5, 20), and stays there:
    they end worse than they started.

    PHQ-9 `total` = round(PCL-5 score / 3 + N(0, 2)) clipped to [0, 27];
    `item:9` is 0 except at a planted risk-item session (1-3; the total is then
    at least that value).

    MSPSS (every member 13+, sessions 1, 5, 9, ...): per member, a trait per
    subscale ~ N(5.0, 0.8); each assessment = trait + N(0, 0.25), rounded to 1/4,
    clipped to [1, 7] (the family subscale of a member without planted low
    support is clipped to [3, 7], so no unplanted "low support" exists);
    `total` = mean of the three subscales (a multiple of 1/12).

    Planted events (each listed in the truth table; rates are per case):

    * rupture (25%): one member, session t with 4 <= t <= S - 2, true level
      lowered by U(1.0, 1.6) at t. Repaired (half): back on the member's own
      curve at t + 1. Unrepaired: from t + 1 on, the level stays at the level of
      t - 1 minus U(0.8, 1.0) x the drop (growth stalls).
    * split (35% of couple and family cases, one type per case, 3-5 sessions
      present from session 1, since an abrupt drop mid-therapy is a
      rupture by definition): split-dyad (couple: one partner),
      split-family (family: one member), split-adult-youth (family with a youth:
      every youth), each lowered by U(0.9, 1.4) in what they report and what the
      therapist sees; split-family-therapist (couple or family: every member
      lowered by one U(0.9, 1.4) draw, the therapist's ratings not).
      A rupture keeps sessions t - 3 .. t + 2 (unrepaired: t - 3 .. S) to itself:
      no split overlaps them, and when a case gets both, the rupture goes where
      a split still fits.
    * therapist-overestimation (15%): one member's TAC-T `self` ratings are
      U(0.8, 1.2) above their true level in every session (capped at 4; the
      truth detail gives the bias and the part of it visible under the cap).
    * PCL-5 class, every case: pcl5-responder, pcl5-non-responder or
      pcl5-deteriorator (onset o with 4 <= o <= S - 3; a case with 6 sessions has
      no such o, so a deteriorator drawn there becomes a responder).
    * risk-item (5%): PHQ-9 item 9 = 1, 2 or 3 at one session.
    * low-support (10%): one member 13+ has an MSPSS family subscale drawn from
      U(1.5, 2.75) (rounded to 1/4) from one assessment on.
    * missed (10%): one member answers nothing in two consecutive sessions
      (2 <= s, s + 1 <= S); their member scale rows are written with an empty
      score (their risk-item rows are left out), the therapist's rows stay. The
      pair avoids every session of another event of that member, so a case
      where no such pair exists gets none.

    Unplanted gaps (`skipped_member_sessions`, 0 by default): each member skips
    each session after the first independently with this probability; their
    member rows of that session are left out (not invited, or not there), the
    therapist's rows stay. Not in the truth table: a gap is noise, not an event.

    `SimulationConfig.realistic()` is the harder, clinic-like mode (see there).
    """

    # Case composition
    individual_share: float = 0.30
    couple_share: float = 0.25
    family_share: float = 0.45
    family_youth_client_share: float = 0.70
    """Share of family cases whose identified client is a youth (8-17)."""
    two_caregivers_share: float = 0.50
    """Share of family cases with two caregivers (else one)."""
    sibling_share: float = 0.50
    """Share of family cases with one sibling aged 8-17 (else none)."""
    youth_ages: tuple[int, int] = (8, 17)
    child_form_max_age: int = 12
    """Youth up to this age answer TAC-C; older members answer TAC and MSPSS."""
    sessions: tuple[int, int] = (6, 20)
    """Sessions per case, uniform on this inclusive range."""

    # Alliance (0-4 TAC mean scale)
    alliance_mean: float = 2.9
    alliance_case_sd: float = 0.40
    alliance_member_sd: float = 0.08
    alliance_growth: float = 0.015
    """Added per session after the first."""
    alliance_residual_sd: float = 0.12
    therapist_sd: float = 0.10
    family_scales_sd: float = 0.15
    """Noise of the member's TAC family-therapist and within-family scales."""

    # Rupture
    rupture_rate: float = 0.25
    rupture_drop: tuple[float, float] = (1.0, 1.6)
    rupture_repaired_share: float = 0.5
    unrepaired_kept: tuple[float, float] = (0.8, 1.0)
    """After an unrepaired rupture the level stays at the pre-rupture level minus
    this fraction of the drop (growth stalls); the floor must be >= 0.7."""

    # Splits (couple and family cases)
    split_rate: float = 0.35
    split_drop: tuple[float, float] = (0.9, 1.4)
    split_length: tuple[int, int] = (3, 5)
    split_first_session: int = 1

    # Therapist overestimation
    overestimation_rate: float = 0.15
    overestimation_bias: tuple[float, float] = (0.8, 1.2)

    # PCL-5 (past week)
    pcl5_intake_mean: float = 50.0
    pcl5_intake_sd: float = 10.0
    pcl5_intake_bounds: tuple[float, float] = (25.0, 80.0)
    pcl5_residual_sd: float = 5.0
    responder_share: float = 0.55
    non_responder_share: float = 0.30
    deteriorator_share: float = 0.15
    responder_slope: tuple[float, float] = (10.0, 2.5)
    """Mean and SD of b for responders (and deteriorators before onset)."""
    non_responder_slope: tuple[float, float] = (0.0, 1.0)
    deterioration_rise: tuple[float, float] = (5.0, 20.0)
    """Points above intake that a deteriorator rises to."""
    deterioration_sessions: int = 2
    """The rise is spread linearly over this many sessions."""

    # PHQ-9
    phq9_per_pcl5: float = 1.0 / 3.0
    phq9_sd: float = 2.0
    risk_item_rate: float = 0.05

    # MSPSS
    mspss_every: int = 4
    """Assessed at sessions 1, 1 + every, 1 + 2 * every, ..."""
    mspss_mean: float = 5.0
    mspss_sd: float = 0.8
    mspss_occasion_sd: float = 0.25
    mspss_unplanted_family_floor: float = 3.0
    low_support_rate: float = 0.10
    low_support_family: tuple[float, float] = (1.5, 2.75)

    # Missed sessions
    missed_rate: float = 0.10
    missed_sessions: int = 2
    skipped_member_sessions: float = 0.0
    """Share of member-sessions (after the first) left out at random."""

    @classmethod
    def realistic(cls) -> SimulationConfig:
        """Data as noisy as a clinic's: alliance ratings crowd near the top of
        the scale (case mean 3.4 of 4, SD 0.3, so many sit at the ceiling),
        session-to-session noise of about 6% of the range (SD 0.24 on 0-4 for
        the member's own and family scales), ruptures and splits of 15-25% of
        the range (drops of 0.6-1.0), 15% of member-sessions missing at random;
        answers stay on the mean-of-items grid (1/7 for TAC, 1/4 for TAC-C).
        Everything else, the planted event rates included, is the default."""
        return cls(
            alliance_mean=3.4,
            alliance_case_sd=0.3,
            alliance_residual_sd=0.24,
            family_scales_sd=0.24,
            rupture_drop=(0.6, 1.0),
            split_drop=(0.6, 1.0),
            skipped_member_sessions=0.15,
        )

    def __post_init__(self) -> None:
        problems: list[str] = []
        for f in fields(self):
            value = getattr(self, f.name)
            numbers = value if isinstance(value, tuple) else (value,)
            if not all(math.isfinite(v) for v in numbers):
                problems.append(f"{f.name}: must be finite, got {value!r}")
            elif (
                isinstance(value, tuple)
                and value[0] > value[1]
                and "slope" not in f.name
            ):
                problems.append(
                    f"{f.name}: low end {value[0]} is above high end {value[1]}"
                )
        for name in (
            "individual_share",
            "couple_share",
            "family_share",
            "family_youth_client_share",
            "two_caregivers_share",
            "sibling_share",
            "rupture_rate",
            "rupture_repaired_share",
            "split_rate",
            "overestimation_rate",
            "responder_share",
            "non_responder_share",
            "deteriorator_share",
            "risk_item_rate",
            "low_support_rate",
            "missed_rate",
            "skipped_member_sessions",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                problems.append(f"{name}: must be a share from 0 to 1, got {value}")
        kinds = self.individual_share + self.couple_share + self.family_share
        if not math.isclose(kinds, 1.0, abs_tol=1e-9):
            problems.append(
                f"individual_share + couple_share + family_share must be 1, got {kinds}"
            )
        classes = (
            self.responder_share + self.non_responder_share + self.deteriorator_share
        )
        if not math.isclose(classes, 1.0, abs_tol=1e-9):
            problems.append(
                "responder_share + non_responder_share + deteriorator_share must be 1, "
                f"got {classes}"
            )
        if self.sessions[0] < 6:
            problems.append(
                f"sessions: at least 6 per case are needed to place every event, got {self.sessions[0]}"
            )
        if self.youth_ages[0] < 8 or self.youth_ages[1] > 17:
            problems.append(f"youth_ages: must lie within 8-17, got {self.youth_ages}")
        if self.split_length[0] < 3:
            problems.append(
                f"split_length: a split lasts at least 3 sessions, got {self.split_length}"
            )
        if self.split_first_session < 1:
            problems.append(
                f"split_first_session: must be 1 or later, got {self.split_first_session}"
            )
        if self.unrepaired_kept[0] < 0.7:
            problems.append(
                f"unrepaired_kept: an unrepaired rupture keeps at least 0.7 of the drop, got {self.unrepaired_kept}"
            )
        if (
            self.mspss_every < 1
            or self.deterioration_sessions < 1
            or self.missed_sessions < 1
        ):
            problems.append(
                "mspss_every, deterioration_sessions and missed_sessions must be >= 1"
            )
        for name in (
            "alliance_case_sd",
            "alliance_member_sd",
            "alliance_residual_sd",
            "therapist_sd",
            "family_scales_sd",
            "pcl5_intake_sd",
            "pcl5_residual_sd",
            "phq9_sd",
            "mspss_sd",
            "mspss_occasion_sd",
        ):
            if getattr(self, name) < 0:
                problems.append(f"{name}: a standard deviation cannot be negative")
        if problems:
            raise ValueError("invalid SimulationConfig: " + "; ".join(problems))
