"""Alerts: list with filters, read one, acknowledge, resolve with a note."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tether.care import selectors, services
from tether.care.models import Signal
from tether.signals import SEVERITIES

from .auth import READ, WRITE
from .errors import READS, WRITES
from .pagination import paged
from .schemas import AcknowledgeIn, PathId, ResolveIn, SignalOut

router = Router(tags=["alerts"])


class SignalFilter(Schema):
    case: int | None = None
    status: Literal[tuple(Signal.Status.values)] | None = None  # type: ignore[valid-type]
    severity: Literal[SEVERITIES] | None = None  # type: ignore[valid-type]
    kind: str | None = Field(None, max_length=40)


@router.get("/signals", response={200: list[SignalOut], **READS}, auth=READ)
@paged()
def list_signals(request: HttpRequest, filters: Query[SignalFilter]) -> Any:
    """The alerts of the cases you may read."""
    return selectors.signals_for(
        request.user, filters.case, filters.status, filters.severity, filters.kind
    )


@router.get("/signals/{signal_id}", response={200: SignalOut, **READS}, auth=READ)
def get_signal(request: HttpRequest, signal_id: PathId) -> Any:
    return selectors.get_signal_for(request.user, signal_id)


@router.post(
    "/signals/{signal_id}/acknowledge",
    response={200: SignalOut, **WRITES},
    auth=WRITE,
)
def acknowledge(request: HttpRequest, signal_id: PathId, payload: AcknowledgeIn) -> Any:
    """You have seen the alert (with a note and feedback if you like)."""
    return services.acknowledge_signal(
        request.user, signal_id, payload.note, feedback=payload.feedback or ""
    )


@router.post(
    "/signals/{signal_id}/resolve", response={200: SignalOut, **WRITES}, auth=WRITE
)
def resolve(request: HttpRequest, signal_id: PathId, payload: ResolveIn) -> Any:
    """The alert is dealt with; the note says how."""
    return services.acknowledge_signal(
        request.user,
        signal_id,
        payload.note,
        resolve=True,
        feedback=payload.feedback or "",
    )
