"""A clinic's score history, read for `tether import scores` (docs/importing.md):
a long-format score file (docs/long-format.md) or a wide item file (the
input of `tether score`, one row per questionnaire, with the columns that say
whose it is), checked row by row and turned into plain records of cases,
members, sessions and responses.

Pure: the rows come in as text (tether.csvfiles read them), the records go out
as frozen dataclasses; what is already in the database comes in as plain
values (`known_kinds`), and `today` is given. Every problem is one line,
`row N: column: reason`, the header being row 1 as a spreadsheet shows it;
every bad row is listed at once, in row order, and no record comes out of a
file with a problem (HistoryError).

The long format's own check (`signals.check_scores`) derives what a file
leaves out (case kinds, age bands, subsystems), so the records hold what
`tether signals` reads from the same file."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from tether.instruments import Definition, Library, UnknownInstrument
from tether.longformat import OPTIONAL, REQUIRED
from tether.scoring import TableError
from tether.scoring.engine import invalid_cells
from tether.scoring.tabular import select_item_columns
from tether.signals import ScoreTableError, check_scores
from tether.signals.alliance import SUBSYSTEMS, subsystem_of
from tether.signals.data import AGE_BANDS, CASE_KINDS, NO_SUBSYSTEM, RESPONDENTS, ROLES

LONG: Final = "long"
WIDE: Final = "wide"
FAMILY: Final = "family"
"""The member id and role of a therapist's rating of the family as a whole."""
WHO_COLUMNS = ("case_id", "member_id", "member_role", "session")
"""The columns a wide item file needs besides its items."""
WIDE_OPTIONAL = ("respondent", *OPTIONAL)
IMPORT_COLUMNS = ("session_date", "clinician")
"""Read by the import only (`tether signals` leaves them aside)."""
MAX_CASE_ID = 120
"""A case id is kept as its external id and, at first, its label (120)."""
MAX_MEMBER_ID = 80
"""A member id is kept as its external id and, at first, its first name (80)."""
ADULT, TEEN, CHILD = "18+", "13-17", "8-12"
"""Tether's age bands (care.models.AgeBand)."""
CHILD_FORM_MAX_AGE = 12
"""A youth who answered a form for ages up to 12 (TAC-C) is 8-12; else 13-17."""
UNANSWERED_WIDE = frozenset({"", "NA", "NAN"})
"""Empty item cells of a wide file, as `tether score` reads them (R writes NA)."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class HistoryError(ValueError):
    """The file cannot be imported; `problems` lists every reason, one line
    each (`row N: column: reason`)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: str
    kind: str
    clinician: str
    """A user name, or "" when the file names none."""
    row: int
    """The first row of the case."""


@dataclass(frozen=True, slots=True)
class MemberRecord:
    case: str
    id: str
    role: str
    age_band: str
    """Tether's: 18+, 13-17 or 8-12."""
    youth: bool
    subsystem: str
    """caregivers, children or couple; "" for none."""
    by_role: str
    """The subsystem the role places the member in ("" for none): where
    `subsystem` is none but this is not, the member was taken out of it."""
    row: int


@dataclass(frozen=True, slots=True)
class SessionRecord:
    case: str
    number: int
    date: dt.date | None
    attended: frozenset[str]
    """The members who answered something in it."""
    row: int


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    case: str
    member: str | None
    """None: a therapist's rating of the family as a whole."""
    respondent: str
    session: int
    instrument: str
    """id@version."""
    scores: Mapping[str, float | None]
    """Long format: each scale (or `item:<id>`) with its score, None for an
    empty one. Wide: empty (the answers are scored by the instrument)."""
    answers: Mapping[str, float | None] | None
    """Wide: every item with its answer, None where unanswered; None in the
    long format."""
    rows: Mapping[str, int]
    """Where each score came from (the scale's row); wide: "" → the row."""
    row: int

    @property
    def answered(self) -> bool:
        values = (
            self.answers.values() if self.answers is not None else self.scores.values()
        )
        return any(v is not None for v in values)


