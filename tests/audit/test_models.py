"""The audit trail is append-only in the application: an event is written
once, and neither the model nor a queryset changes or deletes it."""

import pytest

from tether.audit.models import AppendOnlyError, AuditEvent
from tether.audit.services import record


@pytest.fixture
def event(ames):
    record(ames, "read", "caseload")
    return AuditEvent.objects.get(action="read", object_type="caseload")


def test_saving_an_event_again_is_refused(event):
    event.action = "create"
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_queryset_neither_updates_nor_deletes_events(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="create")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.action = "create"
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


def test_a_user_with_events_cannot_be_deleted_only_deactivated(event, ames):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        ames.delete()
