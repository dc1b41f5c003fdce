"""Permission-checked reads of links (docs/architecture.md §Layers)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from tether.accounts.models import User
from tether.audit.services import record
from tether.care.selectors import get_session_for

from .models import Invitation


def invitations_of(user: User, session_id: int) -> QuerySet[Invitation]:
    """The links of a session whose case `user` may read."""
    session = get_session_for(user, session_id)
    return session.invitations.select_related("member", "session__case")


def get_invitation_for(user: User, invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.filter(
            pk=invitation_id, organization_id=user.organization_id
        )
        .select_related("member", "session__case")
        .first()
    )
    if invitation is None:
        record(user, "denied", "invitation", invitation_id)
        raise Http404("No such invitation.")
    get_session_for(user, invitation.session_id)
    return invitation