@dataclass(frozen=True, slots=True)
class History:
    format: str
    rows: int
    cases: tuple[CaseRecord, ...]
    members: tuple[MemberRecord, ...]
    sessions: tuple[SessionRecord, ...]
    responses: tuple[ResponseRecord, ...]
    unread_columns: tuple[str, ...] = ()
    """Columns of the file the import does not read."""
    item_columns: tuple[str, ...] = ()
    """Wide: the item columns, in item order."""


@dataclass(frozen=True, slots=True)
class _Who:
    """The key cells of one good row."""

    row: int
    case: str
    member: str
    role: str
    respondent: str
    session: int
    kind: str
    band: str
    subsystem: str
    date: dt.date | None
    clinician: str


@dataclass
class _Problems:
    """Problems in the order a spreadsheet shows them: by row, then by column."""

    columns: Mapping[str, int]
    found: list[tuple[int, int, int, str]] = field(default_factory=list)

    def add(self, row: int, column: str, reason: str) -> None:
        place = self.columns.get(column, len(self.columns))
        self.found.append(
            (row, place, len(self.found), f"row {row}: {column}: {reason}")
        )

    def raise_any(self) -> None:
        if self.found:
            raise HistoryError([text for *_, text in sorted(self.found)])


def read_history(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    row_numbers: Sequence[int],
    library: Library,
    *,
    today: dt.date,
    instrument: str | None = None,
    item_columns: str | None = None,
    known_kinds: Mapping[str, str] | None = None,
) -> History:
    """The records of a long-format score file, or (with `instrument`) of a
    wide item file of that instrument; HistoryError lists every problem.
    `known_kinds` are the kinds of cases already stored, by external id: an
    empty `case_kind` of such a case is its stored kind, another is refused."""
    known_kinds = known_kinds or {}
    columns = {name: index for index, name in enumerate(header) if name}
    definition = _wide_definition(library, instrument)
    items = _item_columns(definition, header, item_columns)
    required = REQUIRED if definition is None else WHO_COLUMNS
    missing = [name for name in required if name not in columns]
    if missing:
        wanted = (
            "a long-format score file needs "
            + ", ".join(REQUIRED)
            + "; for a wide item file give its --instrument"
            if definition is None
            else "a wide item file needs "
            + ", ".join(WHO_COLUMNS)
            + " besides its items"
        )
        raise HistoryError(
            [f"row 1: {name}: missing column ({wanted})" for name in missing]
        )
    read = set(required) | set(IMPORT_COLUMNS)
    read |= set(OPTIONAL) if definition is None else set(WIDE_OPTIONAL) | set(items)
    unread = tuple(name for name in header if name and name not in read)

    problems = _Problems(columns)
    reader = _Reader(columns, problems, known_kinds, today, definition is None)
    whos = [
        reader.who(row, number) for row, number in zip(rows, row_numbers, strict=True)
    ]
    good = [who for who in whos if who is not None]
    reader.check_consistency(good)
    if definition is None:
        responses = _long_responses(rows, row_numbers, whos, columns, library, problems)
    else:
        responses = _wide_responses(
            rows, row_numbers, whos, definition, header, items, problems
        )
    problems.raise_any()

    derived = _derive(good, responses, library, known_kinds)
    return History(
        format=LONG if definition is None else WIDE,
        rows=len(rows),
        cases=_cases(good, derived),
        members=_members(good, derived, responses, library),
        sessions=_sessions(good, responses),
        responses=tuple(responses),
        unread_columns=unread,
        item_columns=tuple(items),
    )


def _wide_definition(library: Library, instrument: str | None) -> Definition | None:
    if instrument is None:
        return None
    try:
        return library.get(instrument)
    except UnknownInstrument as error:
        raise HistoryError([f"--instrument: {error}"]) from error


def _item_columns(
    definition: Definition | None, header: Sequence[str], spec: str | None
) -> list[str]:
    if definition is None:
        if spec is not None:
            raise HistoryError(
                ["--item-columns: only for a wide item file (give its --instrument)"]
            )
        return []
    try:
        return list(select_item_columns(definition, list(header), spec).names)
    except TableError as error:
        raise HistoryError(
            [f"row 1: {problem}" for problem in error.problems]
        ) from error


