"""Issuing, revoking, opening and closing links: one person, one session,
the listed questionnaires, until expiry."""

import datetime as dt
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from tether.accounts.models import User
from tether.audit.services import record
from tether.care.errors import Code, InvalidEntry, Problem
from tether.care.models import SENT, Case, Member, Response
from tether.care.plan import language_name, session_plan, therapist_plan, unsendable
from tether.care.responses import (
    mark_incomplete,
)
from tether.care.selectors import definition_named, get_session_for
from tether.care.services import NOT_IN_CASE
from tether.instruments import Definition

from .. import tasks
from ..models import Channel, Invitation
from .tokens import LinkError, new_token, token_digest

MAX_EXPIRY = dt.timedelta(days=30)


def issue_invitation(
    user: User,
    session_id: int,
    member_id: int | None,
    instruments: Iterable[str],
    expires_in: dt.timedelta = dt.timedelta(hours=72),
    channel: str = Channel.LINK,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """A single-use link for one member (or, with no member, the therapist) to
    answer `instruments` for this session. Returns the invitation and the token;
    the token is not kept anywhere, so hand it out now."""
    session = get_session_for(user, session_id, write=True)
    case = session.case
    member = _member_of(case, member_id)
    language = language or (member.language if member else "en")
    problems = _issue_problems(case, channel, expires_in, language)
    definitions = _sendable(instruments, member, language, problems)
    if problems:
        raise InvalidEntry(problems)
    with transaction.atomic():
        _refuse_duplicates(session.pk, member, list(definitions.values()))
        # A new link always starts afresh: answers left from an earlier link
        # are kept as incomplete, never shown again (resuming is for the
        # person's own link).
        keep_unsent(
            responses_of(session.pk, member, list(definitions)), "new link", user
        )
        token, digest = new_token()
        invitation = Invitation.objects.create(
            organization=case.organization,
            session=session,
            member=member,
            respondent=respondent_of(member),
            instruments=list(definitions),
            token_hash=digest,
            language=language,
            channel=channel,
            created_by=user,
            expires_at=timezone.now() + expires_in,
        )
        transaction.on_commit(partial(tasks.settle_at_expiry, invitation), robust=True)
        record(
            user,
            "issue",
            "invitation",
            invitation.pk,
            organization=case.organization,
            detail={
                "session": session.pk,
                "member": member.pk if member else None,
                "instruments": invitation.instruments,
                "channel": channel,
                "expires_at": invitation.expires_at.isoformat(),
            },
            case=case.pk,
        )
    return invitation, token


def _sendable(
    instruments: Iterable[str],
    member: Member | None,
    language: str,
    problems: list[Problem],
) -> dict[str, Definition]:
    """The definitions by key, in the order given; adds to `problems` why any
    cannot be sent."""
    definitions: dict[str, Definition] = {}
    for name in instruments:
        try:
            definition = definition_named(name)
        except InvalidEntry as error:
            problems += error.problems
            continue
        definitions.setdefault(definition.key, definition)
    if not definitions and not problems:
        problems.append(
            Problem(
                "instruments",
                Code.REQUIRED,
                gettext_lazy("Choose at least one questionnaire."),
            )
        )
    for definition in definitions.values():
        problem = unsendable(definition, member, language)
        if problem:
            problems.append(problem)
    return definitions


def _member_of(case: Case, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = case.members.filter(pk=member_id).first()
    if member is None:
        raise InvalidEntry([NOT_IN_CASE])
    if not member.active:
        raise InvalidEntry(
            [
                Problem(
                    "member",
                    Code.NOT_IN_CASE,
                    gettext_lazy("%(name)s is no longer active in this case."),
                    {"name": member.first_name},
                )
            ]
        )
    return member


def respondent_of(member: Member | None) -> str:
    return (
        Response.Respondent.THERAPIST if member is None else Response.Respondent.MEMBER
    )


def responses_of(
    session_id: int, member: Member | None, keys: list[str]
) -> QuerySet[Response]:
    """The response that counts for this person, session and instruments (at
    most one each); incomplete ones are kept apart."""
    return Response.objects.filter(
        session_id=session_id,
        respondent=respondent_of(member),
        member=member,
        instrument__in=keys,
    ).exclude(status=Response.Status.INCOMPLETE)


def sent_instruments(
    session_id: int, member: Member | None, keys: list[str]
) -> set[str]:
    """Which of these questionnaires this person has sent (or had entered
    from paper) for the session."""
    sent = responses_of(session_id, member, keys).filter(status__in=SENT)
    return set(sent.values_list("instrument", flat=True))


def _issue_problems(
    case: Case, channel: str, expires_in: dt.timedelta, language: str
) -> list[Problem]:
    problems = []
    if case.status == Case.Status.CLOSED:
        problems.append(
            Problem(
                "case",
                Code.CASE_CLOSED,
                gettext_lazy("The case is closed, so no questions can be sent."),
            )
        )
    if channel not in Channel.values:
        problems.append(
            Problem(
                "channel",
                Code.NOT_A_CHOICE,
                gettext_lazy("Choose how the link is given from the list."),
            )
        )
    if not dt.timedelta(0) < expires_in <= MAX_EXPIRY:
        problems.append(
            Problem(
                "expires",
                Code.EXPIRY,
                gettext_lazy("A link works for at most %(days)s days."),
                {"days": MAX_EXPIRY.days},
            )
        )
    if language not in dict(settings.LANGUAGES):
        spoken = ", ".join(str(language_name(code)) for code, _ in settings.LANGUAGES)
        problems.append(
            Problem(
                "language",
                Code.NOT_A_CHOICE,
                gettext_lazy("Questions can be sent in %(languages)s."),
                {"languages": spoken},
            )
        )
    return problems


def _refuse_duplicates(
    session_id: int, member: Member | None, definitions: list[Definition]
) -> None:
    """One open link and one response per person, instrument and session, so
    two links can never race for the same answers."""
    who = member.first_name if member else gettext_lazy("The therapist")
    keys = [d.key for d in definitions]
    names = {d.key: d.short_title for d in definitions}
    problems = [
        Problem(
            "instruments",
            Code.ALREADY_ANSWERED,
            gettext_lazy("%(who)s has already answered %(name)s for this session."),
            {"who": who, "name": names[key]},
        )
        for key in sorted(sent_instruments(session_id, member, keys))
    ]
    listed = open_link_instruments(session_id, member)
    problems += [
        Problem(
            "instruments",
            Code.OPEN_LINK,
            gettext_lazy(
                "%(who)s already has an open link for %(name)s in this session; revoke that link first."
            ),
            {"who": who, "name": names[key]},
        )
        for key in keys
        if key in listed
    ]
    if problems:
        raise InvalidEntry(problems)


def revoke_invitation(user: User, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(
        pk=invitation_id, organization_id=user.organization_id
    ).first()
    if invitation is None:
        record(user, "denied", "invitation", invitation_id)
        raise Http404("No such invitation.")
    get_session_for(user, invitation.session_id, write=True)
    if invitation.completed_at is not None:
        raise InvalidEntry(
            [
                Problem(
                    "invitation",
                    Code.ALREADY_ANSWERED,
                    gettext_lazy(
                        "This link has already been answered, so it cannot be revoked."
                    ),
                )
            ]
        )
    if invitation.revoked_at is None:
        with transaction.atomic():
            close_link(user, invitation, timezone.now())
    return invitation


def close_link(
    user: User | None, invitation: Invitation, now: dt.datetime, reason: str = ""
) -> None:
    """Revoke one link and record who did it (and why, e.g. "kiosk"); answers
    saved through it but not sent are kept as incomplete."""
    with transaction.atomic():
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        reached = responses_of(
            invitation.session_id, invitation.member, invitation.instruments
        )
        keep_unsent(reached, "link closed", user)
        detail = {"reason": reason} if reason else {}
        record(
            user,
            "revoke",
            "invitation",
            invitation.pk,
            organization=invitation.organization,
            detail=detail,
            case=invitation.session.case_id,
        )


def keep_unsent(
    responses: QuerySet[Response], reason: str, user: User | None = None
) -> int:
    """Keep as incomplete the unsent answers among `responses` that no open
    link reaches any more (it expired, was closed, or a new one is being
    issued); returns how many responses that was. A response still reached by
    an open link is that link's, and is left alone."""
    unsent = list(
        responses.filter(status=Response.Status.IN_PROGRESS)
        .select_related("session", "organization")
        .select_for_update(of=("self",))
    )
    if not unsent:
        return 0
    open_links = Invitation.objects.filter(
        session_id__in={r.session_id for r in unsent},
        completed_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    reached = {
        (link.session_id, link.member_id, key)
        for link in open_links
        for key in link.instruments
    }
    orphans = [
        r for r in unsent if (r.session_id, r.member_id, r.instrument) not in reached
    ]
    return len(mark_incomplete(orphans, reason, user))


def settle_expired_links(case: Case) -> int:
    """Keep the unsent answers of this case's expired links as incomplete
    responses; returns how many responses that was. Run when the case is next
    opened (care's CASE_UPKEEP), until a background worker runs it on time."""
    unsent = Response.objects.filter(
        session__case=case, status=Response.Status.IN_PROGRESS
    )
    if not unsent.exists():
        return 0
    with transaction.atomic():
        return keep_unsent(unsent, reason="link expired")


# ---- opening a link ------------------------------------------------------------


def find_invitation(token: str) -> Invitation:
    """The open invitation of this token; LinkError with a plain reason if the
    link is malformed, tampered with, unknown, answered, revoked or expired."""
    digest = token_digest(token)
    invitation = (
        Invitation.objects.select_related("session__case", "member")
        .filter(token_hash=digest)
        .first()
    )
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        raise LinkError(LinkError.UNKNOWN)
    try:
        check_open(invitation)
    except LinkError as error:
        error.language = invitation.language
        raise
    return invitation


def choose_language(invitation: Invitation, language: str) -> None:
    """The language the person chose on their link's pages, kept on the link
    so it opens in that language again on any device (and its questions
    are saved as read in it). A display choice of the person answering: no
    clinician acts, so the audit event has no user."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidEntry(
            [
                Problem(
                    "language",
                    Code.NOT_A_CHOICE,
                    gettext_lazy("Choose one of the languages offered."),
                )
            ]
        )
    if invitation.language == language:
        return
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(language=language)
        record(
            None,
            "choose-language",
            "invitation",
            invitation.pk,
            organization=invitation.organization,
            detail={"language": language},
            case=invitation.session.case_id,
        )
    invitation.language = language


LINK_STATES = {
    "answered": pgettext_lazy("link state", "answered"),
    "closed": pgettext_lazy("link state", "closed"),
    "expired": pgettext_lazy("link state", "expired"),
    "open": pgettext_lazy("link state", "open"),
}
"""What a link's state is called on the clinician's page."""


def link_state(invitation: Invitation, now: dt.datetime) -> str:
    """One of LINK_STATES, for the clinician's page and for the person who
    opens the link alike: answered; closed (revoked, the case closed, or the
    member no longer active); expired; else open."""
    if invitation.completed_at is not None:
        return "answered"
    member = invitation.member
    if (
        invitation.revoked_at is not None
        or invitation.session.case.status == Case.Status.CLOSED
        or (member is not None and not member.active)
    ):
        return "closed"
    if invitation.is_expired(now):
        return "expired"
    return "open"


_REFUSED = {
    "answered": LinkError.COMPLETED,
    "closed": LinkError.REVOKED,
    "expired": LinkError.EXPIRED,
}


def check_open(invitation: Invitation) -> None:
    refused = _REFUSED.get(link_state(invitation, timezone.now()))
    if refused is not None:
        raise LinkError(refused)


# ---- answering -----------------------------------------------------------------


def start_kiosk_turn(
    user: User,
    session_id: int,
    member: Member,
    instruments: list[str],
    expires_in: dt.timedelta,
) -> str:
    """A member's turn on the clinic's tablet: any open kiosk link of theirs is
    closed (its answers kept as incomplete) and a fresh one issued; returns its
    token."""
    with transaction.atomic():
        revoke_kiosk_links(user, session_id, member)
        _, token = issue_invitation(
            user,
            session_id,
            member.pk,
            instruments,
            expires_in=expires_in,
            channel=Channel.KIOSK,
        )
    return token


def revoke_kiosk_links(
    user: User, session_id: int, member: Member | None = None
) -> int:
    """Revoke the open kiosk links of this session (of one member, if given);
    returns how many."""
    now = timezone.now()
    links = Invitation.objects.filter(
        session_id=session_id,
        channel=Channel.KIOSK,
        completed_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    if member is not None:
        links = links.filter(member=member)
    count = 0
    with transaction.atomic():
        for invitation in links.select_for_update():
            count += 1
            close_link(user, invitation, now, reason="kiosk")
    return count


def open_link_instruments(session_id: int, member: Member | None) -> set[str]:
    """The questionnaires this person has an open link for in the session."""
    open_links = Invitation.objects.filter(
        session_id=session_id,
        member=member,
        completed_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    return {key for link in open_links for key in link.instruments}


# ---- everyone attending, in one action ------------------------------------------


@dataclass(frozen=True)
class IssuedLink:
    invitation: Invitation
    token: str
    """Shown once, never stored."""


def issue_to_attending(
    user: User, session_id: int, expires_in: dt.timedelta = dt.timedelta(hours=72)
) -> tuple[list[IssuedLink], list[str]]:
    """A link for each attending member with questionnaires due under the
    case's plan (care/plan.py), and one for the therapist's own ratings when
    the plan has them; each asks only what the person has not answered and
    has no open link for. Returns the links and, for everyone left out, why."""
    session = get_session_for(user, session_id, write=True)
    plan = session_plan(session)
    people: list[tuple[Member | None, list[str]]] = [
        (member, plan.get(str(member.pk), []))
        for member in session.attended.filter(active=True).order_by("id")
    ]
    people.append((None, therapist_plan(session)))
    issued, left_out = [], []
    if len(people) == 1:
        left_out.append(
            gettext("Nobody is marked as attending this session: mark who came first.")
        )
    with transaction.atomic():
        for member, keys in people:
            name = member.first_name if member else gettext("The therapist")
            waiting = set(sent_instruments(session.pk, member, keys))
            waiting |= open_link_instruments(session.pk, member)
            due = [key for key in keys if key not in waiting]
            if member is not None and not keys:
                left_out.append(
                    gettext(
                        "%(name)s: nothing is due for them this session under the plan"
                    )
                    % {"name": name}
                )
            elif keys and not due:
                left_out.append(
                    gettext(
                        "%(name)s: has already answered this session's questionnaires or has an open link for them"
                    )
                    % {"name": name}
                )
            if due:
                invitation, token = issue_invitation(
                    user, session.pk, member.pk if member else None, due, expires_in
                )
                issued.append(IssuedLink(invitation, token))
    return issued, left_out
