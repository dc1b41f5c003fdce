"""What the API reads and writes. Inputs are strict (docs/api.md §Input):
no `false` taken as 0, no "3" taken as 3, no NaN, no field the schema does
not name — each refused with the field named."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Path, Schema
from pydantic import BeforeValidator, ConfigDict, StringConstraints

from tether.care.frames import library
from tether.care.models import AgeBand, CaseKind, MemberRole

LARGEST_ID = 2**63 - 1
"""The largest id SQLite and PostgreSQL (bigint) store: a larger one names
nothing and is refused as input, never sent to the database."""


def _whole_number(value: object) -> object:
    """JSON Schema counts 3.0 as an integer; a true/false or text never is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=LARGEST_ID), BeforeValidator(_whole_number)]
PathId = Annotated[int, Path(ge=1, le=LARGEST_ID)]

LooseDate = Annotated[dt.date, Field(strict=False)]
"""A date: JSON has no date type, so an ISO text (2026-12-08) is read as one."""
Words = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$")]
"""Text with something in it besides spaces, and no NUL character (which
PostgreSQL cannot store)."""
OptionalWords = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


SendableKey = Literal[  # type: ignore[misc]
    tuple(d.key for d in library() if d.has_text and d.superseded_by is None)
]
"""An instrument that can go out as a link at all (its text is loaded, it is
the current version), as id@version; whether it suits the person is the
service's to say (a 409 naming why)."""


class Input(Schema):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


# ---- who is calling --------------------------------------------------------------


class Me(Schema):
    id: int
    username: str
    organization: str
    roles: list[str]
    token_scope: Literal["read", "read-write"]
    token_expires_at: dt.datetime


# ---- cases, members, sessions -------------------------------------------------


class CaseIn(Input):
    label: Words = Field(max_length=120)
    kind: Literal[tuple(CaseKind.values)]  # type: ignore[valid-type]
    trauma_focus: OptionalWords = Field("", max_length=200)


class CaseOut(Schema):
    id: int
    label: str
    kind: str
    status: str
    trauma_focus: str
    clinicians: list[int]
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_clinicians(case: Any) -> list[int]:
        return sorted(user.pk for user in case.clinicians.all())


class MemberIn(Input):
    first_name: Words = Field(max_length=80)
    role: Literal[tuple(MemberRole.values)]  # type: ignore[valid-type]
    age_band: Literal[tuple(AgeBand.values)] = AgeBand.ADULT.value  # type: ignore[valid-type]
    language: Literal["en", "es"] = "en"


class MemberOut(Schema):
    id: int
    case: int
    first_name: str
    role: str
    age_band: str
    language: str
    active: bool
    has_email: bool = Field(description="Links can be emailed to them.")
    has_phone: bool = Field(description="Links can be sent to them by text message.")

    @staticmethod
    def resolve_case(member: Any) -> int:
        return int(member.case_id)

    @staticmethod
    def resolve_has_email(member: Any) -> bool:
        return bool(member.email)

    @staticmethod
    def resolve_has_phone(member: Any) -> bool:
        return bool(member.phone)


class SessionIn(Input):
    date: LooseDate | None = None
    attended: list[Id] = Field(default_factory=list, max_length=50)


class AttendanceIn(Input):
    attended: list[Id] = Field(max_length=50)


class SessionOut(Schema):
    id: int
    case: int
    number: int
    date: dt.date
    attended: list[int]

    @staticmethod
    def resolve_case(session: Any) -> int:
        return int(session.case_id)

    @staticmethod
    def resolve_attended(session: Any) -> list[int]:
        return sorted(member.pk for member in session.attended.all())


# ---- links ---------------------------------------------------------------------


class InvitationIn(Input):
    member: Id | None = Field(
        description="Who answers; null for the therapist's own questionnaires."
    )
    instruments: list[SendableKey] = Field(min_length=1, max_length=20)
    expires_in_hours: Annotated[
        int, Field(ge=1, le=24 * 30), BeforeValidator(_whole_number)
    ] = 72
    language: Literal["en", "es"] | None = None


