"""The synthetic clinic of `tether demo` (docs/architecture.md): people, cases and
answers drawn by the simulator (docs/simulation.md), saved as ordinary care records,
then refit so every kind of alert is there to look at.

The showcase is the Rivera family (Dr. Ames's case): a teenager (13-17) whose
alliance broke and has not come back by the latest session, so the case shows
an open red rupture alert. It is a simulated family case whose ground truth
holds an unrepaired rupture of a youth 13+ (the default seed, 2026 with 40
cases, has one: C00040, whose identified client is 13-17, rupture at session 10 of
12). Only when the seed has none is a rupture planted: that teen's TAC answers
are lowered by `PLANTED_DROP` from two sessions before the end on
(`plant_unrepaired_rupture`), and `DemoClinic.showcase_planted` says so.

The simulator has no SRS, so one adult's paper SRS total of 31 (below the
validated cutoff of 36) is added to give a low-alliance alert.

The simulator writes scale scores only, so each member's TAC and TAC-C answers
are drawn to match them exactly (`tac_item_answers`: a scale's total split
over its items, the remainder to items chosen at random), and stored as the
response's answers and `item:<id>` rows, as a questionnaire answered through
a link is. In the Rivera family, Leo's drop falls on respect (item 2,
`SHOWCASE_DIMENSION_ITEM`): from the rupture's session on his respect answer
is 0 ("Strongly disagree") and before it as high as his total allows, so the
case page's breakdown shows respect as what fell most.

No simulated scale is withheld (`WITHHELD_SCALES` is empty); the hook stays for
a demo that should show fewer measures.

Answered questionnaires are `complete` responses. An invitation the member
left unanswered (the long format's empty score) is kept as an `in-progress`
response with no submission time and empty scores, so disengagement shows; a
session's attendance is the members who answered something in it.

The simulator writes TAC 1.0 (docs/simulation.md), so the demo's history is
on TAC 1.0, as a clinic's answers from before TAC 1.1 would be; links and kiosk
turns started in the demo ask TAC 1.1 (docs/tac.md).

The Riveras have recorded what each of them shares in the family view
(`share_in_family_view`, docs/reports.md §Family view): the adults their
alliance and their progress, each youth their progress only, so the family
view has something to show and still keeps Leo's alliance to himself.

Nothing here is real: every page of the demo says "Demo data".
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from tether.accounts.models import Organization, Role, User
from tether.audit.services import record
from tether.care.frames import library
from tether.care.models import (
    AgeBand,
    Case,
    CaseKind,
    Member,
    Response,
    Session,
    Signal,
)
from tether.care.responses import ScoredResponse, store_response, store_responses
from tether.care.services import derive_subsystems, refit_organization
from tether.care.sharing import set_sharing
from tether.simulate import TAC, TAC_CHILD, simulate_cohort

DEMO_PASSWORD = "tether-demo"
ORGANIZATION_NAME = "Northside Clinic (demo)"
ORGANIZATION_SLUG = "northside-demo"
SHOWCASE_LABEL = "Rivera family"
DEFAULT_CASES = 40
DEFAULT_SEED = 2026

# username, first name, last name
CLINICIANS = (
    ("dr.ames", "Dr.", "Ames"),
    ("dr.baker", "Dr.", "Baker"),
    ("dr.chen", "Dr.", "Chen"),
)
SUPERVISOR = ("sam.supervisor", "Sam", "Okoro")
ADMINISTRATOR = ("ada.admin", "Ada", "Lindqvist")
"""An administrator only: accounts and settings, no clinical data."""
CLINICIAN_ADMINISTRATOR = "dr.chen"
"""A clinician who is also an administrator."""
CRISIS_CONTACTS = "On-call line: 555-0142 (24 hours)"
"""The demo clinic's own crisis contacts (a fictional 555 number)."""
USERNAMES = (*(c[0] for c in CLINICIANS), SUPERVISOR[0], ADMINISTRATOR[0])

REQUIRED_ALERTS: tuple[tuple[str, ...], ...] = (
    ("risk-item",),
    ("rupture",),
    ("split-dyad", "split-family"),
    ("split-family-therapist",),
    ("low-alliance",),
    ("therapist-discrepancy",),
    ("not-on-track", "meaningful-worsening", "reliable-deterioration"),
    ("low-support",),
    ("disengagement",),
)
"""Each entry is one kind of alert the demo must show; any of its names will do.
An adult-youth split needs two or more young people answering TAC beside the
adults, with the gap holding without the lowest of them: too rare for a
40-case demo to be sure of one, so it is not required."""