class _Reader:
    """Reads and checks the cells that say whose a row is."""

    def __init__(
        self,
        columns: Mapping[str, int],
        problems: _Problems,
        known_kinds: Mapping[str, str],
        today: dt.date,
        long: bool,
    ) -> None:
        self.columns = columns
        self.problems = problems
        self.known_kinds = known_kinds
        self.today = today
        self.default_respondent = "" if long else "member"
        """A wide file's rows are members' answers unless it says otherwise."""

    def cell(self, row: Sequence[str], name: str) -> str:
        index = self.columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    def who(self, row: Sequence[str], number: int) -> _Who | None:
        """The row's key cells, or None (with its problems added)."""
        before = len(self.problems.found)
        add = self.problems.add
        case, member = self.cell(row, "case_id"), self.cell(row, "member_id")
        role = self.cell(row, "member_role")
        respondent = self.cell(row, "respondent") or self.default_respondent
        for name, value, limit in (
            ("case_id", case, MAX_CASE_ID),
            ("member_id", member, MAX_MEMBER_ID),
        ):
            if not value:
                add(number, name, "empty")
            elif len(value) > limit:
                add(number, name, f"longer than {limit} characters")
        if role not in ROLES:
            add(number, "member_role", f"{role!r} is not one of {', '.join(ROLES)}")
        if respondent not in RESPONDENTS:
            add(number, "respondent", f"{respondent!r} is not member or therapist")
        if FAMILY in (role, member):
            # The cell that does not fit a rating of the whole family.
            wrong = (
                "member_id"
                if member != FAMILY
                else "member_role"
                if role != FAMILY
                else "respondent"
                if respondent in RESPONDENTS and respondent != "therapist"
                else None
            )
            if wrong:
                add(
                    number,
                    wrong,
                    "'family' is only for a therapist's rating of the whole family "
                    "(member_id family, member_role family, respondent therapist)",
                )
        session = self.session(row, number)
        kind = self.choice(row, number, "case_kind", CASE_KINDS)
        band = self.choice(row, number, "age_band", AGE_BANDS)
        subsystem = self.choice(row, number, "subsystem", (*SUBSYSTEMS, NO_SUBSYSTEM))
        known = self.known_kinds.get(case)
        if known is not None and kind and kind != known:
            add(
                number,
                "case_kind",
                f"case {case} is stored in Tether as a {known} case",
            )
        date = self.date(row, number)
        if len(self.problems.found) > before or session is None:
            return None
        return _Who(
            number,
            case,
            member,
            role,
            respondent,
            session,
            kind,
            band,
            subsystem,
            date,
            self.cell(row, "clinician"),
        )

    def session(self, row: Sequence[str], number: int) -> int | None:
        text = self.cell(row, "session")
        value = _number(text)
        if value is None or value < 1 or not value.is_integer():
            self.problems.add(
                number, "session", f"{text!r} is not a whole number from 1"
            )
            return None
        return int(value)

    def choice(
        self, row: Sequence[str], number: int, name: str, allowed: Sequence[str]
    ) -> str:
        value = self.cell(row, name)
        if value and value not in allowed:
            self.problems.add(
                number, name, f"{value!r} is not one of {', '.join(allowed)}"
            )
        return value

    def date(self, row: Sequence[str], number: int) -> dt.date | None:
        text = self.cell(row, "session_date")
        if not text:
            return None
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            self.problems.add(
                number, "session_date", f"{text!r} is not a date (YYYY-MM-DD)"
            )
            return None
        if day > self.today:
            self.problems.add(number, "session_date", f"{text} is after today")
        return day

    def check_consistency(self, whos: Iterable[_Who]) -> None:
        """A case, a member and a session are the same on every row: a
        member's role does not change between rows, nor a case's kind."""
        first: dict[tuple[str, ...], tuple[int, str]] = {}
        for who in whos:
            cells: list[tuple[tuple[str, ...], str, str, str]] = [
                (("case", who.case), "case_kind", who.kind, f"case {who.case}"),
                (
                    ("clinician", who.case),
                    "clinician",
                    who.clinician,
                    f"case {who.case}",
                ),
                (
                    ("date", who.case, str(who.session)),
                    "session_date",
                    who.date.isoformat() if who.date else "",
                    f"session {who.session} of case {who.case}",
                ),
            ]
            if who.member != FAMILY:
                person = f"{who.member} of case {who.case}"
                for name, value in (
                    ("member_role", who.role),
                    ("age_band", who.band),
                    ("subsystem", who.subsystem),
                ):
                    cells.append(((name, who.case, who.member), name, value, person))
            for key, name, value, whose in cells:
                row, was = first.setdefault(key, (who.row, value))
                if was != value:
                    self.problems.add(
                        who.row,
                        name,
                        f"{_shown(value)} here, but {_shown(was)} on row {row} for {whose}",
                    )