class InvitationOut(Schema):
    id: int
    session: int
    member: int | None
    respondent: str
    instruments: list[str]
    language: str
    channel: str
    state: str
    created_at: dt.datetime
    expires_at: dt.datetime
    completed_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_session(invitation: Any) -> int:
        return int(invitation.session_id)

    @staticmethod
    def resolve_member(invitation: Any) -> int | None:
        return invitation.member_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_state(invitation: Any) -> str:
        from tether.portal.services import link_state

        return link_state(invitation, timezone.now())


class IssuedInvitation(InvitationOut):
    token: str = Field(
        description="The link's secret: returned this once, never again."
    )
    url: str


# ---- responses and scores ------------------------------------------------------


class ResponseOut(Schema):
    id: int
    session: int
    member: int | None
    respondent: str
    instrument: str
    status: str
    language: str
    submitted_at: dt.datetime | None
    answers: dict[str, float | None]
    scores: dict[str, float | None]
    risk: bool = Field(description="A risk item's answer is at its trigger.")

    @staticmethod
    def resolve_session(response: Any) -> int:
        return int(response.session_id)

    @staticmethod
    def resolve_member(response: Any) -> int | None:
        return response.member_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_scores(response: Any) -> dict[str, float | None]:
        return {score.scale: score.value for score in response.scores.all()}

    @staticmethod
    def resolve_risk(response: Any) -> bool:
        return bool(response.risk_endorsed)


class ScoreOut(Schema):
    response: int
    session: int
    session_number: int
    member: int | None
    respondent: str
    instrument: str
    scale: str
    value: float | None

    @staticmethod
    def resolve_response(score: Any) -> int:
        return int(score.response_id)

    @staticmethod
    def resolve_session(score: Any) -> int:
        return int(score.response.session_id)

    @staticmethod
    def resolve_session_number(score: Any) -> int:
        return int(score.response.session.number)

    @staticmethod
    def resolve_member(score: Any) -> int | None:
        return score.response.member_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_respondent(score: Any) -> str:
        return str(score.response.respondent)

    @staticmethod
    def resolve_instrument(score: Any) -> str:
        return str(score.response.instrument)


# ---- alerts --------------------------------------------------------------------


class SignalOut(Schema):
    id: int
    case: int
    kind: str
    severity: str
    subject: str
    instrument: str
    session_number: int
    state: str
    status: str
    evidence: dict[str, Any]
    ended: str
    note: str
    acknowledged_by: int | None
    acknowledged_at: dt.datetime | None
    feedback: str = Field(
        description="useful, not-useful or wrong, as given when it was "
        "acknowledged or resolved; empty if none was given"
    )
    created_at: dt.datetime

    @staticmethod
    def resolve_case(signal: Any) -> int:
        return int(signal.case_id)

    @staticmethod
    def resolve_acknowledged_by(signal: Any) -> int | None:
        return signal.acknowledged_by_id  # type: ignore[no-any-return]


FeedbackIn = Literal["useful", "not-useful", "wrong"]
"""The one optional tap on an alert (care.models.Feedback; docs/reports.md
§Alert feedback)."""
FEEDBACK_DESCRIPTION = (
    "Optional: was the alert useful, not useful or wrong? Kept with the alert; "
    "the clinic's per-rule figures count it."
)


class AcknowledgeIn(Input):
    note: OptionalWords = Field("", max_length=2000)
    feedback: FeedbackIn | None = Field(None, description=FEEDBACK_DESCRIPTION)


class ResolveIn(Input):
    note: Words = Field(
        max_length=2000, description="What was done: required to resolve."
    )
    feedback: FeedbackIn | None = Field(None, description=FEEDBACK_DESCRIPTION)


# ---- instruments ---------------------------------------------------------------


class InstrumentOut(Schema):
    key: str = Field(description="id@version, as responses name it")
    id: str
    version: str
    title: str
    role: str
    respondents: list[str]
    validated: bool
    licence: str
    text_bundled: bool
    superseded_by: str | None


class OptionOut(Schema):
    value: float
    label: str


class ItemOut(Schema):
    id: str
    text: str = Field(description="Empty where the licence does not let us show it.")
    reverse: bool
    risk_at_or_above: float | None
    applies_to: list[str]


class ScaleOut(Schema):
    id: str
    label: str
    items: list[str]
    method: str
    higher_is_better: bool


class InstrumentDetail(InstrumentOut):
    allow_skip: bool
    options: list[OptionOut]
    value_range: dict[str, float] | None
    items: list[ItemOut]
    scales: list[ScaleOut]
