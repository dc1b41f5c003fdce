"""Importing a clinic's score history (`tether import scores`, docs/importing.md):
the records read from a file (tether.interop.history, pure) matched against
what the organization already holds, then written as cases, members,
sessions and responses in one transaction.

A case is found again by its external id (the file's `case_id`), a member by
its external id in the case (`member_id`), a session by its number, a
response by its session, respondent, member and instrument; whatever is
found is left as it is, so running the same file again creates nothing. What
the database says against the file (a member stored with another role, a
score stored with another value) is a problem of the row, like those of the
file itself, and nothing is written.

Responses are stored through `care.responses.store_responses` (the batch
form of `store_response`: their risk results and risk alerts, one audit event
per case) without a recompute per case: as the demo does after seeding,
the organization is refitted once at the end (`refit_organization`: the
clinic's alliance noise, expected-response models and intake SDs estimated
again on all its cases, with the imported history, and every case's alerts
stored against that baseline), which is the recompute of every case.
Everything is recorded as done by Tether itself (no signed-in user: the
command line)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from tether.accounts.models import Organization, User
from tether.audit.services import record
from tether.csvfiles import CsvFile
from tether.instruments import Library
from tether.interop.history import (
    History,
    HistoryError,
    MemberRecord,
    ResponseRecord,
    read_history,
)
from tether.interop.history_report import ImportReport, Tally
from tether.signals.alliance import SUBSYSTEMS

from .alerts import refit_organization
from .frames import library
from .models import Case, Member, Response, Score, Session, Signal, Subsystem
from .responses import ScoredResponse, scores_to_store, store_responses

SOURCE = "history-import"
"""The `source` of the audit events of an import."""


@dataclass(frozen=True)
class Imported:
    report: ImportReport
    committed: bool
    """False for a dry run, and when nothing was new."""
    open_alerts: int | None = None
    """After a commit: the organization's open alerts, refitted."""