def _shown(value: str) -> str:
    return repr(value) if value else "empty"


def _number(text: str) -> float | None:
    """A finite number written plainly, or None (NaN, infinity, 1e999, 1_000
    and words are not numbers here)."""
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _respondent_problem(definition: Definition, respondent: str) -> str | None:
    therapist_form = "therapist" in definition.respondents
    if therapist_form and respondent != "therapist":
        return f"{definition.key} is the therapist's form: respondent must be therapist"
    if not therapist_form and respondent == "therapist":
        return f"{definition.key} is answered by members, not by the therapist"
    return None


ResponseKey = tuple[str, str, str, int, str]
"""case, member, respondent, session, instrument (id@version)."""


def _long_responses(
    rows: Sequence[Sequence[str]],
    numbers: Sequence[int],
    whos: Sequence[_Who | None],
    columns: Mapping[str, int],
    library: Library,
    problems: _Problems,
) -> list[ResponseRecord]:
    """One response per case, member, respondent, session and instrument, its
    scores from its rows; every bad instrument, scale and score listed."""
    instrument_at, scale_at, score_at = (
        columns["instrument"],
        columns["scale"],
        columns["score"],
    )
    definitions = _Definitions(library)
    ranges: dict[tuple[str, str], tuple[float, float] | None] = {}
    scales: dict[ResponseKey, dict[str, float | None]] = {}
    where: dict[ResponseKey, dict[str, int]] = {}
    for row, number, who in zip(rows, numbers, whos, strict=True):
        # A row whose key cells were refused (who is None) has its other
        # cells checked all the same.
        instrument = row[instrument_at].strip()
        scale = row[scale_at].strip()
        text = row[score_at].strip()
        definition = definitions.get(instrument)
        bounds: tuple[float, float] | None = None
        if definition is None:
            problems.add(
                number,
                "instrument",
                f"{instrument!r} is not an instrument Tether knows (tether instruments list)"
                if instrument
                else "empty",
            )
        else:
            pair = (definition.key, scale)
            if pair not in ranges:
                ranges[pair] = _scale_bounds(definition, scale)
            bounds = ranges[pair]
            if bounds is None:
                problems.add(number, "scale", _scale_problem(definition, scale))
        value = None
        if text:
            value = _number(text)
            if value is None:
                problems.add(
                    number,
                    "score",
                    f"{text!r} is not a number (leave it empty for a questionnaire "
                    "not answered)",
                )
            elif bounds is not None and not bounds[0] <= value <= bounds[1]:
                assert definition is not None
                problems.add(
                    number,
                    "score",
                    f"{value:g} is outside {bounds[0]:g}–{bounds[1]:g} for "
                    f"{definition.key} {scale}",
                )
        if who is None or definition is None:
            continue
        wrong = _respondent_problem(definition, who.respondent)
        if wrong:
            problems.add(who.row, "respondent", wrong)
        key = (who.case, who.member, who.respondent, who.session, definition.key)
        earlier = where.setdefault(key, {}).get(scale)
        if earlier is not None:
            problems.add(
                who.row,
                "scale",
                f"duplicate of row {earlier}: the same case, member, respondent, "
                "session, instrument and scale",
            )
            continue
        where[key][scale] = who.row
        scales.setdefault(key, {})[scale] = value
    return [
        ResponseRecord(
            case=key[0],
            member=None if key[1] == FAMILY else key[1],
            respondent=key[2],
            session=key[3],
            instrument=key[4],
            scores=MappingProxyType(values),
            answers=None,
            rows=MappingProxyType(where[key]),
            row=min(where[key].values()),
        )
        for key, values in scales.items()
    ]


