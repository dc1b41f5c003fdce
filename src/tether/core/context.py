from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"demo_mode": settings.DEMO}


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """django-htmx reads `csp_nonce`; django-csp 4 names it `CSP_NONCE`
    (docs/architecture.md §Dependencies). Lazy, so pages without scripts send no
    nonce."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
