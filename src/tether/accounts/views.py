"""Signing in with a password and a second factor, password reset by email, and
the administrator's user pages (docs/architecture.md §Apps, §Privacy).

A password alone gives a signed-in but unverified session: `clinical_view`
sends it on to the second factor. A person without an authenticator (first
sign-in, or after an administrator's reset) sets one up only after entering the
enrolment code an administrator handed over, so a stolen password cannot
attach the thief's own (docs/security.md §Second-factor enrolment).
"""

from __future__ import annotations

import re
from base64 import b32encode
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.audit.services import record

from . import services
from .decorators import admin_view, second_factor_done
from .forms import CodeForm, EnrolmentCodeForm, RolesForm, SignInForm, UserCreateForm
from .models import User
from .selectors import get_user_for, may_enrol, users_for

WRONG_CODE = gettext_lazy(
    "That code did not match. Check the time on your phone, or use a backup code."
)
WRONG_NEW_CODE = gettext_lazy(
    "That code did not match. Check the time on your phone and enter the newest code."
)
TOO_MANY_CODES = gettext_lazy(
    "Too many wrong codes in a row. Wait a minute, then try again."
)
WRONG_ENROLMENT_CODE = gettext_lazy(
    "That enrolment code did not match. Check it, or ask your clinic's administrator for a new one."
)
ENROLMENT_CODE_REFUSED = {
    services.EnrolmentCodeRefused.WRONG: WRONG_ENROLMENT_CODE,
    services.EnrolmentCodeRefused.EXPIRED: gettext_lazy(
        "That enrolment code has expired. Ask your clinic's administrator for a new one."
    ),
    services.EnrolmentCodeRefused.USED: gettext_lazy(
        "That enrolment code was already used. Ask your clinic's administrator for a new one."
    ),
}
ENROLMENT_KEY = "tether_enrolment_device"
ENROLMENT_CODE_KEY = "tether_enrolment_code"
"""The enrolment code this session entered, which lets it attach an authenticator."""

# --- where to go next -------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    """`next` if it is a path on this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    is_local = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if is_local and candidate.startswith("/") else ""


def _next_or_home(request: HttpRequest) -> str:
    return _safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _keeping_next(request: HttpRequest, url_name: str) -> str:
    url = reverse(url_name)
    next_url = _safe_next(request)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def _is_demo_pass(request: HttpRequest) -> bool:
    """Demo accounts skip the second factor, and only in demo mode."""
    return settings.DEMO and getattr(request.user, "is_demo_account", False)


# --- sign-in ----------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and second_factor_done(request):
        return redirect(_next_or_home(request))
    data = request.POST if request.method == "POST" else None
    form = SignInForm(request, data=data)
    if form.is_valid():
        user = form.get_user()
        auth.login(request, user)
        record(user, "sign-in", "user", user.pk, detail={"step": "password"})
        if _is_demo_pass(request):  # no second factor to wait for
            services.forget_failed_sign_ins(user)
        return redirect(_after_password(request, user))
    if data is not None:
        _record_failed_sign_in(request)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/login.html", context)


def _after_password(request: HttpRequest, user: User) -> str:
    if _is_demo_pass(request):
        return _next_or_home(request)
    if not _has_authenticator(user):
        return _keeping_next(request, "enrolment-code")
    return _keeping_next(request, "otp-verify")