def import_history(
    organization: Organization,
    table: CsvFile,
    name: str,
    *,
    instrument: str | None = None,
    item_columns: str | None = None,
    commit: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> Imported:
    """Read `table` (a long-format score file, or with `instrument` a wide
    item file) as records of `organization` and report what is new; with
    `commit`, write what is new and refit the organization, in one
    transaction. HistoryError lists every problem, and then nothing is
    written. `progress`, when given, is told (done, total, the step next)."""
    steps = 4 if commit else 2

    def tell(done: int, what: str) -> None:
        if progress is not None:
            progress(done, steps, what)

    tell(0, "reading the file")
    lib = library()
    today = timezone.localdate()
    known = dict(
        Case.objects.filter(organization=organization)
        .exclude(external_id="")
        .values_list("external_id", "kind")
    )
    history = read_history(
        table.header,
        table.rows(),
        table.row_numbers,
        lib,
        today=today,
        instrument=instrument,
        item_columns=item_columns,
        known_kinds=known,
    )
    tell(1, "matching it with the clinic's records")
    if not commit:
        plan = _Plan(organization, history, lib)
        tell(2, "done")
        return Imported(plan.report(name, today), committed=False)
    with transaction.atomic():
        # Matched again inside the transaction that writes (on SQLite, under
        # its write lock), so what was counted is what is written.
        plan = _Plan(organization, history, lib)
        report = plan.report(name, today)
        if not report.creates_anything:
            tell(steps, "done")
            return Imported(report, committed=False)
        tell(2, "writing")
        plan.write(today)
        tell(3, "refitting the clinic")
        refit_organization(organization)
        tell(steps, "done")
        open_alerts = Signal.objects.filter(
            organization=organization, status=Signal.Status.OPEN
        ).count()
    return Imported(report, committed=True, open_alerts=open_alerts)


@dataclass
class _Scored:
    """A response's scores as they would be stored."""

    scores: dict[str, float | None]
    answers: dict[str, float]
    prorated: frozenset[str] = frozenset()
    rules: dict[str, Any] = field(default_factory=dict)


class _Plan:
    """The file's records matched against the organization's: what is there,
    what is new, and every problem; HistoryError when there is one."""

    def __init__(self, organization: Organization, history: History, lib: Library):
        self.organization = organization
        self.history = history
        self.library = lib
        self.problems: list[tuple[int, str]] = []
        self.cases = {
            c.external_id: c
            for c in Case.objects.filter(organization=organization).exclude(
                external_id=""
            )
        }
        self.members = {
            (m.case.external_id, m.external_id): m
            for m in Member.objects.filter(organization=organization)
            .exclude(external_id="")
            .exclude(case__external_id="")
            .select_related("case")
        }
        self.sessions = {
            (s.case.external_id, s.number): s
            for s in Session.objects.filter(organization=organization)
            .exclude(case__external_id="")
            .select_related("case")
        }
        self.clinicians = self._clinicians()
        self._check_members()
        self._check_sessions()
        self.scored = [self._scored(r) for r in history.responses]
        self.stored = self._stored_responses()
        self.new = [self._key(r) not in self.stored for r in history.responses]
        self._check_responses()
        if self.problems:
            raise HistoryError([text for _, text in sorted(self.problems)])

    def problem(self, row: int, column: str, reason: str) -> None:
        self.problems.append((row, f"row {row}: {column}: {reason}"))

    # -- what the database says against the file

    def _clinicians(self) -> dict[str, User]:
        names = {c.clinician for c in self.history.cases if c.clinician}
        users = {
            u.username: u
            for u in User.objects.filter(
                organization=self.organization, username__in=names
            )
        }
        for case in self.history.cases:
            if not case.clinician or case.id in self.cases:
                continue  # an existing case keeps its clinicians
            user = users.get(case.clinician)
            if user is None:
                self.problem(
                    case.row,
                    "clinician",
                    f"no user {case.clinician!r} in {self.organization.name}",
                )
            elif not user.is_clinician or not user.is_active:
                self.problem(
                    case.row,
                    "clinician",
                    f"{case.clinician} is not an active clinician, so cannot have cases",
                )
        return users

    def _check_members(self) -> None:
        for record_ in self.history.members:
            stored = self.members.get((record_.case, record_.id))
            if stored is None:
                continue
            whose = f"{record_.id} of case {record_.case} is stored in Tether as"
            if stored.role != record_.role:
                self.problem(record_.row, "member_role", f"{whose} {stored.role}")
            if stored.is_youth != record_.youth:
                band = "youth" if stored.is_youth else "adult"
                self.problem(
                    record_.row, "age_band", f"{whose} {band} ({stored.age_band})"
                )

    def _check_sessions(self) -> None:
        for record_ in self.history.sessions:
            stored = self.sessions.get((record_.case, record_.number))
            if stored is not None and record_.date and record_.date != stored.date:
                self.problem(
                    record_.row,
                    "session_date",
                    f"session {record_.number} of case {record_.case} is stored in "
                    f"Tether with the date {stored.date.isoformat()}",
                )

    def _scored(self, record_: ResponseRecord) -> _Scored:
        definition = self.library.get(record_.instrument)
        if record_.answers is None:
            return _Scored(
                dict(record_.scores),
                {
                    scale.removeprefix("item:"): _plain(value)
                    for scale, value in record_.scores.items()
                    if scale.startswith("item:") and value is not None
                },
            )
        answers = {k: _plain(v) for k, v in record_.answers.items() if v is not None}
        if not answers:
            # A questionnaire not answered: one empty row, as an expired
            # link's (portal/unanswered.py).
            return _Scored({definition.scales[0].id: None}, {})
        scored = scores_to_store(definition, answers)
        return _Scored(
            {scale: value for scale, (value, _) in scored.scores.items()},
            answers,
            frozenset(s for s, (_, prorated) in scored.scores.items() if prorated),
            scored.rules,
        )

    def _key(self, r: ResponseRecord) -> tuple[int, str, int | None, str] | None:
        """The stored response's identity, where its session and member exist."""
        session = self.sessions.get((r.case, r.session))
        member = None if r.member is None else self.members.get((r.case, r.member))
        if session is None or (r.member is not None and member is None):
            return None
        return (session.pk, r.respondent, member.pk if member else None, r.instrument)

    def _stored_responses(self) -> dict[tuple[int, str, int | None, str], _Stored]:
        if not self.sessions:
            return {}
        responses = (
            Response.objects.filter(organization=self.organization)
            .exclude(session__case__external_id="")
            .exclude(status=Response.Status.INCOMPLETE)
        )
        found = {
            pk: _Stored(status, answers)
            for pk, status, answers in responses.values_list("pk", "status", "answers")
        }
        for pk, scale, value in Score.objects.filter(
            response__in=responses
        ).values_list("response_id", "scale", "value"):
            found[pk].scores[scale] = value
        return {
            (session, respondent, member, instrument): found[pk]
            for pk, session, respondent, member, instrument in responses.values_list(
                "pk", "session_id", "respondent", "member_id", "instrument"
            )
        }

    def _check_responses(self) -> None:
        items = self.history.item_columns
        for r, scored in zip(self.history.responses, self.scored, strict=True):
            key = self._key(r)
            stored = self.stored.get(key) if key else None
            if stored is None:
                continue
            whose = (
                f"{r.instrument} of {r.member or 'the family'} in session "
                f"{r.session} of case {r.case} is already in Tether"
            )
            if r.answers is not None:
                for column, item in zip(items, r.answers, strict=True):
                    mine, theirs = r.answers[item], stored.answers.get(item)
                    if not _same(mine, theirs):
                        self.problem(
                            r.row,
                            column,
                            f"{whose} with {_answer(theirs)} to item {item}, "
                            f"not {_answer(mine)}",
                        )
                continue
            for scale, mine in scored.scores.items():
                theirs = stored.scores.get(scale, _MISSING)
                if theirs is _MISSING or not _same(mine, theirs):
                    there = (
                        f"without a score for {scale}"
                        if theirs is _MISSING
                        else f"with {scale} {_words(theirs, 'empty')}"
                    )
                    self.problem(
                        r.rows[scale],
                        "score",
                        f"{whose} {there}, not {_words(mine, 'empty')}",
                    )

    # -- the report

    def report(self, name: str, today: dt.date) -> ImportReport:
        h = self.history
        new_cases = [c for c in h.cases if c.id not in self.cases]
        new_sessions = [
            s for s in h.sessions if (s.case, s.number) not in self.sessions
        ]
        responses: dict[str, Tally] = {}
        unanswered = 0
        for index, r in enumerate(h.responses):
            tally = responses.get(r.instrument, Tally())
            if self.new[index]:
                responses[r.instrument] = Tally(tally.new + 1, tally.existing)
                unanswered += not r.answered
            else:
                responses[r.instrument] = Tally(tally.new, tally.existing + 1)
        new_members = sum((m.case, m.id) not in self.members for m in h.members)
        return ImportReport(
            file=name,
            format=h.format,
            rows=h.rows,
            cases=Tally(len(new_cases), len(h.cases) - len(new_cases)),
            members=Tally(new_members, len(h.members) - new_members),
            sessions=Tally(len(new_sessions), len(h.sessions) - len(new_sessions)),
            responses=responses,
            unanswered=unanswered,
            undated_sessions=sum(s.date is None for s in new_sessions),
            today=today,
            cases_without_clinician=sum(not c.clinician for c in new_cases),
            unread_columns=h.unread_columns,
        )

    # -- writing

    def write(self, today: dt.date) -> None:
        """Create what is new, bulk, and store the new responses."""
        org, h = self.organization, self.history
        created_cases = [
            Case(organization=org, label=c.id, kind=c.kind, external_id=c.id)
            for c in h.cases
            if c.id not in self.cases
        ]
        Case.objects.bulk_create(created_cases)
        self.cases.update({c.external_id: c for c in created_cases})
        clinician_of = {c.id: c.clinician for c in h.cases if c.clinician}
        Case.clinicians.through.objects.bulk_create(
            Case.clinicians.through(
                case=case, user=self.clinicians[clinician_of[case.external_id]]
            )
            for case in created_cases
            if case.external_id in clinician_of
        )
        new_members = [m for m in h.members if (m.case, m.id) not in self.members]
        members = [
            Member(
                organization=org,
                case=self.cases[m.case],
                first_name=m.id,
                role=m.role,
                age_band=m.age_band,
                external_id=m.id,
            )
            for m in new_members
        ]
        Member.objects.bulk_create(members)
        self.members.update({(m.case.external_id, m.external_id): m for m in members})
        self._place_in_subsystems(new_members)
        new_sessions = [
            s for s in h.sessions if (s.case, s.number) not in self.sessions
        ]
        sessions = [
            Session(
                organization=org,
                case=self.cases[s.case],
                number=s.number,
                date=s.date or today,
            )
            for s in new_sessions
        ]
        Session.objects.bulk_create(sessions)
        self.sessions.update({(s.case.external_id, s.number): s for s in sessions})
        dated = {(s.case, s.number) for s in new_sessions if s.date is not None}
        Session.attended.through.objects.bulk_create(
            (
                Session.attended.through(
                    session=self.sessions[(s.case, s.number)],
                    member=self.members[(s.case, member)],
                )
                for s in h.sessions
                for member in sorted(s.attended)
            ),
            ignore_conflicts=True,
        )
        batch = [
            self._entry(r, scored, (r.case, r.session) in dated)
            for r, scored, new in zip(h.responses, self.scored, self.new, strict=True)
            if new
        ]
        store_responses(org, batch, source=SOURCE, recompute=False)
        self._audit(created_cases, members, sessions, len(batch))

    def _entry(self, r: ResponseRecord, scored: _Scored, dated: bool) -> ScoredResponse:
        session = self.sessions[(r.case, r.session)]
        return ScoredResponse(
            session=session,
            member=None if r.member is None else self.members[(r.case, r.member)],
            respondent=r.respondent,
            definition=self.library.get(r.instrument),
            scores=scored.scores,
            answers=scored.answers,
            submitted_at=(
                dt.datetime.combine(session.date, NOON, tzinfo=dt.UTC)
                if dated
                else timezone.now()
            ),
            prorated=scored.prorated,
            rule_results=scored.rules,
        )

    def _place_in_subsystems(self, new: Iterable[MemberRecord]) -> None:
        """Each new member in the subsystem the file gives (or their role
        does); where the file says none but the role places them in one, that
        subsystem exists without them, as when a clinician takes a member out
        of it (care.frames.edited_subsystems reads it so)."""
        wanted: dict[tuple[int, str], list[Member]] = {}
        for m in new:
            name = m.subsystem or m.by_role
            if name in SUBSYSTEMS:
                case = self.cases[m.case]
                belong = wanted.setdefault((case.pk, name), [])
                if m.subsystem:
                    belong.append(self.members[(m.case, m.id)])
        if not wanted:
            return
        case_ids = {case_id for case_id, _ in wanted}
        existing = {
            (s.case_id, s.name): s
            for s in Subsystem.objects.filter(case_id__in=case_ids, name__in=SUBSYSTEMS)
        }
        created = [
            Subsystem(organization=self.organization, case_id=case_id, name=name)
            for case_id, name in wanted
            if (case_id, name) not in existing
        ]
        Subsystem.objects.bulk_create(created)
        existing.update({(s.case_id, s.name): s for s in created})
        Subsystem.members.through.objects.bulk_create(
            Subsystem.members.through(subsystem=existing[key], member=member)
            for key, belong in wanted.items()
            for member in belong
        )

    def _audit(
        self,
        cases: list[Case],
        members: list[Member],
        sessions: list[Session],
        responses: int,
    ) -> None:
        """One event per case created or given new members or sessions (the
        responses have theirs from store_responses), and one for the import."""
        created = {case.pk for case in cases}
        touched: dict[int, dict[str, Any]] = {}
        for member in members:
            touched.setdefault(member.case_id, {"members": [], "sessions": 0})
            touched[member.case_id]["members"].append(member.pk)
        for session in sessions:
            touched.setdefault(session.case_id, {"members": [], "sessions": 0})
            touched[session.case_id]["sessions"] += 1
        kinds = {case.pk: case.kind for case in self.cases.values()}
        for case_id, detail in touched.items():
            record(
                None,
                "import",
                "case",
                case_id,
                organization=self.organization,
                detail={
                    "source": SOURCE,
                    **({"kind": kinds[case_id]} if case_id in created else {}),
                    **detail,
                },
            )
        record(
            None,
            "import",
            "score-history",
            organization=self.organization,
            detail={
                "source": SOURCE,
                "rows": self.history.rows,
                "cases": len(cases),
                "responses": responses,
            },
        )


NOON = dt.time(12)
"""A dated session's responses are stored as sent at noon (UTC) that day."""


@dataclass
class _Stored:
    status: str
    answers: Mapping[str, Any]
    scores: dict[str, float | None] = field(default_factory=dict)


_MISSING: Any = object()


def _plain(value: float) -> float:
    """A whole number as an int (answers are stored as people gave them)."""
    return int(value) if float(value).is_integer() else value


def _same(mine: object, theirs: object) -> bool:
    if mine is None or theirs is None:
        return mine is None and theirs is None
    try:
        return abs(float(mine) - float(theirs)) < 1e-9  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _answer(value: object) -> str:
    return "no answer" if value is None else f"the answer {_words(value, '')}"


def _words(value: object, none: str) -> str:
    if value is None:
        return none
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return repr(value)


def find_organization(slug: str) -> Organization:
    """The organization of `slug`, or HistoryError naming those there are."""
    found = Organization.objects.filter(slug=slug).first()
    if found is None:
        known = ", ".join(
            Organization.objects.order_by("slug").values_list("slug", flat=True)
        )
        raise HistoryError(
            [f"--organization: no organization {slug!r} (there are: {known or 'none'})"]
        )
    return found
