"""The audit trail: who read or wrote which clinical record, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import AuditEvent

if TYPE_CHECKING:
    from tether.accounts.models import Organization


def record(
    user: Any,
    action: str,
    object_type: str,
    object_id: object = "",
    organization: Organization | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    AuditEvent.objects.create(
        organization=organization or getattr(user, "organization", None),
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
