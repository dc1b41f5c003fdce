"""The clinician's link pages under /sessions/<id>/links/: issue a link for a
member or the therapist, show it once (QR code, copy), send it by email or text
message, revoke it. The member's questionnaire pages are in views.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User
from tether.care.errors import Code, InvalidEntry, Problem
from tether.care.forms import add_problems
from tether.care.frames import library
from tether.care.models import Session
from tether.care.selectors import can_write, get_session_for
from tether.instruments import Definition

from . import services
from .forms import EveryoneForm, IssueLinkForm
from .models import Invitation

# ---- clinician pages: issue, send, revoke --------------------------------------


def offer() -> tuple[list[Definition], list[str]]:
    """Instruments that can go out as a link, and why the others cannot."""
    offered, refused = [], []
    # A superseded version (TAC 1.0) is not offered: new links ask the current one.
    for definition in library().sendable():
        if definition.has_text:
            offered.append(definition)
        else:
            refused.append(
                _(
                    "%(title)s (version %(version)s): no licensed text is loaded, so it cannot be sent as a link; enter it from paper on the session page."
                )
                % {"title": definition.short_title, "version": definition.version}
            )
    return offered, refused


def invitation_rows(session: Session) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    links = session.invitations.select_related("member", "session__case")
    for invitation in links.order_by("-pk"):
        state = services.link_state(invitation, now)
        who = invitation.member.first_name if invitation.member else _("Therapist")
        rows.append(
            {
                "invitation": invitation,
                "who": who,
                "state": state,
                "state_label": services.LINK_STATES[state],
            }
        )
    return rows


@clinical_view
@require_http_methods(["GET", "POST"])
def session_links(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = get_session_for(user, session_id)
    editable = can_write(user, session.case)
    if request.method == "POST" and not editable:
        raise PermissionDenied("Supervisors do not send questionnaire links.")
    offered, refused = offer()
    data = request.POST if request.method == "POST" else None
    form = IssueLinkForm(session.case, offered, data)
    if data is not None and form.is_valid():
        try:
            invitation, token = services.issue_invitation(
                user,
                session.pk,
                form.member_id(),
                form.cleaned_data["instruments"],
                expires_in=dt.timedelta(hours=form.cleaned_data["expires"]),
            )
        except InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            return issued(request, invitation, token)
    context = {"session": session, "case": session.case, "form": form}
    context["everyone"] = EveryoneForm()
    context |= {"editable": editable, "refused": refused}
    context["rows"] = invitation_rows(session)
    return render(request, "portal/links.html", context)


def issued(
    request: HttpRequest,
    invitation: Invitation,
    token: str,
    sent: str = "",
    problems: list[Problem] | None = None,
) -> HttpResponse:
    """The link, shown once: it is not stored, so this page is not cached."""
    url = services.link_url(token, request.build_absolute_uri("/"))
    person = invitation.member
    context = {
        "invitation": invitation,
        "session": invitation.session,
        "who": person.first_name if person else _("the therapist"),
        "url": url,
        "token": token,
        "qr": mark_safe(services.qr_svg(url)),
        "email": person.email
        if person
        else invitation.created_by.email
        if invitation.created_by
        else "",
        "phone": person.phone if person else "",
        "sent": sent,
        "problems": problems or [],
    }
    response = render(request, "portal/link_issued.html", context)
    add_never_cache_headers(response)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def invitation_for(user: User, session_id: int, invitation_id: int) -> Invitation:
    session = get_session_for(user, session_id, write=True)
    invitation = (
        Invitation.objects.select_related("session", "member", "created_by")
        .filter(pk=invitation_id, session=session)
        .first()
    )
    if invitation is None:
        raise Http404("No such link.")
    return invitation


@clinical_view
@require_POST
def link_send(
    request: HttpRequest, session_id: int, invitation_id: int
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    invitation = invitation_for(user, session_id, invitation_id)
    token, via = request.POST.get("token", ""), request.POST.get("via", "")
    try:
        services.send_invitation(
            invitation, token, via, user, request.build_absolute_uri("/")
        )
    except InvalidEntry as error:
        if error.codes & {Code.WRONG_LINK, Code.LINK_CLOSED}:
            messages.error(request, str(error))
            return redirect("portal-links", session_id)
        return issued(request, invitation, token, problems=error.problems)
    return issued(request, invitation, token, sent=via)


@clinical_view
@require_POST
def link_revoke(
    request: HttpRequest, session_id: int, invitation_id: int
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    invitation = invitation_for(user, session_id, invitation_id)
    try:
        services.revoke_invitation(user, invitation.pk)
    except InvalidEntry as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The link is revoked: it no longer opens."))
    return redirect("portal-links", session_id)


@clinical_view
@require_POST
def links_everyone(request: HttpRequest, session_id: int) -> HttpResponse:
    """Links for everyone attending, from the plan, shown once in one list."""
    user: User = request.user  # type: ignore[assignment]
    form = EveryoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how long the links work."))
        return redirect("portal-links", session_id)
    expires = dt.timedelta(hours=form.cleaned_data["expires"])
    links, left_out = services.issue_to_attending(user, session_id, expires)
    here = request.build_absolute_uri("/")
    pairs = [(link.invitation, link.token) for link in links]
    sent = (
        services.send_where_possible(pairs, user, here)
        if form.cleaned_data["send"]
        else {}
    )
    context = {"session": get_session_for(user, session_id), "left_out": left_out}
    context["rows"] = issued_rows(pairs, sent, here)
    response = render(request, "portal/links_issued.html", context)
    add_never_cache_headers(response)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def issued_rows(
    pairs: list[tuple[Invitation, str]], sent: dict[int, str], here: str
) -> list[dict[str, Any]]:
    rows = []
    for invitation, token in pairs:
        url = services.link_url(token, here)
        person = invitation.member
        rows.append(
            {
                "invitation": invitation,
                "who": person.first_name if person else _("The therapist"),
                "url": url,
                "qr": mark_safe(services.qr_svg(url)),
                "sent": services.SENT_BY.get(sent.get(invitation.pk, ""), ""),
            }
        )
    return rows
