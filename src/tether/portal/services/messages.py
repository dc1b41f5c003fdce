"""What Tether sends by email and text message: a person's link, and the
clinicians' notice that a questionnaire needs them today. Nothing clinical is
ever in a message."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy

from tether.accounts.models import User
from tether.audit.services import record
from tether.care.errors import Code, InvalidEntry, Problem
from tether.care.models import Case

from ..models import Channel, Invitation
from ..sms import get_sms_backend
from .tokens import link_url, matches_token

log = logging.getLogger(__name__)


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


def alert_clinicians(case_id: int) -> int:
    """Email each clinician of the case, separately, that a questionnaire needs
    attention today. The message names no case, person, instrument or answer:
    email is not a safe place for them. Returns the number of emails sent."""
    case = Case.objects.get(pk=case_id)
    clinicians = [u for u in case.clinicians.filter(is_active=True) if u.email]
    # Sent by the worker, with no request to take the address from: without
    # TETHER_BASE_URL (development only) the email says where without a link.
    url = settings.TETHER_BASE_URL
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


def invitation_message(
    invitation: Invitation, token: str, request_url: str = ""
) -> tuple[str, str]:
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
            "url": link_url(token, request_url),
            "expiry": f"{expiry} ({expires_at.tzname()})",
        }
        return str(INVITATION_SUBJECT), body


NO_EMAIL = gettext_lazy(
    "%(name)s has no email address; add one, or show the link as a QR code."
)
NO_PHONE = gettext_lazy(
    "%(name)s has no mobile number; add one, or show the link as a QR code."
)


def send_invitation(
    invitation: Invitation,
    token: str,
    via: str = "email",
    user: User | None = None,
    request_url: str = "",
) -> None:
    """Send the link by email or text message to the person it is for."""
    if via not in (Channel.EMAIL, Channel.SMS):
        raise InvalidEntry(
            [
                Problem(
                    "via",
                    Code.NOT_A_CHOICE,
                    gettext_lazy("Choose email or text message."),
                )
            ]
        )
    if not matches_token(invitation, token):
        raise InvalidEntry(
            [
                Problem(
                    "token",
                    Code.WRONG_LINK,
                    gettext_lazy(
                        "This page no longer holds the link; issue a new one to send it."
                    ),
                )
            ]
        )
    if not invitation.is_open or invitation.is_expired(timezone.now()):
        raise InvalidEntry(
            [
                Problem(
                    "invitation",
                    Code.LINK_CLOSED,
                    gettext_lazy("The link is no longer open; issue a new one."),
                )
            ]
        )
    person = invitation.member or invitation.created_by
    name = person.first_name if person is not None else gettext_lazy("The therapist")
    address = (
        getattr(person, "email", "")
        if via == Channel.EMAIL
        else getattr(person, "phone", "")
    )
    if not address:
        missing = NO_EMAIL if via == Channel.EMAIL else NO_PHONE
        raise InvalidEntry([Problem("via", Code.NO_ADDRESS, missing, {"name": name})])
    subject, body = invitation_message(invitation, token, request_url)
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
            case=invitation.session.case_id,
        )


# ---- kiosk turns ----------------------------------------------------------------


SENT_BY = {
    Channel.EMAIL: gettext_lazy("Sent by email."),
    Channel.SMS: gettext_lazy("Sent by text message."),
    "none": gettext_lazy("No email address or mobile number: show the QR code."),
    "failed": gettext_lazy(
        "Could not be sent: show the QR code, or try again from the link page."
    ),
}
"""What happened to each link of a batch, as the page says it."""


def send_where_possible(
    links: list[tuple[Invitation, str]], user: User | None, request_url: str = ""
) -> dict[int, str]:
    """Send each link by email where the person has an address, else by text
    message where they have a mobile number; returns, per invitation, one of
    SENT_BY's keys. A failure to send one never stops the others."""
    outcome: dict[int, str] = {}
    for invitation, token in links:
        person = invitation.member or invitation.created_by
        via = (
            Channel.EMAIL
            if getattr(person, "email", "")
            else Channel.SMS
            if getattr(person, "phone", "")
            else ""
        )
        if not via:
            outcome[invitation.pk] = "none"
            continue
        try:
            send_invitation(invitation, token, via, user, request_url)
        except Exception:  # SMTP or SMS gateway down: the QR code still works
            log.exception("A link of invitation %s could not be sent", invitation.pk)
            outcome[invitation.pk] = "failed"
        else:
            outcome[invitation.pk] = via
    return outcome