class _Definitions:
    """Instruments by the name a file gives them, each looked up once."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.found: dict[str, Definition | None] = {}

    def get(self, name: str) -> Definition | None:
        if name not in self.found:
            try:
                self.found[name] = self.library.get(name) if name else None
            except UnknownInstrument:
                self.found[name] = None
        return self.found[name]


def _scale_bounds(definition: Definition, scale: str) -> tuple[float, float] | None:
    if scale.startswith("item:"):
        if scale.removeprefix("item:") in definition.item_ids:
            return definition.answer_bounds
        return None
    if scale in {s.id for s in definition.scales}:
        return definition.scale_bounds(definition.scale(scale))
    return None


def _scale_problem(definition: Definition, scale: str) -> str:
    if not scale:
        return "empty"
    if scale.startswith("item:"):
        return f"{definition.key} has no item {scale.removeprefix('item:')!r}"
    names = ", ".join(s.id for s in definition.scales)
    return f"{scale!r} is not a scale of {definition.key} ({names}, or item:<id>)"


def _wide_responses(
    rows: Sequence[Sequence[str]],
    numbers: Sequence[int],
    whos: Sequence[_Who | None],
    definition: Definition,
    header: Sequence[str],
    items: Sequence[str],
    problems: _Problems,
) -> list[ResponseRecord]:
    """One response per row, its answers from the item columns; every bad
    answer listed, and every unanswered question of an instrument scored only
    with every question answered."""
    indices = [list(header).index(name) for name in items]
    matrix = np.full((len(rows), len(items)), np.nan)
    bad: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        for c, index in enumerate(indices):
            text = row[index].strip() if index < len(row) else ""
            if text.upper() in UNANSWERED_WIDE:
                continue
            value = _number(text)
            if value is None:
                bad.add((r, c))
            else:
                matrix[r, c] = value
    bad.update(invalid_cells(definition, matrix))
    allowed = definition.describe_allowed()
    out: list[ResponseRecord] = []
    seen: dict[tuple[str, str, str, int], int] = {}
    bad_in_row: dict[int, list[int]] = {}
    for r, c in sorted(bad):
        bad_in_row.setdefault(r, []).append(c)
    for r, (row, number, who) in enumerate(zip(rows, numbers, whos, strict=True)):
        for c in bad_in_row.get(r, ()):
            text = row[indices[c]].strip()
            problems.add(
                number,
                items[c],
                f"{text!r} is not an answer of {definition.key} {allowed}",
            )
        if who is None:
            continue
        wrong = _respondent_problem(definition, who.respondent)
        if wrong:
            problems.add(who.row, "respondent", wrong)
        key = (who.case, who.member, who.respondent, who.session)
        earlier = seen.setdefault(key, who.row)
        if earlier != who.row:
            problems.add(
                who.row,
                "session",
                f"duplicate of row {earlier}: the same case, member, respondent and session",
            )
            continue
        answers = {
            item: (None if np.isnan(matrix[r, c]) else float(matrix[r, c]))
            for c, item in enumerate(definition.item_ids)
        }
        if not definition.allow_skip and any(v is not None for v in answers.values()):
            for c, item in enumerate(definition.items):
                needed = (
                    who.kind in item.applies_to
                    if who.kind
                    else (set(item.applies_to) >= set(CASE_KINDS))
                )
                if needed and answers[item.id] is None and (r, c) not in bad:
                    problems.add(
                        who.row,
                        items[c],
                        f"not answered: {definition.key} is scored only with every "
                        "question answered (leave the whole row empty for a "
                        "questionnaire not answered)",
                    )
        out.append(
            ResponseRecord(
                case=who.case,
                member=None if who.member == FAMILY else who.member,
                respondent=who.respondent,
                session=who.session,
                instrument=definition.key,
                scores=MappingProxyType({}),
                answers=MappingProxyType(answers),
                rows=MappingProxyType({"": who.row}),
                row=who.row,
            )
        )
    return out


def _derive(
    whos: Sequence[_Who],
    responses: Sequence[ResponseRecord],
    library: Library,
    known_kinds: Mapping[str, str],
) -> pd.DataFrame:
    """Each person's row with their case kind, age band (adult, youth) and
    subsystem, derived by the long format's own check where the file leaves
    them out (and a stored case's kind where its cells are empty). Only whose
    a row is matters here: one placeholder scale stands for its scores."""
    placeholder = library.get(responses[0].instrument)
    frame = pd.DataFrame(
        {
            "case_id": [w.case for w in whos],
            "member_id": [w.member for w in whos],
            "member_role": [w.role for w in whos],
            "respondent": [w.respondent for w in whos],
            "session": [str(w.session) for w in whos],
            "instrument": placeholder.key,
            "scale": placeholder.scales[0].id,
            "score": "",
            "case_kind": [w.kind or known_kinds.get(w.case, "") for w in whos],
            "age_band": [w.band for w in whos],
            "subsystem": [w.subsystem for w in whos],
        }
    )
    people = frame.drop_duplicates(["case_id", "member_id", "respondent", "session"])
    try:
        return check_scores(people, library)
    except ScoreTableError as error:  # pragma: no cover (every cell checked above)
        raise HistoryError(error.problems) from error


def _cases(whos: Sequence[_Who], derived: pd.DataFrame) -> tuple[CaseRecord, ...]:
    kinds = derived.groupby("case_id", sort=False)["case_kind"].first()
    first: dict[str, _Who] = {}
    for who in whos:
        first.setdefault(who.case, who)
    return tuple(
        CaseRecord(case, str(kinds[case]), who.clinician, who.row)
        for case, who in first.items()
    )


def _members(
    whos: Sequence[_Who],
    derived: pd.DataFrame,
    responses: Sequence[ResponseRecord],
    library: Library,
) -> tuple[MemberRecord, ...]:
    people = derived[derived["member_role"] != FAMILY].drop_duplicates(
        ["case_id", "member_id"]
    )
    child_form = {
        (r.case, r.member)
        for r in responses
        if r.respondent == "member"
        and (library.get(r.instrument).age_max or CHILD_FORM_MAX_AGE + 1)
        <= CHILD_FORM_MAX_AGE
    }
    rows: dict[tuple[str, str], int] = {}
    for who in whos:
        rows.setdefault((who.case, who.member), who.row)
    out = []
    for p in people.itertuples(index=False):
        youth = p.age_band == "youth"
        band = (
            (CHILD if (p.case_id, p.member_id) in child_form else TEEN)
            if youth
            else ADULT
        )
        out.append(
            MemberRecord(
                case=p.case_id,
                id=p.member_id,
                role=p.member_role,
                age_band=band,
                youth=youth,
                subsystem=p.subsystem,
                by_role=subsystem_of(p.member_role, p.age_band, p.case_kind) or "",
                row=rows[(p.case_id, p.member_id)],
            )
        )
    return tuple(sorted(out, key=lambda m: m.row))


def _sessions(
    whos: Sequence[_Who], responses: Sequence[ResponseRecord]
) -> tuple[SessionRecord, ...]:
    attended: dict[tuple[str, int], set[str]] = {}
    for r in responses:
        people = attended.setdefault((r.case, r.session), set())
        if r.respondent == "member" and r.member is not None and r.answered:
            people.add(r.member)
    first: dict[tuple[str, int], _Who] = {}
    for who in whos:
        first.setdefault((who.case, who.session), who)
    return tuple(
        SessionRecord(
            case=case,
            number=number,
            date=who.date,
            attended=frozenset(attended.get((case, number), ())),
            row=who.row,
        )
        for (case, number), who in first.items()
    )
