"""Invitations that expired unanswered, as rows of the long-format table: an
empty score means "invited, did not answer" (docs/long-format.md), which the
disengagement rule counts (docs/clinical-rules.md §Disengagement)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from tether.care.frames import Row, library
from tether.care.models import SENT, AgeBand, Response
from tether.instruments import UnknownInstrument

from .models import Invitation


def unanswered_invitation_rows(
    case_ids: list[int] | None, organization_id: int | None
) -> list[Row]:
    invitations = Invitation.objects.filter(
        completed_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=timezone.now(),
        member__isnull=False,
    ).select_related("session__case", "member")
    if case_ids is not None:
        invitations = invitations.filter(session__case_id__in=case_ids)
    if organization_id is not None:
        invitations = invitations.filter(organization_id=organization_id)
    invitations = list(invitations)
    if not invitations:
        return []
    answered = set(
        Response.objects.filter(
            Q(session__in=[i.session_id for i in invitations]),
            status__in=SENT,
        ).values_list("session_id", "member_id", "instrument")
    )
    rows: list[Row] = []
    seen = set()
    lib = library()
    for invitation in invitations:
        member, session = invitation.member, invitation.session
        assert member is not None
        for key in invitation.instruments:
            try:
                definition = lib.get(key)
            except UnknownInstrument:
                continue
            where = (session.pk, member.pk, definition.key)
            if where in answered or where in seen:
                continue
            seen.add(where)
            rows.append(
                (
                    str(session.case_id),
                    str(member.pk),
                    member.role,
                    "member",
                    str(session.number),
                    definition.key,
                    definition.scales[0].id,
                    "",
                    session.case.kind,
                    "adult" if member.age_band == AgeBand.ADULT else "youth",
                )
            )
    return rows