SCALE_ITEMS = {
    (TAC, "self"): ("1", "2", "3", "4", "5", "6", "7"),
    (TAC, "family-therapist"): ("8", "9"),
    (TAC, "within-family"): ("10", "11"),
    (TAC_CHILD, "self"): ("1", "2", "3", "4"),
}
"""The items of each simulated TAC scale (a mean of its items: tac@1.0.yaml)."""
SHOWCASE_DIMENSION_ITEM = "2"
"""Leo's drop falls on this TAC item: respect."""
SHOWCASE_DIMENSION_AFTER = 0
"""His answer to it from the rupture on: "Strongly disagree"."""
ITEM_ANSWER_MAX = 4
PLANTED_DROP = 1.5
"""How far (0-4 TAC scale) a planted rupture lowers the teen's answers."""
LOW_SRS_TOTAL = 31.0
"""The paper SRS total of the low-alliance example (cutoff: below 36)."""
WITHHELD_SCALES: tuple[tuple[str, str], ...] = ()
"""Simulated scales left out of the demo (see the module docstring)."""

ADULT_NAMES = (
    "Aisha", "Carlos", "Grace", "Samuel", "Fatima", "Priya", "Michael", "Elena",
    "Kwame", "Sarah", "Tomás", "Hannah", "Omar", "Rachel", "Luis", "Nadia",
    "Peter", "Inés", "Kofi", "Mei", "James", "Yusuf", "Claire", "Andrés",
    "Joy", "Viktor", "Leila", "Marcus", "Rosa", "Nikhil", "Tamara", "Gabriel",
)  # fmt: skip
TEEN_NAMES = (
    "Maya", "Jayden", "Zoe", "Ethan", "Amara", "Noah", "Lina", "Mateo",
    "Chloe", "Isaiah", "Sofia", "Ravi", "Imani", "Tyler", "Nora", "Malik",
)  # fmt: skip
CHILD_NAMES = (
    "Lily", "Max", "Ava", "Eli", "Ruby", "Theo", "Mia", "Kai",
    "Emma", "Leon", "Anya", "Felix", "Zara", "Oscar", "Nia", "Hugo",
)  # fmt: skip
INDIVIDUAL_NAMES = (
    "Jordan", "Alex", "Morgan", "Taylor", "Casey", "Robin", "Jamie", "Avery",
    "Riley", "Dana", "Quinn", "Sasha", "Drew", "Kim", "Noel", "Reese",
)  # fmt: skip
SURNAMES = (
    "Okafor", "Nguyen", "Kowalski", "Haddad", "Silva", "Murphy", "Tanaka",
    "Mensah", "Johansson", "Patel", "Garcia", "Cohen", "Brennan", "Adeyemi",
    "Moreno", "Schmidt", "Park", "Dubois", "O'Neill", "Castillo", "Ibrahim",
    "Novak", "Fischer", "Ramirez", "Chowdhury", "Kim", "Bianchi", "Hughes",
    "Yilmaz", "Santos", "Abebe", "Larsen", "Walsh", "Delgado", "Osei", "Kaur",
    "Petrov", "Lee", "Wright", "Alvarez", "Hoang", "Mwangi", "Costa", "Sato",
    "Farah", "Jensen", "Reid", "Byrne",
)  # fmt: skip
# The Rivera family's names (the care tests know them too).
SHOWCASE_CAREGIVERS = ("Maria", "Daniel")
SHOWCASE_TEEN = "Leo"

TRAUMA_FOCUS = {
    CaseKind.INDIVIDUAL: (
        "combat", "sexual assault", "childhood abuse", "road traffic accident",
        "domestic violence", "assault", "sudden loss",
    ),
    CaseKind.COUPLE: (
        "combat", "sexual assault", "domestic violence", "childhood abuse",
        "sudden loss",
    ),
    CaseKind.FAMILY: (
        "childhood abuse", "community violence", "house fire", "domestic violence",
        "road traffic accident", "sudden loss", "sexual abuse",
    ),
}  # fmt: skip


