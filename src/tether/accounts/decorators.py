"""Access to staff pages: signed in and verified with a second factor
(`clinical_view`); and an administrator of an organization (`admin_view`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def second_factor_done(request: HttpRequest) -> bool:
    """TOTP or a backup code was verified this session; demo accounts skip it,
    but only while Tether runs in demo mode."""
    user = request.user
    if settings.DEMO and getattr(user, "is_demo_account", False):
        return True
    return bool(getattr(user, "is_verified", lambda: False)())


def clinical_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with a second factor; otherwise to sign-in, or to set up or
    enter the second factor."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not second_factor_done(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{settings.OTP_VERIFY_URL}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


def admin_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with a second factor, and the organization's administrator."""

    @clinical_view
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_org_admin or user.organization_id is None:
            raise PermissionDenied("Only an administrator manages users and settings.")
        return view(request, *args, **kwargs)

    return wrapped
