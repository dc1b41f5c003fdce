"""Email printed instead of delivered (the default until an operator sets
TETHER_EMAIL_BACKEND; docs/security.md §Logs and messages).

In debug and demo mode the console shows each message whole: that is how a
developer, or someone trying the demo, follows a link. Anywhere else the
console is a server log, and a message's body holds what must never be in
one: a live sign-in or questionnaire link, the greeting's name. There the
console says only that a message went out, with its subject, and withholds
the body and the addresses. `tether check --deploy` warns while this backend
is in use (core/checks.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends import console

from .redaction import redact_message_text

RULE = "-" * 79


def shows_whole_messages() -> bool:
    """Whether a console backend may print a message whole: only in debug and
    demo mode, where the console is the developer's or the demo's own."""
    return bool(settings.DEBUG or settings.DEMO)


def withheld(kind: str, recipients: int, body: str, subject: str = "") -> str:
    """What the console says of a message outside debug and demo mode."""
    about = f' "{redact_message_text(subject)}"' if subject else ""
    noun = "recipient" if recipients == 1 else "recipients"
    return (
        f"{kind}{about} to {recipients} {noun}, printed instead of delivered; "
        f"its addresses and body ({len(body)} characters) are withheld outside "
        "debug and demo mode.\n"
    )


class ConsoleEmailBackend(console.EmailBackend):
    """Django's console backend, which withholds addresses and bodies outside
    debug and demo mode."""

    def write_message(self, message: EmailMessage) -> None:
        if shows_whole_messages():
            super().write_message(message)
            return
        recipients = len(message.recipients())
        self.stream.write(withheld("Email", recipients, message.body, message.subject))
        self.stream.write(f"{RULE}\n")
