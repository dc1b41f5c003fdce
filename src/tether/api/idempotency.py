"""`Idempotency-Key` on writes: the first answer to a key is kept with the
request's fingerprint, in the same transaction as the write, so the same
request sent again (a retry after a lost answer) gets the same answer and
writes nothing; the key sent with a different request is a 409
(docs/api.md §Idempotency)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from ninja import Schema, Status

from .errors import Conflict
from .models import IdempotentRequest


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def once(
    request: HttpRequest,
    key: str | None,
    status: int,
    write: Callable[[], Any],
    shown_as: type[Schema],
) -> Status[Any] | JsonResponse:
    """`write()`'s record, shown as `shown_as`, with `status`; with a key seen
    before, the answer it got then. A keyed answer is sent as it is kept, so
    the first and any later one are the same bytes."""
    if not key:
        return Status(status, write())
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                kept = IdempotentRequest.objects.create(
                    token=request.auth,  # type: ignore[attr-defined]
                    key=key,
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            earlier = IdempotentRequest.objects.get(
                token=request.auth,  # type: ignore[attr-defined]
                key=key,
            )
            if earlier.fingerprint != fingerprint or earlier.status is None:
                raise Conflict(
                    gettext(
                        "This Idempotency-Key was already used for a different request."
                    )
                ) from None
            return JsonResponse(earlier.body, status=earlier.status, safe=False)
        body = shown_as.from_orm(write()).model_dump(mode="json")
        kept.status = status
        kept.body = body
        kept.save(update_fields=["status", "body"])
    return JsonResponse(body, status=status, safe=False)
