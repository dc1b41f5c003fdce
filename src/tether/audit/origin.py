"""Where the request being served came from, for the events it records: set
by `RequestOrigin` (a middleware) for the length of each request, so that
`services.record` needs no request passed down through every service. Work
outside a request (the worker, commands) records no address."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from tether.core.addresses import client_ip

USER_AGENT_LENGTH = 300
"""As much of the browser's User-Agent as is kept (the column's length)."""


@dataclass(frozen=True)
class Origin:
    ip_address: str | None
    user_agent: str


NOWHERE = Origin(None, "")
_current: ContextVar[Origin] = ContextVar("audit_origin", default=NOWHERE)


def current_origin() -> Origin:
    return _current.get()


def origin_of(request: HttpRequest) -> Origin:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return Origin(client_ip(request), str(agent)[:USER_AGENT_LENGTH])


class RequestOrigin:
    """Keeps the request's address and browser for the audit events it
    records; a context variable, so threads and async requests each see
    their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(origin_of(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
