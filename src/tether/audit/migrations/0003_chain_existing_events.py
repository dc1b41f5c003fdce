"""The audit trail becomes a hash chain per organization (2 of 3): the events
written before chains get the case they concern, then are chained, each
organization's in id order (and the events with no organization in a chain of
their own), with the one hash function the running code uses
(`tether.audit.chain.event_hash`), so a fresh install and an upgraded one
verify alike. Going back leaves the columns to 0002's reversal."""

from collections import defaultdict

from django.db import migrations

from tether.audit.chain import event_hash

BATCH = 2000

CASE_OF = {
    "session": ("care", "Session", "case_id"),
    "member": ("care", "Member", "case_id"),
    "subsystem": ("care", "Subsystem", "case_id"),
    "signal": ("care", "Signal", "case_id"),
    "measure-plan": ("care", "MeasurePlan", "case_id"),
    "response": ("care", "Response", "session__case_id"),
    "invitation": ("portal", "Invitation", "session__case_id"),
}
"""Where the case of an event about each kind of record is found (an event
about a case is its own; a record since deleted may have it in its detail)."""


def _number(value):
    try:
        return int(str(value))
    except ValueError:
        return None


def fill_cases(apps, AuditEvent):
    found = defaultdict(list)
    rows = AuditEvent.objects.filter(case_id__isnull=True).values_list(
        "pk", "object_type", "object_id", "detail"
    )
    for pk, object_type, object_id, detail in rows.iterator(BATCH):
        if object_type == "case":
            found[_number(object_id)].append(pk)
        elif isinstance(detail, dict) and "case" in detail:
            found[_number(detail["case"])].append(pk)
    for object_type, (app, model, path) in CASE_OF.items():
        Model = apps.get_model(app, model)
        events = AuditEvent.objects.filter(object_type=object_type, case_id__isnull=True)
        by_object = defaultdict(list)
        for pk, object_id in events.values_list("pk", "object_id").iterator(BATCH):
            by_object[_number(object_id)].append(pk)
        objects = sorted(by_object.keys() - {None})
        for start in range(0, len(objects), BATCH):
            chunk = objects[start : start + BATCH]
            for pk, case_id in Model.objects.filter(pk__in=chunk).values_list("pk", path):
                found[case_id].extend(by_object[pk])
    found.pop(None, None)
    for case_id, events in found.items():
        for start in range(0, len(events), BATCH):
            chunk = events[start : start + BATCH]
            AuditEvent.objects.filter(pk__in=chunk).update(case_id=case_id)


def chain_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChain = apps.get_model("audit", "AuditChain")
    fill_cases(apps, AuditEvent)
    organizations = AuditEvent.objects.values_list("organization_id", flat=True)
    for organization_id in sorted(set(organizations), key=lambda o: (o is not None, o)):
        chain, _ = AuditChain.objects.get_or_create(organization_id=organization_id)
        events = AuditEvent.objects.filter(
            organization_id=organization_id, sequence__isnull=True
        ).order_by("pk")
        batch = []
        for event in events.iterator(BATCH):
            event.chain_id = chain.pk
            event.sequence = chain.sequence + 1
            event.previous_event_id = chain.head_event_id
            event.previous_hash = chain.head_hash
            event.hash = event_hash(event)
            chain.sequence, chain.head_event_id, chain.head_hash = (
                event.sequence,
                event.pk,
                event.hash,
            )
            batch.append(event)
            if len(batch) == BATCH:
                _save(AuditEvent, batch)
                batch = []
        _save(AuditEvent, batch)
        chain.save()


def _save(AuditEvent, events):
    AuditEvent.objects.bulk_update(
        events, ["chain", "sequence", "previous_event_id", "previous_hash", "hash"]
    )


def unchain_events(apps, schema_editor):
    AuditChain = apps.get_model("audit", "AuditChain")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEvent.objects.update(
        chain=None, sequence=None, previous_event_id=None, previous_hash="", hash=""
    )
    AuditChain.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_fields"),
        ("care", "0007_alerts_noted"),
        ("portal", "0002_invitation_risk_notified_at"),
    ]

    operations = [
        migrations.RunPython(chain_events, unchain_events),
    ]
