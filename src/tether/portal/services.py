"""Writes for invitation links (docs/architecture.md §Privacy; the token pattern
of healthchecks, docs/architecture.md §Dependencies).

A link carries `Signer().sign(secret)`: the signature rejects a tampered or
malformed link before any lookup, and the database holds only the SHA-256 of
the secret, so a copy of the database opens no questionnaire. The token is
never stored, logged, audited or put in an exception message.

Answers autosave one at a time into an in-progress response; `submit` scores
it, stores the scores and recomputes the case's signals in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

import segno
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from tether.accounts.models import User
from tether.audit.services import record
from tether.care.alerts import reopen_risk_alert
from tether.care.models import SENT, Case, Member, Response
from tether.care.plan import unsendable
from tether.care.responses import (
    keep_answer,
    mark_incomplete,
    record_unsent_risk,
    start_response,
    store_response,
)
from tether.care.selectors import definition_named, get_session_for
from tether.care.services import InvalidEntry
from tether.instruments import Definition
from tether.scoring import AnswerError, score

from . import tasks
from .models import Channel, Invitation
from .sms import get_sms_backend

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
LINK_PATH = "/q/{token}/"
"""Where the questionnaire page is mounted; portal/urls.py must match."""
MAX_EXPIRY = dt.timedelta(days=30)
_SALT = "tether.portal.invitation"
_SIGN_SEP = "."  # URL-safe, and never part of a URL-safe base64 secret

RISK_SUBJECT = gettext_lazy("Tether: please sign in today")
RISK_BODY = gettext_lazy(
    "A questionnaire in one of your cases needs your attention today. "
    "Sign in to Tether to see it.\n\n%(url)s\n"
)


INVITATION_SUBJECT = gettext_lazy("Your private link")
INVITATION_BODY = gettext_lazy(
    "Hello %(name)s,\n\n"
    "Here are a few short questions for you to answer privately:\n"
    "%(url)s\n\n"
    "The link works until %(expiry)s. Please do not share it.\n"
)
"""The email and text message that carry a link, in the person's language."""


class LinkError(Exception):
    """A link that cannot be used; `reason` is a code, `message` the plain text
    to show the person who opened it. Neither holds the token."""

    INVALID = "invalid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    COMPLETED = "completed"
    REVOKED = "revoked"

    # Lazy: read in the language of the page that shows them.
    MESSAGES = {
        INVALID: gettext_lazy(
            "This link is not valid. Please ask your therapist for a new one."
        ),
        UNKNOWN: gettext_lazy(
            "This link is not valid. Please ask your therapist for a new one."
        ),
        EXPIRED: gettext_lazy(
            "This link has expired. Please ask your therapist for a new one."
        ),
        COMPLETED: gettext_lazy(
            "These questions have already been answered. Thank you."
        ),
        REVOKED: gettext_lazy(
            "This link is no longer active. Please ask your therapist for a new one."
        ),
    }

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.message = self.MESSAGES[reason]
        self.language: str | None = None
        """The link's language, when the link is known (answered, revoked,
        expired): its page is shown in it."""
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class SubmitResult:
    response: Response
    risk: bool
    """A risk item was endorsed: show the static crisis information at once
    (docs/clinical-rules.md §Risk items), and nothing that implies an assessment."""
    already_submitted: bool = False


# ---- tokens --------------------------------------------------------------------


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=_SIGN_SEP)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    """(the token to hand out, the hash to store)."""
    secret = secrets.token_urlsafe(32)
    return _signer().sign(secret), _digest(secret)


def _token_digest(token: object) -> str:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise LinkError(LinkError.INVALID)
    try:
        secret = _signer().unsign(token)
    except signing.BadSignature:
        # `from None`: the signature error would carry part of the token.
        raise LinkError(LinkError.INVALID) from None
    return _digest(secret)


def _matches(invitation: Invitation, token: str) -> bool:
    try:
        digest = _token_digest(token)
    except LinkError:
        return False
    return hmac.compare_digest(invitation.token_hash, digest)