class DemoSeedError(RuntimeError):
    """The demo clinic cannot be seeded as asked; the message says why."""


@dataclass(frozen=True)
class DemoClinic:
    organization: Organization
    accounts: dict[str, User]
    """By username: the three clinicians, the supervisor and the administrator."""
    password: str
    showcase_case_id: int
    """The Rivera family."""
    showcase_planted: bool = False
    """True when the seed had no unrepaired teen rupture and one was planted."""
    seconds: float = 0.0
    alert_counts: dict[str, int] = field(default_factory=dict)
    """Open alerts by kind after the refit."""
    planted: tuple[PlantedEvent, ...] = ()
    """Every event planted in the clinic's answers (the simulator's truth as
    the demo kept it, the showcase rupture, the low paper SRS), in the
    database's ids."""


@dataclass(frozen=True)
class PlantedEvent:
    """One planted event (docs/simulation.md, "Planted events") of a demo case."""

    event: str
    case_id: int
    member_id: int | None
    """The member it happened to; None for a group (`family`, `youth`)."""
    session: int
    end_session: int | None
    """Its last session; None when it lasts to the end of the case."""
    last_session: int
    """The case's last session."""

    @property
    def ongoing(self) -> bool:
        """Still going on at the case's last session."""
        return self.end_session is None or self.end_session >= self.last_session


# ---- the pure part: choosing and planting the showcase -------------------------


@dataclass(frozen=True)
class Showcase:
    case_id: str
    member_id: str
    """The teenager (simulated member id)."""
    planted_from: int | None
    """The session a planted rupture starts at; None when the simulator drew it."""
    rupture_session: int | None = None
    """The session the rupture (drawn or planted) starts at."""


def _teens(scores: pd.DataFrame) -> set[tuple[str, str]]:
    """(case, member) of youths 13-17 in family cases: those answering the adult
    TAC (8-12-year-olds answer TAC-C)."""
    rows = scores[
        (scores["respondent"] == "member")
        & (scores["age_band"] == "youth")
        & (scores["instrument"] == TAC)
        & (scores["case_kind"] == "family")
    ]
    return set(zip(rows["case_id"], rows["member_id"], strict=True))


def choose_showcase(scores: pd.DataFrame, truth: pd.DataFrame) -> Showcase:
    """The family case with a simulated unrepaired rupture of a teen, nearest
    the case's end; else a family case with a teen to plant one in."""
    teens = _teens(scores)
    last = scores.groupby("case_id")["session"].max()
    ruptures = truth[(truth["event"] == "rupture") & truth["end_session"].isna()]
    drawn = [
        (int(last[r.case_id] - r.session), r.case_id, r.member_id, int(r.session))
        for r in ruptures.itertuples(index=False)
        if (r.case_id, r.member_id) in teens
    ]
    if drawn:
        _, case_id, member_id, session = min(drawn)
        return Showcase(case_id, member_id, None, session)
    return _plant_target(scores, truth, teens, last)


def _plant_target(
    scores: pd.DataFrame,
    truth: pd.DataFrame,
    teens: set[tuple[str, str]],
    last: pd.Series,
) -> Showcase:
    """A teen with at least 7 sessions, no other event of theirs (or a split, or
    a rupture in the case) in the rupture's window, and the highest alliance
    before it, so a drop shows clearly."""
    best: tuple[float, str, str, int] | None = None
    for case_id, member_id in sorted(teens):
        end = int(last[case_id])
        start = end - 2
        if start < 5:
            continue
        events = truth[truth["case_id"] == case_id]
        ends = events["end_session"].fillna(end).astype(int)
        in_window = (ends >= start - 3) & (
            (events["member_id"].isin([member_id, "youth", "family"]))
            | events["event"].isin(["rupture", "split-family", "split-dyad"])
        )
        if in_window.any():
            continue
        own = scores[
            (scores["case_id"] == case_id)
            & (scores["member_id"] == member_id)
            & (scores["respondent"] == "member")
            & (scores["instrument"] == TAC)
            & (scores["scale"] == "self")
            & (scores["session"] < start)
        ]
        level = float(own["score"].mean())
        if not np.isnan(level) and (best is None or level > best[0]):
            best = (level, case_id, member_id, start)
    if best is None:
        raise DemoSeedError(
            "no family case with a teenager (13-17) and at least 7 sessions to "
            "show a rupture in: choose another seed or more cases"
        )
    _, case_id, member_id, start = best
    return Showcase(case_id, member_id, start, start)


