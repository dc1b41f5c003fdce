"""Who is calling, cases, their members and sessions."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Header, Query, Router, Schema, Status

from tether.care import selectors, services

from .auth import READ, WRITE
from .errors import READS, WRITES
from .idempotency import once
from .pagination import paged
from .schemas import (
    AttendanceIn,
    CaseIn,
    CaseOut,
    Me,
    MemberIn,
    MemberOut,
    PathId,
    SessionIn,
    SessionOut,
)

router = Router(tags=["cases"])


def idempotency_key() -> Any:
    return Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="Send the same key again to get the first answer, written once.",
    )


class CaseFilter(Schema):
    status: Literal["open", "closed"] | None = None


@router.get("/me", response={200: Me, **READS}, auth=READ, tags=["account"])
def me(request: HttpRequest) -> dict[str, Any]:
    """The person the token acts as, their organization and the token's scope."""
    token = request.auth
    return {
        "id": token.user.pk,
        "username": token.user.username,
        "organization": token.user.organization.name,
        "roles": sorted(token.user.roles),
        "token_scope": token.scope,
        "token_expires_at": token.expires_at,
    }


@router.get("/cases", response={200: list[CaseOut], **READS}, auth=READ)
@paged()
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    """The cases you may read: your own, or the organization's for a supervisor."""
    cases = selectors.cases_for(request.user).prefetch_related("clinicians")
    if filters.status:
        cases = cases.filter(status=filters.status)
    return cases


@router.post("/cases", response={201: CaseOut, **WRITES}, auth=WRITE)
def create_case(
    request: HttpRequest, payload: CaseIn, key: str | None = idempotency_key()
) -> Status[Any]:
    """Open a case with you as its clinician."""

    def write() -> Any:
        return services.create_case(
            request.user, payload.label, payload.kind, trauma_focus=payload.trauma_focus
        )

    return once(request, key, 201, write, CaseOut)


@router.get("/cases/{case_id}", response={200: CaseOut, **READS}, auth=READ)
def get_case(request: HttpRequest, case_id: PathId) -> Any:
    return selectors.get_case_for(request.user, case_id)


@router.get(
    "/cases/{case_id}/members", response={200: list[MemberOut], **READS}, auth=READ
)
@paged()
def list_members(request: HttpRequest, case_id: PathId) -> Any:
    return selectors.members_of(request.user, case_id)


@router.post(
    "/cases/{case_id}/members", response={201: MemberOut, **WRITES}, auth=WRITE
)
def add_member(
    request: HttpRequest,
    case_id: PathId,
    payload: MemberIn,
    key: str | None = idempotency_key(),
) -> Status[Any]:
    """Add a member; they join the subsystem their role places them in."""

    def write() -> Any:
        return services.add_member(
            request.user,
            case_id,
            payload.first_name,
            payload.role,
            age_band=payload.age_band,
            language=payload.language,
        )

    return once(request, key, 201, write, MemberOut)


@router.get(
    "/cases/{case_id}/sessions", response={200: list[SessionOut], **READS}, auth=READ
)
@paged()
def list_sessions(request: HttpRequest, case_id: PathId) -> Any:
    return selectors.sessions_of(request.user, case_id)


@router.post(
    "/cases/{case_id}/sessions", response={201: SessionOut, **WRITES}, auth=WRITE
)
def start_session(
    request: HttpRequest,
    case_id: PathId,
    payload: SessionIn,
    key: str | None = idempotency_key(),
) -> Status[Any]:
    """Start the case's next session (today unless a date is given), with who
    attended (ids of the case's members; others are ignored)."""

    def write() -> Any:
        return services.start_session(
            request.user, case_id, payload.date, payload.attended
        )

    return once(request, key, 201, write, SessionOut)


@router.get(
    "/sessions/{session_id}",
    response={200: SessionOut, **READS},
    auth=READ,
    tags=["sessions"],
)
def get_session(request: HttpRequest, session_id: PathId) -> Any:
    return selectors.get_session_for(request.user, session_id)


@router.put(
    "/sessions/{session_id}/attendance",
    response={200: SessionOut, **WRITES},
    auth=WRITE,
    tags=["sessions"],
)
def set_attendance(
    request: HttpRequest, session_id: PathId, payload: AttendanceIn
) -> Any:
    """Who attended: the whole list, replacing the one stored."""
    return services.set_attendance(request.user, session_id, payload.attended)
