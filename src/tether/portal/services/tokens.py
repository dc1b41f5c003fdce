"""Link tokens (docs/architecture.md §Privacy; the token pattern of
healthchecks, docs/architecture.md §Dependencies).

A link carries `Signer().sign(secret)`: the signature rejects a tampered or
malformed link before any lookup, and the database holds only the SHA-256 of
the secret, so a copy of the database opens no questionnaire. The token is
never stored, logged, audited or put in an exception message.
"""

import hashlib
import hmac
import secrets

import segno
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from ..models import Invitation

LINK_PATH = "/q/{token}/"
"""Where the questionnaire page is mounted; portal/urls.py must match."""


_SALT = "tether.portal.invitation"
_SIGN_SEP = "."  # URL-safe, and never part of a URL-safe base64 secret


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


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=_SIGN_SEP)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """(the token to hand out, the hash to store)."""
    secret = secrets.token_urlsafe(32)
    return _signer().sign(secret), _digest(secret)


def token_digest(token: object) -> str:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise LinkError(LinkError.INVALID)
    try:
        secret = _signer().unsign(token)
    except signing.BadSignature:
        # `from None`: the signature error would carry part of the token.
        raise LinkError(LinkError.INVALID) from None
    return _digest(secret)


def matches_token(invitation: Invitation, token: str) -> bool:
    try:
        digest = token_digest(token)
    except LinkError:
        return False
    return hmac.compare_digest(invitation.token_hash, digest)


def base_url(request_url: str = "") -> str:
    """Where links point: TETHER_BASE_URL when it is set (a production server
    refuses to start without it: core/checks.py), else the address the
    clinician's request came to, so that in the demo and in development a
    link's host and port are those of the page that shows it."""
    configured = str(settings.TETHER_BASE_URL or request_url).rstrip("/")
    if not configured:
        raise ImproperlyConfigured(
            "TETHER_BASE_URL is not set, and there is no request to take the "
            "address from"
        )
    return configured


def link_url(token: str, request_url: str = "") -> str:
    return base_url(request_url) + LINK_PATH.format(token=token)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, for a phone to scan in the room."""
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2))


# ---- issuing and revoking ------------------------------------------------------
