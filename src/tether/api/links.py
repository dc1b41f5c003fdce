"""Questionnaire links: issue one (its secret returned once), list, revoke."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tether.portal import selectors
from tether.portal.services import issue_invitation, link_url, revoke_invitation

from .auth import READ, WRITE
from .cases import idempotency_key
from .errors import READS, WRITES
from .idempotency import once
from .pagination import paged
from .schemas import InvitationIn, InvitationOut, IssuedInvitation, PathId

router = Router(tags=["links"])


@router.get(
    "/sessions/{session_id}/invitations",
    response={200: list[InvitationOut], **READS},
    auth=READ,
)
@paged()
def list_invitations(request: HttpRequest, session_id: PathId) -> Any:
    return selectors.invitations_of(request.user, session_id)


@router.post(
    "/sessions/{session_id}/invitations",
    response={201: IssuedInvitation, **WRITES},
    auth=WRITE,
)
def issue(
    request: HttpRequest,
    session_id: PathId,
    payload: InvitationIn,
    key: str | None = idempotency_key(),
) -> Status[Any]:
    """A single-use link for one member (or, with no member, the therapist).
    The answer holds the link's secret and address this once: Tether keeps
    only a hash of it. Sent again with the same Idempotency-Key, the answer
    is the first one, secret included, and no second link is made."""

    def write() -> Any:
        invitation, token = issue_invitation(
            request.user,
            session_id,
            payload.member,
            payload.instruments,
            expires_in=dt.timedelta(hours=payload.expires_in_hours),
            language=payload.language,
        )
        invitation.token = token
        invitation.url = link_url(token, request.build_absolute_uri("/"))
        return invitation

    return once(request, key, 201, write, IssuedInvitation)


@router.post(
    "/invitations/{invitation_id}/revoke",
    response={200: InvitationOut, **WRITES},
    auth=WRITE,
)
def revoke(request: HttpRequest, invitation_id: PathId) -> Any:
    """Close a link that has not been answered; revoking it again changes nothing."""
    return revoke_invitation(request.user, invitation_id)