def _record_failed_sign_in(request: HttpRequest) -> None:
    username = request.POST.get("username", "")[:150]
    target = User.objects.filter(username=username).first()
    record(
        None,
        "sign-in-failed",
        "user",
        target.pk if target else "",
        organization=target.organization if target else None,
        detail={
            "username": username,
            "locked": bool(getattr(request, "axes_locked_out", False)),
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(request.user, "sign-out", "user", request.user.pk)
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- second factor: the enrolment code ----------------------------------------


@login_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def enrolment_code(request: HttpRequest) -> HttpResponse:
    """The step before setting up an authenticator: the code an administrator
    handed over. Wrong codes count toward the lockout like wrong passwords."""
    user = request.user
    if _is_demo_pass(request) or _has_authenticator(user) or _may_enrol(request):
        return redirect(_keeping_next(request, "setup-2fa"))
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        auth.logout(request)
        return get_lockout_response(request, None, credentials)
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and _redeemed(request, form):
        return redirect(_keeping_next(request, "setup-2fa"))
    if getattr(request, "axes_locked_out", False):
        auth.logout(request)
        return get_lockout_response(request, None, credentials)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/enrolment_code.html", context)


def _redeemed(request: HttpRequest, form: EnrolmentCodeForm) -> bool:
    """Spend the code entered, letting this session set up an authenticator;
    else name the problem on the form and count a failed attempt."""
    try:
        code = services.redeem_enrolment_code(request.user, form.cleaned_data["code"])  # type: ignore[arg-type]
    except services.EnrolmentCodeRefused as refused:
        form.add_error("code", ENROLMENT_CODE_REFUSED[refused.reason])
        _count_failed_attempt(request, request.user)
        return False
    request.session[ENROLMENT_CODE_KEY] = code.pk
    request.session.cycle_key()  # a new session key for the raised privilege
    return True


def _may_enrol(request: HttpRequest) -> bool:
    code_id = request.session.get(ENROLMENT_CODE_KEY)
    return may_enrol(request.user, code_id)  # type: ignore[arg-type]


# --- second factor: set up --------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def setup_2fa(request: HttpRequest) -> HttpResponse:
    user = request.user
    if _is_demo_pass(request):
        return redirect(_next_or_home(request))
    if _has_authenticator(user):
        # A second device only after the first one is verified; replacing it
        # is the administrator's reset, so a stolen password cannot add one.
        if second_factor_done(request):
            return redirect(_next_or_home(request))
        return redirect(_keeping_next(request, "otp-verify"))
    if not _may_enrol(request):
        return redirect(_keeping_next(request, "enrolment-code"))
    device = _enrolment_device(request)
    if request.method == "GET":
        device = device or _new_enrolment_device(request)
        return _show_enrolment(request, device, CodeForm())
    if device is None:
        return redirect(_keeping_next(request, "setup-2fa"))
    form = CodeForm(request.POST)
    if form.is_valid():
        error = _check_enrolment_code(device, form.cleaned_data["code"])
        if not error:
            codes = _finish_enrolment(request, device)
            context = {"codes": codes, "next": _next_or_home(request)}
            return render(request, "accounts/backup_codes.html", context)
        form.add_error("code", error)
    return _show_enrolment(request, device, form)


def _enrolment_device(request: HttpRequest) -> TOTPDevice | None:
    """The unconfirmed device this session started, so a reload shows the same
    secret."""
    device_id = request.session.get(ENROLMENT_KEY)
    if device_id is None:
        return None
    unconfirmed = TOTPDevice.objects.filter(user=request.user, confirmed=False)
    return unconfirmed.filter(pk=device_id).first()


def _new_enrolment_device(request: HttpRequest) -> TOTPDevice:
    device = services.start_enrolment(request.user)  # type: ignore[arg-type]
    request.session[ENROLMENT_KEY] = device.pk
    return device


def _show_enrolment(
    request: HttpRequest, device: TOTPDevice, form: CodeForm
) -> HttpResponse:
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(
        scale=5, border=2, light="#fff", title=_("QR code for your authenticator app")
    )
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": mark_safe(svg),  # segno's own markup; holds no user input
        "secret": " ".join(re.findall(".{1,4}", secret)),
        "next": _safe_next(request),
    }
    return render(request, "accounts/setup_2fa.html", context)


def _check_enrolment_code(device: TOTPDevice, code: str) -> str:
    allowed, _reason = device.verify_is_allowed()
    if not allowed:
        return str(TOO_MANY_CODES)
    if re.fullmatch(r"\d{6}", code) and device.verify_token(code):
        return ""
    return str(WRONG_NEW_CODE)


def _finish_enrolment(request: HttpRequest, device: TOTPDevice) -> list[str]:
    codes = services.finish_enrolment(request.user, device)  # type: ignore[arg-type]
    _verified(request, device)
    request.session.pop(ENROLMENT_KEY, None)
    request.session.pop(ENROLMENT_CODE_KEY, None)
    return sorted(codes)


def _verified(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    services.forget_failed_sign_ins(request.user)  # type: ignore[arg-type]
    # A new session key for the raised privilege, as `auth.login` does.
    request.session.cycle_key()


# --- second factor: verify --------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if second_factor_done(request):
        return redirect(_next_or_home(request))
    if not _has_authenticator(user):
        return redirect(_keeping_next(request, "setup-2fa"))
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        auth.logout(request)
        return get_lockout_response(request, None, credentials)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device, allowed = services.match_code(user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            method = "backup-code" if isinstance(device, StaticDevice) else "app"
            record(user, "2fa-verify", "user", user.pk, detail={"method": method})
            return redirect(_next_or_home(request))
        form.add_error("code", WRONG_CODE if allowed else TOO_MANY_CODES)
        if allowed:  # a wrong code, not a refusal to try
            locked = _count_failed_attempt(request, user)
            record(user, "2fa-failed", "user", user.pk, detail={"locked": locked})
            if locked:
                auth.logout(request)
                return get_lockout_response(request, None, credentials)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/verify.html", context)


def _count_failed_attempt(request: HttpRequest, user: Any) -> bool:
    """A wrong authenticator or enrolment code counts toward the django-axes
    lockout like a wrong password; True when it locked the account."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


# --- password reset by email --------------------------------------------------


class PasswordReset(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Queued for the worker, never sent here (accounts/tasks.py).
        site_url = settings.TETHER_BASE_URL or self.request.build_absolute_uri("/")
        language = translation.get_language() or settings.LANGUAGE_CODE
        services.request_password_reset(form.cleaned_data["email"], language, site_url)
        return redirect(self.get_success_url())


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(self.user, "password-reset", "user", self.user.pk)
        return response


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- administrator pages ----------------------------------------------------


@admin_view
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    users = users_for(request.user).order_by("last_name", "first_name", "username")
    return render(request, "accounts/user_list.html", {"users": users})


@admin_view
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return render(request, "accounts/user_form.html", {"form": form})
    temporary = form.cleaned_data["password_choice"] == "temporary"
    account = services.create_user(request.user, form.save(commit=False), temporary)
    if not temporary:
        _send_welcome(request, account.user)
    context = {
        "new_user": account.user,
        "password": account.password,
        "enrolment_code": account.enrolment_code,
    }
    return render(request, "accounts/user_created.html", context)


def _send_welcome(request: HttpRequest, user: User) -> None:
    site = get_current_site(request)
    context = {
        "user": user,
        "domain": site.domain,
        "site_name": site.name,
        "protocol": "https" if request.is_secure() else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    PasswordResetForm().send_mail(
        "accounts/welcome_subject.txt",
        "accounts/welcome_email.txt",
        context,
        None,
        user.email,
    )


@admin_view
@require_http_methods(["GET"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_for(request.user, user_id)
    return _render_detail(request, user, RolesForm(initial={"roles": list(user.roles)}))


def _render_detail(
    request: HttpRequest, user: User, form: RolesForm, status: int = 200
) -> HttpResponse:
    context = {"person": user, "role_form": form, "is_self": user == request.user}
    return render(request, "accounts/user_detail.html", context, status=status)


def _not_on_yourself(
    view: Callable[[HttpRequest, User], HttpResponse],
) -> Callable[..., HttpResponse]:
    """An administrator changes other people's accounts, not their own, so a
    hijacked session cannot quietly reset its own protections."""

    @admin_view
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, user_id: int) -> HttpResponse:
        user = get_user_for(request.user, user_id)
        if user == request.user:
            messages.error(
                request, _("Ask another administrator to change your account.")
            )
            return redirect("user-detail", user_id=user.pk)
        return view(request, user)

    return wrapped


@_not_on_yourself
def user_role(request: HttpRequest, user: User) -> HttpResponse:
    form = RolesForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, user, form, status=400)
    if services.change_roles(request.user, user, form.cleaned_data["roles"]):
        roles = user.roles_display
        messages.success(
            request,
            gettext("%(name)s's roles: %(roles)s.")
            % {"name": user.display, "roles": roles},
        )
    return redirect("user-detail", user_id=user.pk)


@_not_on_yourself
@never_cache
def user_reset_2fa(request: HttpRequest, user: User) -> HttpResponse:
    """Remove the person's authenticator and backup codes, if any, and show
    once the enrolment code they need to set up a new one."""
    had_2fa = user.has_2fa  # type: ignore[attr-defined]
    code = services.reset_second_factor(request.user, user)  # type: ignore[arg-type]
    context = {"person": user, "issued": code, "had_2fa": had_2fa}
    return render(request, "accounts/enrolment_code_issued.html", context)


@_not_on_yourself
def user_unlock(request: HttpRequest, user: User) -> HttpResponse:
    services.clear_failed_sign_ins(request.user, user)
    messages.success(
        request,
        _("Failed sign-ins for %(name)s were cleared.") % {"name": user.display},
    )
    return redirect("user-detail", user_id=user.pk)


@_not_on_yourself
def user_active(request: HttpRequest, user: User) -> HttpResponse:
    active = request.POST.get("active") == "true"
    services.set_active(request.user, user, active)
    done = (
        _("%(name)s can sign in again.")
        if active
        else _("%(name)s can no longer sign in.")
    )
    messages.success(request, done % {"name": user.display})
    return redirect("user-detail", user_id=user.pk)
