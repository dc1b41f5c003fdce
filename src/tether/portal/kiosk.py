"""Kiosk mode (docs/architecture.md §Privacy): a clinic tablet on which each
attending member answers in turn, privately.

A clinician starts the kiosk for one session; from then on the browser's
session holds `kiosk_session_id` and `KioskLockMiddleware` (kiosk_lock.py) keeps every
clinical page out of reach. The kiosk list shows the attending members by
first name only; tapping a name opens that member's own link. Leaving kiosk
mode needs the password of the clinician who started it.

Tokens are never stored (portal/services/tokens.py), so a member's kiosk link cannot
be handed out twice: tapping a name again revokes that member's open kiosk
link for this session and issues a new one. A turn always starts afresh:
answers saved in an earlier, unfinished turn are kept as an incomplete
response (a risk answer in it still counts) and never shown on the tablet.
Between two people the tablet shows a neutral hand-over screen, and both it
and the list close any unfinished turn and forget the links seen, so going
back shows nothing of the last person's pages.
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User
from tether.audit.services import record
from tether.care.models import Member, Session
from tether.care.plan import session_plan
from tether.care.selectors import get_session_for
from tether.care.services import InvalidEntry

from .csrf import link_csrf_protect
from .kiosk_lock import SESSION_KEY, is_navigation
from .services import (
    LINK_PATH,
    revoke_kiosk_links,
    sent_instruments,
    start_kiosk_turn,
)
from .views import forget_links, private

USER_KEY = "kiosk_user_id"
PLAN_KEY = "kiosk_plan"
"""{member id (text): [instrument keys]}, chosen when the kiosk starts."""

KIOSK_EXPIRY = dt.timedelta(hours=4)


NOT_HERE = gettext_lazy("This cannot be started here. Please ask your therapist.")
WRONG_PASSWORD = gettext_lazy("That password is not right.")


# ---- choosing the questionnaires -----------------------------------------------


def _remaining(session_id: int, member: Member, keys: list[str]) -> list[str]:
    answered = sent_instruments(session_id, member, keys)
    return [key for key in keys if key not in answered]


# ---- views ---------------------------------------------------------------------


@clinical_view
@require_POST
def kiosk_start(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = get_session_for(user, session_id, write=True)  # 403 for a supervisor
    plan = session_plan(session)
    if not plan:
        messages.error(
            request,
            _(
                "No attending member has a questionnaire to answer here: "
                "record who attended, or check the case's measure plan."
            ),
        )
        return redirect("session-detail", session_id=session.pk)
    _enter_kiosk(request, session, plan)
    response = redirect("kiosk-home")
    # What the browser kept of the clinician's pages goes, so Back cannot
    # show them (docs/security.md §Kiosk and shared devices).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


def _enter_kiosk(
    request: HttpRequest, session: Session, plan: dict[str, list[str]]
) -> None:
    """Kiosk mode on, under a new session key. The data stay (the sign-in,
    the second factor, the kiosk flags); the old key is deleted, so a copy of
    the session cookie taken before the kiosk started opens nothing, and a
    browser that keeps pages in its back/forward cache sees the cookie
    change."""
    user: User = request.user  # type: ignore[assignment]
    request.session[SESSION_KEY] = session.pk
    request.session[USER_KEY] = user.pk
    request.session[PLAN_KEY] = plan
    request.session.cycle_key()
    record(
        user,
        "kiosk-start",
        "session",
        session.pk,
        organization=session.organization,
        detail={"plan": plan},
    )


def _kiosk(request: HttpRequest) -> tuple[Session, dict[str, list[str]]] | None:
    """The kiosk's session and plan, or None when kiosk mode is off."""
    session_id = request.session.get(SESSION_KEY)
    if session_id is None:
        return None
    user: User = request.user  # type: ignore[assignment]
    if request.session.get(USER_KEY) != user.pk:
        _clear(request)
        return None
    session = get_session_for(user, session_id, write=True)
    return session, dict(request.session.get(PLAN_KEY) or {})


@clinical_view
@require_http_methods(["GET", "HEAD"])
def kiosk_home(request: HttpRequest) -> HttpResponse:
    kiosk = _kiosk(request)
    if kiosk is None:
        return redirect("caseload")
    session, plan = kiosk
    if is_navigation(request):
        _between_people(request, session)
    members = list(
        session.case.members.filter(pk__in=[int(pk) for pk in plan]).order_by("id")
    )
    people = [
        {
            "id": member.pk,
            "name": member.first_name,
            "language": member.language,
            "done": not _remaining(session.pk, member, plan[str(member.pk)]),
        }
        for member in members
    ]
    # The list speaks every language of the people on it, so each can read it.
    spoken = {member.language for member in members}
    languages = [code for code, _name in settings.LANGUAGES if code in spoken] or ["en"]
    # `spoken`, not `languages`: the base page's language switcher is not for
    # a list that already speaks every language on it.
    context = {"people": people, "spoken": languages, "lang": languages[0]}
    return render(request, "portal/kiosk_list.html", context)


