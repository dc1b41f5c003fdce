"""Questionnaires: send one answered whole from another app, read them and
their scores."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tether.care import selectors
from tether.care.fhir import session_bundle
from tether.care.frames import library
from tether.portal.services import submit_from_app

from .answers import submission_union
from .auth import READ, WRITE
from .cases import idempotency_key
from .errors import READS, WRITES
from .idempotency import once
from .pagination import paged
from .schemas import PathId, ResponseOut, ScoreOut

router = Router(tags=["responses"])

Submission = submission_union([d for d in library() if d.superseded_by is None])


@router.post(
    "/sessions/{session_id}/responses",
    response={201: ResponseOut, **WRITES},
    auth=WRITE,
)
def submit(
    request: HttpRequest,
    session_id: PathId,
    payload: Submission,  # type: ignore[valid-type]
    key: str | None = idempotency_key(),
) -> Status[Any]:
    """Send one questionnaire a person answered in another app. It is scored
    and stored exactly as one sent from a link: a risk answer raises its alert
    at once and tells the case's clinicians, and the case's other alerts are
    recomputed in the background. A person answers a questionnaire once per
    session: sending it again is a 409 (with the same Idempotency-Key, the
    first answer instead)."""

    def write() -> Any:
        return submit_from_app(
            request.user,
            session_id,
            payload.instrument,
            payload.member,
            payload.respondent,
            payload.answers.model_dump(by_alias=True, exclude_unset=True),
        ).response

    return once(request, key, 201, write, ResponseOut)


@router.get(
    "/sessions/{session_id}/responses",
    response={200: list[ResponseOut], **READS},
    auth=READ,
)
@paged()
def list_responses(request: HttpRequest, session_id: PathId) -> Any:
    return selectors.responses_of_session(request.user, session_id)


@router.get("/responses/{response_id}", response={200: ResponseOut, **READS}, auth=READ)
def get_response(request: HttpRequest, response_id: PathId) -> Any:
    return selectors.get_response_for(request.user, response_id)


@router.get(
    "/cases/{case_id}/scores", response={200: list[ScoreOut], **READS}, auth=READ
)
@paged()
def list_scores(request: HttpRequest, case_id: PathId) -> Any:
    """Every scale score of the case's sent questionnaires, one row each (the
    long format of docs/long-format.md)."""
    return selectors.scores_of_case(request.user, case_id)


@router.get(
    "/sessions/{session_id}/fhir",
    response={200: dict[str, Any], **READS},
    auth=READ,
    tags=["sessions"],
    openapi_extra={
        "responses": {
            200: {
                "description": "A FHIR R4 Bundle (type collection): one "
                "QuestionnaireResponse per sent questionnaire, one Observation per "
                "scale score with its LOINC code where one exists (docs/interop.md)."
            }
        }
    },
)
def session_fhir(request: HttpRequest, session_id: PathId) -> Any:
    """The session's answers and scores as a FHIR R4 Bundle; people are named
    by identifiers in the deployment's system, never by name."""
    return session_bundle(request.user, session_id)