def withhold(scores: pd.DataFrame) -> pd.DataFrame:
    """`scores` without the rows of WITHHELD_SCALES."""
    keep = pd.Series(True, index=scores.index)
    for instrument, scale in WITHHELD_SCALES:
        keep &= ~((scores["instrument"] == instrument) & (scores["scale"] == scale))
    return scores[keep].reset_index(drop=True)


GRID_STEPS = {"self": 7.0, "family": 3.0}
"""Answers per point of each TAC scale (its number of items; two elsewhere)."""


ONGOING_SPLITS = (("split-dyad", "split-family"), ("split-family-therapist",))


def end_during_a_split(
    scores: pd.DataFrame, truth: pd.DataFrame, showcase: str
) -> pd.DataFrame:
    """`scores` with one couple or family case per kind of ONGOING_SPLITS (not
    the showcase) cut after the second session of its planted split, so the
    demo has cases still in therapy whose split is ongoing (a split that has
    ended is resolved, with the reason)."""
    for kinds in ONGOING_SPLITS:
        splits = truth[
            truth["event"].isin(kinds) & (truth["case_id"] != showcase)
        ].sort_values("case_id")
        if splits.empty:
            continue
        split = splits.iloc[0]
        last = int(split["session"]) + 1
        keep = (scores["case_id"] != split["case_id"]) | (scores["session"] <= last)
        scores = scores[keep].reset_index(drop=True)
    return scores


def plant_unrepaired_rupture(
    scores: pd.DataFrame,
    case_id: str,
    member_id: str,
    from_session: int,
    drop: float = PLANTED_DROP,
) -> pd.DataFrame:
    """A copy of `scores` with one member's own TAC answers (self, and the
    family-level scales) lowered by `drop` from `from_session` to the end of the
    case, kept on each scale's grid (1/7 for self, 1/2 for the two-item scales)
    and inside 0-4. Unanswered rows stay unanswered."""
    out = scores.copy()
    rows = (
        (out["case_id"] == case_id)
        & (out["member_id"] == member_id)
        & (out["respondent"] == "member")
        & (out["instrument"] == TAC)
        & (out["session"] >= from_session)
    )
    steps = out.loc[rows, "scale"].map(GRID_STEPS).fillna(2.0).to_numpy()
    lowered = np.clip(out.loc[rows, "score"].to_numpy() - drop, 0.0, 4.0)
    out.loc[rows, "score"] = np.round(np.round(lowered * steps) / steps, 4)
    return out