@clinical_view
@require_http_methods(["GET", "HEAD"])
def kiosk_handover(request: HttpRequest) -> HttpResponse:
    """After each person: a neutral screen that looks the same for everyone.
    The tablet forgets the links it has seen, so going back shows nothing."""
    kiosk = _kiosk(request)
    if kiosk is None:
        return redirect("caseload")
    _between_people(request, kiosk[0])
    # Every language, the same for everyone: it says nothing of who answered.
    languages = [code for code, _name in settings.LANGUAGES]
    context = {"spoken": languages, "lang": languages[0]}
    return private(render(request, "portal/kiosk_handover.html", context))


@csrf_exempt  # checked by link_csrf_protect: kiosk pages are no-referrer too
@link_csrf_protect
@clinical_view
@require_POST
def kiosk_open(request: HttpRequest, member_id: int) -> HttpResponse:
    """Tapping a name: that member's kiosk link for this session."""
    kiosk = _kiosk(request)
    if kiosk is None:
        return redirect("caseload")
    session, plan = kiosk
    user: User = request.user  # type: ignore[assignment]
    keys = plan.get(str(member_id))
    member = session.case.members.filter(pk=member_id, active=True).first()
    if keys is None or member is None:
        return _not_here(request, member)
    remaining = _remaining(session.pk, member, keys)
    if not remaining:
        return redirect("kiosk-home")
    try:
        token = start_kiosk_turn(user, session.pk, member, remaining, KIOSK_EXPIRY)
    except InvalidEntry:
        # The reasons name instruments and other links: not for the family's eyes.
        return _not_here(request, member)
    return redirect(LINK_PATH.format(token=token))


def _not_here(request: HttpRequest, member: Member | None) -> HttpResponse:
    """Back to the list, saying so in the language of the person who tapped."""
    with translation.override(member.language if member else settings.LANGUAGE_CODE):
        messages.error(request, str(NOT_HERE))
    return redirect("kiosk-home")


def _between_people(request: HttpRequest, session: Session) -> None:
    """Nothing of the last person stays reachable on the tablet: an unfinished
    turn's link is closed (its answers kept as incomplete) and the links this
    browser has seen are forgotten."""
    user: User = request.user  # type: ignore[assignment]
    revoke_kiosk_links(user, session.pk)
    forget_links(request)


@csrf_exempt  # checked by link_csrf_protect: kiosk pages are no-referrer too
@link_csrf_protect
@clinical_view
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_exit(request: HttpRequest) -> HttpResponse:
    """The clinician's password ends kiosk mode. A wrong one counts as a failed
    sign-in (django-axes); at the lockout the kiosk ends by signing out, as the
    second-factor page does, so the tablet is left with nothing clinical."""
    session_id = request.session.get(SESSION_KEY)
    if session_id is None:
        return redirect("caseload")
    starter = User.objects.filter(pk=request.session.get(USER_KEY)).first()
    if starter is None or starter.pk != request.user.pk:
        return _sign_out(request, session_id, None)
    credentials = {"username": starter.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return _sign_out(request, session_id, credentials)
    error = ""
    if request.method == "POST":
        if starter.check_password(request.POST.get("password", "")):
            _clear(request)
            closed = revoke_kiosk_links(starter, session_id)
            record(
                starter,
                "kiosk-exit",
                "session",
                session_id,
                organization=starter.organization,
                detail={"revoked_links": closed},
            )
            return redirect("session-detail", session_id=session_id)
        user_login_failed.send(
            sender=__name__, credentials=credentials, request=request
        )
        locked = bool(getattr(request, "axes_locked_out", False))
        record(
            starter,
            "kiosk-exit-failed",
            "session",
            session_id,
            detail={"locked": locked},
        )
        if locked:
            return _sign_out(request, session_id, credentials)
        error = WRONG_PASSWORD
    return render(request, "portal/kiosk_exit.html", {"error": error})


def _sign_out(
    request: HttpRequest, session_id: int, credentials: dict[str, str] | None
) -> HttpResponse:
    """End the kiosk by signing out: its open links close, the flag goes with
    the session, and the lockout page (or sign-in) follows."""
    user: User = request.user  # type: ignore[assignment]
    closed = revoke_kiosk_links(user, session_id)
    record(
        user,
        "kiosk-signed-out",
        "session",
        session_id,
        detail={"revoked_links": closed},
    )
    auth.logout(request)
    if credentials is not None:
        return get_lockout_response(request, None, credentials)  # type: ignore[no-any-return]
    return redirect("login")


def _clear(request: HttpRequest) -> None:
    for key in (SESSION_KEY, USER_KEY, PLAN_KEY):
        request.session.pop(key, None)
    forget_links(request)
