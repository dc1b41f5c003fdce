"""The instrument library: what can be asked, and how it is scored."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from tether.care.frames import library
from tether.instruments import UnknownInstrument

from . import present
from .auth import READ
from .errors import READS
from .schemas import InstrumentDetail, InstrumentOut

router = Router(tags=["instruments"])


@router.get("/instruments", response={200: list[InstrumentOut], **READS}, auth=READ)
def list_instruments(request: HttpRequest) -> Any:
    """Every instrument and version in the library (a short list: not paged)."""
    return [present.instrument(d) for d in library()]


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