def tac_item_answers(
    scores: pd.DataFrame, showcase: Showcase, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """`item:<id>` rows of the members' TAC and TAC-C answers, drawn so each
    scale's mean is exactly its simulated score: the scale's total (mean ×
    items, a whole number on the simulator's grid) split evenly over its
    items, the remainder one point each to items chosen at random. The
    showcase teen's respect item is as high as his total allows before the
    rupture and SHOWCASE_DIMENSION_AFTER from it on. Same seed, same answers."""
    rng = np.random.default_rng(seed)
    member_rows = scores[
        (scores["respondent"] == "member")
        & scores["score"].notna()
        & scores["instrument"].isin({key[0] for key in SCALE_ITEMS})
    ]
    records = []
    for r in member_rows.itertuples(index=False):
        items = SCALE_ITEMS.get((r.instrument, r.scale))
        if items is None:
            continue
        total = round(float(r.score) * len(items))
        fixed: dict[str, int] = {}
        if (
            (r.case_id, r.member_id) == (showcase.case_id, showcase.member_id)
            and SHOWCASE_DIMENSION_ITEM in items
            and r.instrument == TAC
        ):
            rest = ITEM_ANSWER_MAX * (len(items) - 1)
            dropped = (
                showcase.rupture_session is not None
                and int(r.session) >= showcase.rupture_session
            )
            wanted = SHOWCASE_DIMENSION_AFTER if dropped else ITEM_ANSWER_MAX
            fixed[SHOWCASE_DIMENSION_ITEM] = min(max(wanted, total - rest), total)
        answers = _spread(
            total - sum(fixed.values()), [i for i in items if i not in fixed], rng
        )
        for item, value in (answers | fixed).items():
            records.append(
                {
                    **r._asdict(),
                    "scale": f"item:{item}",
                    "score": float(value),
                }
            )
    columns = list(scores.columns)
    return pd.DataFrame.from_records(records, columns=columns)


def _spread(total: int, items: list[str], rng: np.random.Generator) -> dict[str, int]:
    base, extra = divmod(total, len(items))
    lucky = set(rng.choice(len(items), size=extra, replace=False).tolist())
    return {item: base + (index in lucky) for index, item in enumerate(items)}


# ---- the database part ---------------------------------------------------------


def seed_demo_clinic(
    cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED
) -> DemoClinic:
    """Create the demo clinic in this (fresh) database and refit it.

    Refuses with DemoSeedError when the demo clinic or one of its accounts is
    already there, and when, after the refit, a kind of alert of
    REQUIRED_ALERTS or the Rivera family's open red rupture is missing (then
    nothing is saved: it all runs in one transaction)."""
    started = time.perf_counter()
    taken = sorted(
        User.objects.filter(username__in=USERNAMES).values_list("username", flat=True)
    )
    if Organization.objects.filter(slug=ORGANIZATION_SLUG).exists() or taken:
        raise DemoSeedError(
            f"{ORGANIZATION_NAME} is already in this database"
            + (f" (accounts {', '.join(taken)})" if taken else "")
            + ": the demo is seeded once, into a fresh database "
            "(`tether demo` starts from a new one every time)"
        )
    cohort = simulate_cohort(cases, seed)
    scores = withhold(cohort.scores)
    showcase = choose_showcase(scores, cohort.truth)
    if showcase.planted_from is not None:
        scores = plant_unrepaired_rupture(
            scores, showcase.case_id, showcase.member_id, showcase.planted_from
        )
    scores = end_during_a_split(scores, cohort.truth, showcase.case_id)
    scores = pd.concat(
        [scores, tac_item_answers(scores, showcase, seed)], ignore_index=True
    )
    with transaction.atomic():
        organization = Organization.objects.create(
            name=ORGANIZATION_NAME,
            slug=ORGANIZATION_SLUG,
            crisis_contacts=CRISIS_CONTACTS,
        )
        accounts = _create_accounts(organization)
        clinicians = [accounts[c[0]] for c in CLINICIANS]
        builder = _Builder(organization, clinicians, random.Random(seed), showcase)
        builder.save(scores)
        low_srs = builder.enter_low_srs(scores)
        record(
            None,
            "create",
            "demo-clinic",
            organization.pk,
            organization=organization,
            detail={"cases": cases, "seed": seed},
        )
        refit_organization(organization)
        showcase_case = builder.cases[showcase.case_id]
        share_in_family_view(showcase_case, accounts[CLINICIANS[0][0]])
        _check(
            organization,
            showcase_case,
            builder.members[(showcase.case_id, showcase.member_id)],
        )
        counts = alert_counts(organization)
        planted = builder.planted(_demo_truth(cohort.truth, scores, showcase), low_srs)
    return DemoClinic(
        organization=organization,
        accounts=accounts,
        password=DEMO_PASSWORD,
        showcase_case_id=showcase_case.pk,
        showcase_planted=showcase.planted_from is not None,
        seconds=time.perf_counter() - started,
        alert_counts=counts,
        planted=planted,
    )


def _demo_truth(
    truth: pd.DataFrame, scores: pd.DataFrame, showcase: Showcase
) -> pd.DataFrame:
    """The simulator's truth as the demo kept it: events of a case cut short
    (`end_during_a_split`) only up to its new last session, and the planted
    showcase rupture when the seed had none."""
    last = scores.groupby("case_id")["session"].max()
    kept = truth[truth["session"] <= truth["case_id"].map(last)]
    if showcase.planted_from is None:
        return kept
    rupture = {
        "case_id": showcase.case_id,
        "event": "rupture",
        "member_id": showcase.member_id,
        "session": showcase.planted_from,
        "end_session": pd.NA,
        "detail": "{}",
    }
    return pd.concat([kept, pd.DataFrame([rupture])], ignore_index=True)


def _create_accounts(organization: Organization) -> dict[str, User]:
    people = [
        (
            *c,
            {Role.CLINICIAN, Role.ADMIN}
            if c[0] == CLINICIAN_ADMINISTRATOR
            else {Role.CLINICIAN},
        )
        for c in CLINICIANS
    ] + [
        (*SUPERVISOR, {Role.SUPERVISOR}),
        (*ADMINISTRATOR, {Role.ADMIN}),
    ]
    accounts = {}
    for username, first, last, roles in people:
        accounts[username] = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            organization=organization,
            roles=roles,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.invalid",
            is_demo_account=True,
        )
    return accounts