def link_url(token: str) -> str:
    base = getattr(settings, "TETHER_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    return base + LINK_PATH.format(token=token)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, for a phone to scan in the room."""
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2))


# ---- issuing and revoking ------------------------------------------------------


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
        token, digest = _new_token()
        invitation = Invitation.objects.create(
            organization=case.organization,
            session=session,
            member=member,
            respondent=_respondent(member),
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
        )
    return invitation, token


def _sendable(
    instruments: Iterable[str],
    member: Member | None,
    language: str,
    problems: list[str],
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
        problems.append("instruments: choose at least one questionnaire")
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
        raise InvalidEntry([f"member: {member_id} is not a member of this case"])
    if not member.active:
        raise InvalidEntry(
            [f"member: {member.first_name} is no longer active in this case"]
        )
    return member


def _respondent(member: Member | None) -> str:
    return (
        Response.Respondent.THERAPIST if member is None else Response.Respondent.MEMBER
    )


def _issue_problems(
    case: Case, channel: str, expires_in: dt.timedelta, language: str
) -> list[str]:
    problems = []
    if case.status == Case.Status.CLOSED:
        problems.append("case: the case is closed, so no questions can be sent")
    if channel not in Channel.values:
        problems.append(
            f"channel: {channel!r} is not one of {', '.join(Channel.values)}"
        )
    if not dt.timedelta(0) < expires_in <= MAX_EXPIRY:
        problems.append(
            f"expires_in: a link must expire after more than 0 and at most {MAX_EXPIRY.days} days"
        )
    if language not in dict(settings.LANGUAGES):
        problems.append(
            f"language: {language!r} is not one of {', '.join(dict(settings.LANGUAGES))}"
        )
    return problems


def _refuse_duplicates(
    session_id: int, member: Member | None, definitions: list[Definition]
) -> None:
    """One open link and one response per person, instrument and session, so
    two links can never race for the same answers."""
    who = member.first_name if member else "The therapist"
    keys = [d.key for d in definitions]
    names = {d.key: d.short_title for d in definitions}
    problems = [
        f"{names[key]}: {who} has already answered it for this session"
        for key in sorted(sent_instruments(session_id, member, keys))
    ]
    open_links = Invitation.objects.filter(
        session_id=session_id,
        member=member,
        completed_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    listed = {key for link in open_links for key in link.instruments}
    problems += [
        f"{names[key]}: {who} already has an open link for it in this session; revoke that link first"
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
        raise InvalidEntry(["invitation: it has already been answered"])
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
    digest = _token_digest(token)
    invitation = (
        Invitation.objects.select_related("session__case", "member")
        .filter(token_hash=digest)
        .first()
    )
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        raise LinkError(LinkError.UNKNOWN)
    try:
        _check_open(invitation)
    except LinkError as error:
        error.language = invitation.language
        raise
    return invitation


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


def _check_open(invitation: Invitation) -> None:
    refused = _REFUSED.get(link_state(invitation, timezone.now()))
    if refused is not None:
        raise LinkError(refused)


# ---- answering -----------------------------------------------------------------


def save_answer(
    invitation: Invitation,
    instrument: str,
    item_id: str,
    value: object,
) -> Response:
    """Autosave one answer (None: "prefer not to answer") into the in-progress
    response, created on the first answer. Saving the same answer again changes
    nothing; a refused answer leaves every saved one as it was."""
    definition = _listed(invitation, instrument)
    item_id = str(item_id)
    if item_id not in definition.item_ids:
        raise InvalidEntry(
            [f"item {item_id}: is not a question of {definition.short_title}"]
        )
    answer = _checked_answer(definition, item_id, value)
    is_risk_item = item_id in {item.id for item in definition.risk_items}
    with transaction.atomic():
        locked = _locked(invitation)
        _check_open(locked)
        if is_risk_item:
            # The risk alert is written now: lock the case first, in the
            # order submit and paper entry use (link, case, response).
            _lock_case(locked)
        response = (
            responses_of(locked.session_id, locked.member, [definition.key])
            .select_for_update()
            .first()
        )
        if response is None:
            response = _start_response(locked, definition)
        elif response.status != Response.Status.IN_PROGRESS:
            raise InvalidEntry(
                [
                    f"{definition.short_title}: already sent, so its answers can no longer be changed"
                ]
            )
        # A risk answer is a risk the moment it is saved, sent or not.
        if (
            keep_answer(response, item_id, answer)
            and is_risk_item
            and record_unsent_risk(response, definition)
        ):
            _notify_risk_once(locked, response)
    return response


def _lock_case(invitation: Invitation) -> Case:
    return Case.objects.select_for_update().get(pk=invitation.session.case_id)


def _notify_risk_once(invitation: Invitation, response: Response) -> None:
    """The first risk answer of a link reopens a closed alert of the same
    person, questionnaire and session, and tells the case's clinicians, once
    per link however often it is saved again. `invitation` must be
    row-locked."""
    if invitation.risk_notified_at is not None:
        return
    reopen_risk_alert(response)
    invitation.risk_notified_at = timezone.now()
    invitation.save(update_fields=["risk_notified_at"])
    # Sent by the worker once this is stored, never while the member waits.
    transaction.on_commit(
        partial(
            tasks.email_risk_alert.enqueue, invitation.pk, invitation.session.case_id
        ),
        robust=True,
    )


def _listed(invitation: Invitation, instrument: str) -> Definition:
    definition = definition_named(instrument)
    if definition.key not in invitation.instruments:
        raise InvalidEntry([f"instrument: {instrument} is not part of this link"])
    return definition


def _checked_answer(
    definition: Definition, item_id: str, value: object
) -> int | float | None:
    if value is None:
        if not definition.allow_skip:
            raise InvalidEntry(
                [
                    f"item {item_id}: {definition.short_title} needs every question answered to be scored, so “prefer not to answer” is not available here"
                ]
            )
        return None
    number = _number(value)
    try:
        score(definition, {item_id: number})
    except AnswerError as error:
        raise InvalidEntry([str(problem) for problem in error.problems]) from error
    assert isinstance(number, int | float)
    return int(number) if float(number).is_integer() else float(number)


def _number(value: object) -> object:
    """Form fields arrive as text; other text stays text so the engine names it."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


def _locked(invitation: Invitation) -> Invitation:
    """The invitation, re-read under a row lock (PostgreSQL; SQLite's IMMEDIATE
    transactions already serialize writers)."""
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("session__case", "member")
        .get(pk=invitation.pk)
    )


def responses_of(
    session_id: int, member: Member | None, keys: list[str]
) -> QuerySet[Response]:
    """The response that counts for this person, session and instruments (at
    most one each); incomplete ones are kept apart."""
    return Response.objects.filter(
        session_id=session_id,
        respondent=_respondent(member),
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


def _start_response(invitation: Invitation, definition: Definition) -> Response:
    return start_response(
        session_id=invitation.session_id,
        organization=invitation.organization,
        member=invitation.member,
        respondent=invitation.respondent,
        definition=definition,
        language=invitation.language,
        entered_by=invitation.created_by if invitation.member is None else None,
        detail={"invitation": invitation.pk, "source": _source(invitation)},
    )


def _source(invitation: Invitation) -> str:
    return "kiosk" if invitation.channel == Channel.KIOSK else "link"


# ---- submitting ----------------------------------------------------------------


def submit(invitation: Invitation, instrument: str) -> SubmitResult:
    """Send one instrument's autosaved answers (care's store_response scores
    and stores them, raises any risk alert and queues the case's recompute)
    and, when every listed instrument is in, close the link; all in one
    transaction. Submitting again returns the stored response unchanged."""
    definition = _listed(invitation, instrument)
    with transaction.atomic():
        locked = _locked(invitation)
        # Lock order of every writer: link, case, response.
        _lock_case(locked)
        response = (
            responses_of(locked.session_id, locked.member, [definition.key])
            .select_for_update()
            .first()
        )
        if response is not None and response.status != Response.Status.IN_PROGRESS:
            return SubmitResult(response, response.risk_endorsed, True)
        _check_open(locked)
        if response is None:
            raise InvalidEntry(
                [
                    f"{definition.short_title}: answer at least one question before sending"
                ]
            )
        stored = store_response(
            session=locked.session,
            member=locked.member,
            respondent=locked.respondent,
            definition=definition,
            source=_source(locked),
            answers=response.answers,
            response=response,
            detail={"invitation": locked.pk},
        )
        _complete_if_done(locked, timezone.now())
        if stored.risk:
            _notify_risk_once(locked, response)
    return SubmitResult(response, stored.risk)


def _complete_if_done(invitation: Invitation, now: dt.datetime) -> None:
    done = sent_instruments(
        invitation.session_id, invitation.member, invitation.instruments
    )
    if done >= set(invitation.instruments):
        invitation.completed_at = now
        invitation.save(update_fields=["completed_at"])


def alert_clinicians(case_id: int) -> int:
    """Email each clinician of the case, separately, that a questionnaire needs
    attention today. The message names no case, person, instrument or answer:
    email is not a safe place for them. Returns the number of emails sent."""
    case = Case.objects.get(pk=case_id)
    clinicians = [u for u in case.clinicians.filter(is_active=True) if u.email]
    url = getattr(settings, "TETHER_BASE_URL", DEFAULT_BASE_URL)
    # In the clinicians' language, not the member's whose answer sent it.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = str(RISK_SUBJECT), RISK_BODY % {"url": url}
    messages = [EmailMessage(subject, body, None, [u.email]) for u in clinicians]
    sent = get_connection().send_messages(messages) if messages else 0
    if not clinicians:
        log.warning(
            "Risk alert for case %s: no clinician has an email address", case_id
        )
    record(
        None,
        "alert-email",
        "case",
        case.pk,
        organization=case.organization,
        detail={"clinicians": [u.pk for u in clinicians]},
    )
    return sent or 0


# ---- sending -------------------------------------------------------------------


def invitation_message(invitation: Invitation, token: str) -> tuple[str, str]:
    """(subject, body): a greeting, the link and its expiry; nothing clinical."""
    language = invitation.language
    if language not in dict(settings.LANGUAGES):
        language = "en"
    person = invitation.member or invitation.created_by
    name = person.first_name if person is not None else ""
    with translation.override(language):
        expires_at = timezone.localtime(invitation.expires_at)
        expiry = formats.date_format(expires_at, "DATETIME_FORMAT")
        body = INVITATION_BODY % {
            "name": name,
            "url": link_url(token),
            "expiry": f"{expiry} ({expires_at.tzname()})",
        }
        return str(INVITATION_SUBJECT), body


def send_invitation(
    invitation: Invitation, token: str, via: str = "email", user: User | None = None
) -> None:
    """Send the link by email or text message to the person it is for."""
    if via not in (Channel.EMAIL, Channel.SMS):
        raise InvalidEntry([f"via: {via!r} is not email or sms"])
    if not _matches(invitation, token):
        raise InvalidEntry(["token: this is not the link of this invitation"])
    if not invitation.is_open or invitation.is_expired(timezone.now()):
        raise InvalidEntry(["invitation: the link is no longer open; issue a new one"])
    person = invitation.member or invitation.created_by
    name = person.first_name if person is not None else "The therapist"
    address = (
        getattr(person, "email", "")
        if via == Channel.EMAIL
        else getattr(person, "phone", "")
    )
    if not address:
        kind = "email address" if via == Channel.EMAIL else "mobile number"
        raise InvalidEntry(
            [f"{name} has no {kind}; add one, or show the link as a QR code"]
        )
    subject, body = invitation_message(invitation, token)
    if via == Channel.EMAIL:
        send_mail(subject, body, None, [address])
    else:
        get_sms_backend().send(address, body)
    with transaction.atomic():
        invitation.channel = via
        invitation.save(update_fields=["channel"])
        record(
            user,
            "send",
            "invitation",
            invitation.pk,
            organization=invitation.organization,
            detail={"via": via},
        )


# ---- kiosk turns ----------------------------------------------------------------


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
