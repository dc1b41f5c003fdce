"""The portal's writes, by concern: link tokens (`tokens`), issuing, opening
and closing links (`invitations`), a member's answers (`answers`), and the
email and text messages Tether sends (`messages`). Callers import from here;
each name lives in one module."""

from .answers import SubmitResult, save_answer, submit
from .invitations import (
    LINK_STATES,
    MAX_EXPIRY,
    choose_language,
    close_link,
    find_invitation,
    issue_invitation,
    keep_unsent,
    link_state,
    responses_of,
    revoke_invitation,
    revoke_kiosk_links,
    sent_instruments,
    settle_expired_links,
    start_kiosk_turn,
)
from .messages import (
    INVITATION_BODY,
    INVITATION_SUBJECT,
    RISK_BODY,
    RISK_SUBJECT,
    alert_clinicians,
    invitation_message,
    send_invitation,
)
from .tokens import DEFAULT_BASE_URL, LINK_PATH, LinkError, link_url, qr_svg

__all__ = [
    "DEFAULT_BASE_URL",
    "INVITATION_BODY",
    "INVITATION_SUBJECT",
    "LINK_PATH",
    "LINK_STATES",
    "MAX_EXPIRY",
    "RISK_BODY",
    "RISK_SUBJECT",
    "LinkError",
    "SubmitResult",
    "alert_clinicians",
    "choose_language",
    "close_link",
    "find_invitation",
    "invitation_message",
    "issue_invitation",
    "keep_unsent",
    "link_state",
    "link_url",
    "qr_svg",
    "responses_of",
    "revoke_invitation",
    "revoke_kiosk_links",
    "save_answer",
    "send_invitation",
    "sent_instruments",
    "settle_expired_links",
    "start_kiosk_turn",
    "submit",
]