def alert_counts(organization: Organization) -> dict[str, int]:
    """Open alerts of the organization by kind."""
    rows = Signal.objects.filter(
        organization=organization, status=Signal.Status.OPEN
    ).values_list("kind", flat=True)
    counts: dict[str, int] = {}
    for kind in rows:
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def missing_alert_kinds(organization: Organization) -> list[str]:
    """The kinds of REQUIRED_ALERTS with no open alert in the organization."""
    present = set(alert_counts(organization))
    return [
        " or ".join(names)
        for names in REQUIRED_ALERTS
        if not present.intersection(names)
    ]


def _check(organization: Organization, showcase: Case, teen: Member) -> None:
    problems = []
    missing = missing_alert_kinds(organization)
    if missing:
        problems.append(f"no open alert of kind {', '.join(missing)}")
    rupture = showcase.signals.filter(
        kind="rupture",
        severity="red",
        status=Signal.Status.OPEN,
        state="unrepaired",
        subject=f"member:{teen.pk}",
    )
    if not rupture.exists():
        problems.append(
            f"the {SHOWCASE_LABEL} has no open, unrepaired red rupture for "
            f"{teen.first_name} ({teen.age_band})"
        )
    if problems:
        raise DemoSeedError(
            "the demo clinic is incomplete: "
            + "; ".join(problems)
            + ". Choose another seed or number of cases."
        )


