"""The instrument library: what can be asked, and how it is scored."""

import base64
import binascii
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from tether.care.frames import library
from tether.instruments import UnknownInstrument

from . import present
from .auth import READ
from .errors import READS
from .pagination import MAX_PAGE_SIZE, PAGE_SIZE, NoSuchPage
from .schemas import InstrumentDetail, InstrumentOut

router = Router(tags=["instruments"])


class InstrumentPageIn(Schema):
    cursor: str | None = Field(None, max_length=200)
    page_size: int | None = None


class InstrumentPage(Schema):
    previous: str | None
    next: str | None
    results: list[InstrumentOut]


@router.get("/instruments", response={200: InstrumentPage, **READS}, auth=READ)
def list_instruments(request: HttpRequest, page: Query[InstrumentPageIn]) -> Any:
    """Every instrument and version in the library, by key, paged by cursor
    as every list is."""
    keys = sorted(library().keys())
    start = _position(page.cursor, keys)
    size = min(MAX_PAGE_SIZE, max(1, page.page_size or PAGE_SIZE))
    shown = keys[start : start + size]
    return {
        "previous": _page_url(request, keys[max(0, start - size)], size)
        if start
        else None,
        "next": _page_url(request, keys[start + size], size)
        if start + size < len(keys)
        else None,
        "results": [present.instrument(library().get(key)) for key in shown],
    }


def _position(cursor: str | None, keys: list[str]) -> int:
    if not cursor:
        return 0
    try:
        key = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (ValueError, binascii.Error, UnicodeError):
        raise NoSuchPage() from None
    if key not in keys:
        raise NoSuchPage()
    return keys.index(key)


def _page_url(request: HttpRequest, first_key: str, size: int) -> str:
    cursor = base64.urlsafe_b64encode(first_key.encode()).decode()
    return request.build_absolute_uri(
        f"{request.path}?cursor={cursor}&page_size={size}"
    )


@router.get(
    "/instruments/{instrument}", response={200: InstrumentDetail, **READS}, auth=READ
)
def get_instrument(request: HttpRequest, instrument: str) -> Any:
    """One instrument by id (its current version) or id@version: items,
    answers, scales; item text only where its licence lets us show it."""
    try:
        return present.instrument_detail(library().get(instrument))
    except UnknownInstrument:
        raise Http404("No such instrument in the library.") from None
