"""Pseudonymous ids for exports (docs/research-export.md §Pseudonyms).

An id is HMAC-SHA-256 (RFC 2104; FIPS 198-1) of the record's kind and its
database id, keyed with the deployment's research secret, cut to 128 bits
(half the hash, the shortest RFC 2104 §5 advises) and written as hex after a
letter for its kind: `c-…` a case, `m-…` a member, `s-…` a session, `o-…` an
organization. The same secret gives the same pseudonyms, so exports made at
different times link; without the secret a pseudonym cannot be turned back
into the id, nor ids into pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

KINDS = {"organization": "o", "case": "c", "member": "m", "session": "s"}
DIGITS = 32
"""Hex digits kept: 128 bits."""
MIN_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class Pseudonyms:
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_BYTES:
            raise ValueError(
                f"the research secret must have at least {MIN_SECRET_BYTES} bytes"
            )

    def __call__(self, kind: str, ident: int | str) -> str:
        """The pseudonym of record `ident` of this kind."""
        prefix = KINDS[kind]
        message = f"{kind}:{ident}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).hexdigest()
        return f"{prefix}-{digest[:DIGITS]}"

    @property
    def key_id(self) -> str:
        """A short name of the secret, the same in every export made with it
        (so a researcher sees which exports link), from which the secret
        cannot be found."""
        digest = hmac.new(self.secret, b"key-id", hashlib.sha256).hexdigest()
        return digest[:12]