class _Builder:
    """Turns the simulated long format into care records with bulk inserts."""

    def __init__(
        self,
        organization: Organization,
        clinicians: list[User],
        rng: random.Random,
        showcase: Showcase,
    ) -> None:
        self.organization = organization
        self.clinicians = clinicians
        self.rng = rng
        self.showcase = showcase
        self.cases: dict[str, Case] = {}
        self.members: dict[tuple[str, str], Member] = {}
        self.sessions: dict[tuple[str, int], Session] = {}
        self.clinician_of: dict[str, User] = {}

    # cases and members

    def save(self, scores: pd.DataFrame) -> None:
        case_ids = list(dict.fromkeys(scores["case_id"]))
        kinds = scores.groupby("case_id")["case_kind"].first()
        people = self._people(scores)
        surnames = self._surnames(len(case_ids))
        others = iter(c for c in case_ids if c != self.showcase.case_id)
        rotation = [*self.clinicians[1:], self.clinicians[0]]
        for index, case_id in enumerate([self.showcase.case_id, *others]):
            self.clinician_of[case_id] = (
                self.clinicians[0] if index == 0 else rotation[(index - 1) % 3]
            )
        cases = []
        for case_id in case_ids:
            kind = CaseKind(kinds[case_id])
            cases.append(
                Case(
                    organization=self.organization,
                    label="",
                    kind=kind,
                    trauma_focus=self.rng.choice(TRAUMA_FOCUS[kind]),
                )
            )
        members = []
        for case_id, case in zip(case_ids, cases, strict=True):
            self.cases[case_id] = case
            names = self._names(case_id, people[case_id])
            for (member_id, role, band), name in zip(
                people[case_id], names, strict=True
            ):
                member = Member(
                    organization=self.organization,
                    case=case,
                    first_name=name,
                    role=role,
                    age_band=band,
                )
                self.members[(case_id, member_id)] = member
                members.append(member)
            if case_id == self.showcase.case_id:
                case.label = SHOWCASE_LABEL
            else:
                case.label = _label(case.kind, names[0], surnames.pop())
        Case.objects.bulk_create(cases)
        Member.objects.bulk_create(members)
        Case.clinicians.through.objects.bulk_create(
            Case.clinicians.through(case=case, user=self.clinician_of[case_id])
            for case_id, case in self.cases.items()
        )
        self._save_sessions(scores)
        self._save_responses(scores)
        for case in cases:
            derive_subsystems(case)

    @staticmethod
    def _people(scores: pd.DataFrame) -> dict[str, list[tuple[str, str, str]]]:
        """Per case, its members in order: (member id, role, age band)."""
        rows = scores[scores["respondent"] == "member"]
        child = set(
            zip(
                rows.loc[rows["instrument"] == TAC_CHILD, "case_id"],
                rows.loc[rows["instrument"] == TAC_CHILD, "member_id"],
                strict=True,
            )
        )
        first = rows.drop_duplicates(["case_id", "member_id"])
        people: dict[str, list[tuple[str, str, str]]] = {}
        for r in first.itertuples(index=False):
            if r.age_band == "adult":
                band = AgeBand.ADULT
            elif (r.case_id, r.member_id) in child:
                band = AgeBand.CHILD
            else:
                band = AgeBand.TEEN
            people.setdefault(r.case_id, []).append((r.member_id, r.member_role, band))
        for members in people.values():
            members.sort(key=lambda m: int(m[0].removeprefix("M")))
        return people

    def _surnames(self, count: int) -> list[str]:
        pool = [s for s in SURNAMES if s != SHOWCASE_LABEL.split()[0]]
        self.rng.shuffle(pool)
        out = []
        for index in range(count):
            round_, position = divmod(index, len(pool))
            # Past the list, double-barrelled names: "Okafor-Nguyen".
            other = pool[(position + round_) % len(pool)]
            out.append(pool[position] + (f"-{other}" if round_ else ""))
        return out[::-1]  # taken with pop(), so the first name comes first

    def _names(self, case_id: str, people: list[tuple[str, str, str]]) -> list[str]:
        showcase = case_id == self.showcase.case_id
        used: set[str] = set()
        names = []
        for member_id, _role, band in people:
            if showcase and member_id == self.showcase.member_id:
                name = SHOWCASE_TEEN
            elif (
                showcase
                and band == AgeBand.ADULT
                and not used.issuperset(SHOWCASE_CAREGIVERS)
            ):
                name = next(n for n in SHOWCASE_CAREGIVERS if n not in used)
            else:
                if band == AgeBand.CHILD:
                    pool: Iterable[str] = CHILD_NAMES
                elif band == AgeBand.TEEN:
                    pool = TEEN_NAMES
                elif len(people) == 1:
                    pool = INDIVIDUAL_NAMES
                else:
                    pool = ADULT_NAMES
                choices = [
                    n
                    for n in pool
                    if n not in used and n not in (SHOWCASE_TEEN, *SHOWCASE_CAREGIVERS)
                ]
                name = self.rng.choice(choices)
            used.add(name)
            names.append(name)
        return names

    # sessions

    def _save_sessions(self, scores: pd.DataFrame) -> None:
        last_week = timezone.localdate() - dt.timedelta(days=7)
        monday = last_week - dt.timedelta(days=last_week.weekday())
        counts = scores.groupby("case_id")["session"].max()
        sessions = []
        for index, (case_id, case) in enumerate(self.cases.items()):
            total = int(counts[case_id])
            final = monday + dt.timedelta(days=index % 5)
            for number in range(1, total + 1):
                session = Session(
                    organization=self.organization,
                    case=case,
                    number=number,
                    date=final - dt.timedelta(weeks=total - number),
                )
                self.sessions[(case_id, number)] = session
                sessions.append(session)
        Session.objects.bulk_create(sessions)
        answered = scores[(scores["respondent"] == "member") & scores["score"].notna()]
        present = answered.drop_duplicates(["case_id", "session", "member_id"])
        Session.attended.through.objects.bulk_create(
            Session.attended.through(
                session=self.sessions[(r.case_id, int(r.session))],
                member=self.members[(r.case_id, r.member_id)],
            )
            for r in present.itertuples(index=False)
        )

    # responses and scores

    def _save_responses(self, scores: pd.DataFrame) -> None:
        """Every simulated response, stored as a clinic's history is
        (responses.store_responses); the refit that follows computes the
        alerts, so no recompute is queued."""
        instruments = library()
        definitions = {
            name: instruments.get(name) for name in scores["instrument"].unique()
        }
        keys_cols = ["case_id", "member_id", "respondent", "session", "instrument"]
        batch = []
        for key, rows in scores.groupby(keys_cols, sort=False):
            case_id, member_id, respondent, number, instrument = key  # type: ignore[misc]
            session = self.sessions[(case_id, int(number))]
            member = (
                None if member_id == "family" else self.members[(case_id, member_id)]
            )
            therapist = respondent == Response.Respondent.THERAPIST
            values = {
                str(r.scale): (None if np.isnan(r.score) else float(r.score))
                for r in rows.itertuples(index=False)
            }
            batch.append(
                ScoredResponse(
                    session=session,
                    member=member,
                    respondent=str(respondent),
                    definition=definitions[instrument],
                    # An invitation left unanswered stays in progress, with
                    # empty scores (the long format's empty score).
                    scores=values,
                    answers={
                        scale.removeprefix("item:"): int(value)
                        for scale, value in values.items()
                        if scale.startswith("item:") and value is not None
                    },
                    submitted_at=_at(session.date, 18 if therapist else 17),
                    entered_by=self.clinician_of[case_id] if therapist else None,
                )
            )
        store_responses(self.organization, batch, source="demo", recompute=False)

    def planted(
        self, truth: pd.DataFrame, low_srs: Response
    ) -> tuple[PlantedEvent, ...]:
        """The planted events in the database's ids, the low paper SRS last."""
        last: dict[str, int] = {}
        for case_id, number in self.sessions:
            last[case_id] = max(last.get(case_id, 0), number)
        events = []
        for r in truth.itertuples(index=False):
            member = self.members.get((r.case_id, r.member_id))
            end = None if pd.isna(r.end_session) else int(r.end_session)
            events.append(
                PlantedEvent(
                    event=str(r.event),
                    case_id=self.cases[r.case_id].pk,
                    member_id=member.pk if member is not None else None,
                    session=int(r.session),
                    end_session=end,
                    last_session=last[r.case_id],
                )
            )
        session = low_srs.session
        case_id = next(
            c for c, case in self.cases.items() if case.pk == session.case_id
        )
        events.append(
            PlantedEvent(
                event="low-srs",
                case_id=session.case_id,
                member_id=low_srs.member_id,
                session=session.number,
                end_session=session.number,
                last_session=last[case_id],
            )
        )
        return tuple(events)

    def enter_low_srs(self, scores: pd.DataFrame) -> Response:
        """A paper SRS total below 36 for the adult (outside the showcase) whose
        latest TAC self score is lowest, at that session."""
        own = scores[
            (scores["respondent"] == "member")
            & (scores["age_band"] == "adult")
            & (scores["instrument"] == TAC)
            & (scores["scale"] == "self")
            & scores["score"].notna()
            & (scores["case_id"] != self.showcase.case_id)
        ]
        latest = own.sort_values("session").groupby(["case_id", "member_id"]).tail(1)
        chosen = latest.sort_values(["score", "case_id", "member_id"]).iloc[0]
        case_id = str(chosen["case_id"])
        session = self.sessions[(case_id, int(chosen["session"]))]
        clinician = self.clinician_of[case_id]
        return store_response(
            session=session,
            member=self.members[(case_id, str(chosen["member_id"]))],
            respondent=Response.Respondent.MEMBER,
            definition=library().get("srs"),
            source="paper",
            totals={"total": LOW_SRS_TOTAL},
            actor=clinician,
        ).response


def share_in_family_view(case: Case, clinician: User) -> None:
    """The choices the Riveras told Dr. Ames: each adult shares their
    alliance and their progress, each youth their progress only."""
    for member in case.members.order_by("pk"):
        set_sharing(
            clinician,
            case.pk,
            member.pk,
            alliance=not member.is_youth,
            outcome=True,
            asked=True,
        )


def _label(kind: str, first_name: str, surname: str) -> str:
    """'Jordan Lee' for an individual case, 'Okafor couple', 'Rivera family'."""
    if kind == CaseKind.INDIVIDUAL:
        return f"{first_name} {surname}"
    return f"{surname} {'couple' if kind == CaseKind.COUPLE else 'family'}"


def _at(date: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(hour), tzinfo=dt.UTC)
