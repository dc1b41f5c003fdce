"""Who is calling: a personal API token in `Authorization: Bearer …`
(accounts.services.token_in_use), acting as its user with the user's own
permissions, narrowed by the token's scope; and how often they may call."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from tether.accounts.models import ApiToken
from tether.accounts.services import token_in_use


class TokenAuth(HttpBearer):
    """A usable token, for reading; with `write`, a read-write one (a read
    token on a write is a 403, naming why)."""

    def __init__(self, write: bool = False) -> None:
        super().__init__()
        self.write = write

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_in_use(token)
        if found is None:
            return None
        if self.write and not found.may_write:
            raise AuthorizationError(message="This token may only read.")
        # The services and selectors take the person, as for the pages.
        request.user = found.user
        return found


READ = TokenAuth()
WRITE = TokenAuth(write=True)


class TokenRateThrottle(SimpleRateThrottle):
    """TETHER_API_RATE requests per token (e.g. "600/min"), counted in the
    shared "api-throttle" cache so every server process counts together."""

    scope = "token"

    def __init__(self) -> None:
        super().__init__(settings.TETHER_API_RATE)
        self.cache = caches["api-throttle"]

    def allow_request(self, request: HttpRequest) -> bool:
        # The rate as the settings say now, not as they said at import.
        self.rate = settings.TETHER_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        auth: Any = getattr(request, "auth", None)
        if isinstance(auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": auth.digest}
        return self.cache_format % {
            "scope": "address",
            "ident": self.get_ident(request),
        }
