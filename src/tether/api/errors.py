"""Every answer that is not a success has one shape, `Error`: a sentence in
`detail` and, where input was wrong, one `problems` entry per field naming
it (`field`, a stable `code`, a `message`). Never a traceback, never a page
(docs/api.md §Errors)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tether.care.errors import Code, InvalidEntry


class Problem(Schema):
    field: str
    """Where: `body.answers.9`, `query.cursor`, `path.case_id`; "" for the
    request as a whole."""
    code: str
    message: str


class Error(Schema):
    detail: str
    problems: list[Problem] = []


class Conflict(Exception):
    """A request at odds with what is stored (409), e.g. an idempotency key
    sent again with a different request."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_FOUND = {Code.NOT_IN_CASE}
"""A member named in the body that is not one of the case's: as for a case
of another organization, a 404 says nothing of whether it exists elsewhere."""
CONFLICTS = {
    Code.NOT_SENDABLE,
    Code.ALREADY_ANSWERED,
    Code.ALREADY_SENT,
    Code.OPEN_LINK,
    Code.LINK_CLOSED,
    Code.CASE_CLOSED,
}
"""Problems with what is stored, not with the request: a well-formed request
that what is stored refuses — an answer already sent, an open link, a closed
case, a questionnaire that cannot go to this person (their age band, their
language, no licensed text loaded). Sending it again cannot help until that
changes (409); 422 is for a request wrong whatever is stored."""

READS: dict[int, Any] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    422: Error,
    429: Error,
}
"""The errors every operation may answer."""
WRITES: dict[int, Any] = {**READS, 409: Error, 413: Error}
"""The errors a write may also answer: a conflict, a body too large."""


def install(api: NinjaAPI) -> None:
    """Answer every failure as an `Error`."""

    def answer(
        request: HttpRequest, status: int, detail: str, problems: Any = ()
    ) -> HttpResponse:
        body = {"detail": detail, "problems": list(problems)}
        return api.create_response(request, body, status=status)

    @api.exception_handler(InvalidEntry)
    def invalid_entry(request: HttpRequest, error: InvalidEntry) -> HttpResponse:
        status = (
            404
            if error.codes & NOT_FOUND
            else (409 if error.codes & CONFLICTS else 422)
        )
        problems = [
            {
                "field": _body_field(p.field),
                "code": str(p.code),
                "message": str(p.message),
            }
            for p in error.problems
        ]
        detail = {
            404: gettext("A record the request names is not one you can reach."),
            409: gettext("The request is at odds with what is stored."),
            422: gettext("The request could not be saved as it is."),
        }[status]
        return answer(request, status, detail, problems)

    @api.exception_handler(ValidationError)
    def not_valid(request: HttpRequest, error: ValidationError) -> HttpResponse:
        problems = [_pydantic_problem(e) for e in error.errors]
        return answer(request, 422, gettext("Some fields are not valid."), problems)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(
        request: HttpRequest, error: AuthenticationError
    ) -> HttpResponse:
        response = answer(
            request,
            401,
            gettext(
                "Send a valid personal API token as 'Authorization: Bearer <token>'."
            ),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        detail = str(error.message)
        if error.status_code == 400 and error.__cause__ is not None:
            # The JSON parser's own words say where the body broke.
            detail = f"{gettext('The body is not valid JSON')}: {error.__cause__}"
        return answer(request, error.status_code, detail)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return answer(request, 404, str(error) or gettext("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
        return answer(request, 403, str(error) or gettext("Not allowed."))

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, error: Conflict) -> HttpResponse:
        return answer(request, 409, error.message)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
        return answer(request, 413, gettext("The body is larger than the API accepts."))


def _body_field(field: str) -> str:
    """A care form field as the JSON path of the same input."""
    for prefix, parent in (("item_", "answers"), ("total_", "totals")):
        if field.startswith(prefix):
            return f"body.{parent}.{field.removeprefix(prefix)}"
    return f"body.{field}" if field else ""


def _pydantic_problem(error: dict[str, Any]) -> dict[str, str]:
    if "loc" not in error and len(error) == 1:
        # Ninja's own checks say {name: message}.
        ((name, message),) = error.items()
        return {"field": str(name), "code": "invalid", "message": str(message)}
    location = [str(part) for part in error.get("loc", ())]
    if (
        location[:1] == ["body"]
        and len(location) > 1
        and location[1] in ("payload", "data")
    ):
        # ninja nests the body under the handler's argument name.
        location = ["body", *location[2:]]
    return {
        "field": ".".join(location),
        "code": str(error.get("type", "invalid")),
        "message": str(error.get("msg", "")),
    }
