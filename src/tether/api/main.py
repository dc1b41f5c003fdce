"""The API object: its routers, errors, authentication, throttle, parser and
documents — OpenAPI 3.1 at /api/v1/openapi.json, the interactive docs at
/api/v1/docs with their assets served by Tether itself (no CDN)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser

from . import alerts, cases, errors, instruments, links, responses
from .auth import TokenRateThrottle


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class StrictJson(Parser):
    """JSON as the standard has it: NaN and Infinity refused, not read."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json.loads(request.body, parse_constant=_refuse_constant)


api = NinjaAPI(
    title="Tether API",
    version="1",
    description=(
        "Cases, members, sessions, links, questionnaires, scores and alerts "
        "of your organization, with the permissions you have on the pages. "
        "Authenticate with a personal API token (API tokens, in the page "
        "header): `Authorization: Bearer <token>`. See docs/api.md."
    ),
    urls_namespace="api-v1",
    parser=StrictJson(),
    throttle=[TokenRateThrottle()],
)
errors.install(api)
for module in (cases, links, responses, alerts, instruments):
    api.add_router("", module.router)
