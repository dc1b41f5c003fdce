"""The signed-in person's own API tokens at /accounts/tokens/: what they are
for, a form to make one, the list of theirs, and revoking (docs/security.md
§Personal API tokens).

A new token's secret is shown once, in the response to the form that made
it: it is never stored (only its SHA-256), never put in the session, and
every page is no-store (core/caching.py), so a reload or Back cannot show it
again."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .decorators import clinical_view
from .forms import ApiTokenForm
from .models import User
from .selectors import api_tokens_of

API_DOCS_PATH = "/api/v1/docs"
"""The API's interactive documentation (served by the API itself)."""
OPENAPI_PATH = "/api/v1/openapi.json"
EXAMPLE_PATH = "/api/v1/cases"
"""What the example command asks for."""


@clinical_view
@sensitive_variables()  # an error report shows no local of this page: a secret
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if form.is_valid():
        try:
            issued = services.create_api_token(user, **form.cleaned_data)
        except services.ApiTokenRefused as refused:
            form.put_problems(refused.problems)
        else:
            form = ApiTokenForm()
    status = 400 if form.errors else 200
    return render(
        request, "accounts/api_tokens.html", page(request, form, issued), status=status
    )


@clinical_view
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = services.revoke_api_token(request.user, token_id)  # type: ignore[arg-type]
    if token is None:
        raise Http404("No such token.")
    done = _("“%(name)s” is revoked: it no longer works, and cannot be brought back.")
    messages.success(request, done % {"name": token.name})
    return redirect("api-tokens")


@sensitive_variables()
def page(
    request: HttpRequest, form: ApiTokenForm, issued: services.IssuedToken | None
) -> dict[str, object]:
    """What the page shows: with a token just made, its secret and an
    example command using it."""
    site = str(settings.TETHER_BASE_URL or request.build_absolute_uri("/")).rstrip("/")
    context: dict[str, object] = {
        "form": form,
        "rows": api_tokens_of(request.user),  # type: ignore[arg-type]
        "docs_url": API_DOCS_PATH,
        "openapi_url": OPENAPI_PATH,
        "issued": issued,
    }
    if issued is not None:
        context["example"] = (
            f'curl -H "Authorization: Bearer {issued.secret}" {site}{EXAMPLE_PATH}'
        )
    return context
