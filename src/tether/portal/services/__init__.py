"""The portal's writes, by concern: link tokens (`tokens`), issuing, opening
and closing links (`invitations`), a member's answers (`answers`), and the
email and text messages Tether sends (`messages`). Callers import from here;
each name lives in one module."""

from .answers import SubmitResult, save_answer, submit, submit_from_app
from .invitations import (
    LINK_STATES,
    MAX_EXPIRY,
    IssuedLink,
    choose_language,
    close_link,
    find_invitation,
    issue_invitation,
    issue_to_attending,
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
    SENT_BY,
    alert_clinicians,
    invitation_message,
    send_invitation,
    send_where_possible,
)
from .tokens import LINK_PATH, LinkError, base_url, link_url, qr_svg

__all__ = [
    "INVITATION_BODY",
    "INVITATION_SUBJECT",
    "LINK_PATH",
    "LINK_STATES",
    "MAX_EXPIRY",
    "RISK_BODY",
    "RISK_SUBJECT",
    "SENT_BY",
    "IssuedLink",
    "LinkError",
    "SubmitResult",
    "alert_clinicians",
    "base_url",
    "choose_language",
    "close_link",
    "find_invitation",
    "invitation_message",
    "issue_invitation",
    "issue_to_attending",
    "keep_unsent",
    "link_state",
    "link_url",
    "qr_svg",
    "responses_of",
    "revoke_invitation",
    "revoke_kiosk_links",
    "save_answer",
    "send_invitation",
    "send_where_possible",
    "sent_instruments",
    "settle_expired_links",
    "start_kiosk_turn",
    "submit",
    "submit_from_app",
]
