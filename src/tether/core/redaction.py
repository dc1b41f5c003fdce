"""Keep secrets and contact details out of logs and console output
(docs/security.md §Logs and messages).

What can sign someone in or reach a person is hidden wherever text leaves
Tether other than as a delivered message:

- a questionnaire link's path, `/q/<token>/…`;
- a password-reset link's path, `/password-reset/<uid>/<token>/`;
- a personal API token (`tether_…`, docs/api.md §Tokens);
- email addresses and phone numbers;
- and, in console output (`redact_message_text`), the path of any full
  address: a link is a secret whatever it points to.

`RedactSecrets` applies the first four to every record of every handler in
settings.LOGGING::

    "filters": {"redact": {"()": "tether.core.redaction.RedactSecrets"}},
    "handlers": {"console": {..., "filters": ["redact"]}},
"""

from __future__ import annotations

import logging
import re

QUESTIONNAIRE_LINK = re.compile(r"/q/[^\s\"'<>]+")
RESET_LINK = re.compile(r"/password-reset/(?!sent/|complete/)[^\s\"'<>]+")
# A full address with anything after the host: the scheme and host stay, so a
# reader still sees where a message pointed.
URL_PATH = re.compile(r"(https?://[^\s/\"'<>]+)/[^\s\"'<>]+")
# An address whose domain ends in letters (example.org), so that instrument
# versions such as "tac@1.1" are left alone.
EMAIL = re.compile(r"[\w.!#$%&*+=?^{|}~-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])")
# A number written as people write phone numbers: "+" and 7 to 15 digits, or
# 9 to 15 digits without it, each digit apart from the next by at most two of
# space ( ) . - ; not dates (8 digits), times ("10:30"), ids inside words.
PHONE = re.compile(
    r"(?<![\w+.-])"
    r"(?:\+\d(?:[ ().-]{0,2}\d){6,14}|\(?\d(?:[ ().-]{0,2}\d){8,14})"
    r"(?!\w|[:.-]\w)"
)

API_TOKEN = re.compile(r"\btether_[A-Za-z0-9_-]{20,}")

HIDDEN_LINK = "[redacted]"
HIDDEN_EMAIL = "[email redacted]"
HIDDEN_PHONE = "[phone redacted]"


def redact(text: str) -> str:
    """`text` without link tokens, API tokens, email addresses or phone numbers."""
    text = QUESTIONNAIRE_LINK.sub(f"/q/{HIDDEN_LINK}", text)
    text = RESET_LINK.sub(f"/password-reset/{HIDDEN_LINK}", text)
    text = API_TOKEN.sub(f"tether_{HIDDEN_LINK}", text)
    text = EMAIL.sub(HIDDEN_EMAIL, text)
    return PHONE.sub(HIDDEN_PHONE, text)


def redact_message_text(text: str) -> str:
    """`redact`, and every full address cut back to its host."""
    return redact(URL_PATH.sub(rf"\1/{HIDDEN_LINK}", text))


class RedactSecrets(logging.Filter):
    """Rewrite a record whose message, arguments or traceback hold a link
    token, an email address or a phone number; the record is kept, only
    those are hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        request = getattr(record, "request", None)
        path = getattr(request, "path", "")
        if isinstance(path, str) and redact(path) != path:
            # AdminEmailHandler and friends would print the full path and headers.
            record.request = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
