"""Keep questionnaire links out of the logs (docs/architecture.md §Privacy).

A link's path holds its secret token, and request logs (runserver's access
line, "Not Found: …", error reports) would otherwise write it out. Attach
`RedactLinks` to every handler::

    "filters": {"redact_links": {"()": "tether.portal.logging.RedactLinks"}},
    "handlers": {"console": {..., "filters": ["redact_links"]}},
"""

from __future__ import annotations

import logging
import re

LINK = re.compile(r"/q/[^\s\"'<>]+")
REDACTED = "/q/[redacted]"


def redact(text: str) -> str:
    """`text` with every `/q/…` path (and what follows it up to a space or a
    quote: the query string, the rest of the path) replaced."""
    return LINK.sub(REDACTED, text)


class RedactLinks(logging.Filter):
    """Rewrite a record that mentions `/q/…` in its message, its arguments or
    its traceback; the record is kept, only the link is hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            message = str(record.msg)
        if "/q/" in message:
            record.msg = redact(message)
            record.args = ()
        request = getattr(record, "request", None)
        if "/q/" in str(getattr(request, "path", "")):
            # AdminEmailHandler and friends would print the full path and headers.
            record.request = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and "/q/" in record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
