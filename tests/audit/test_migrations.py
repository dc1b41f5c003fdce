"""Migrations 0002-0004: the events written before chains are chained, each
organization's in id order, and get the case they concern; the upgraded
trail verifies like a fresh one."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tether.audit import chain
from tether.audit.models import AuditEvent

BEFORE = ("audit", "0001_initial")
AFTER = ("audit", "0004_every_event_in_a_chain")


def migrate(audit_at):
    """The audit app at `audit_at`, every other app at its newest."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "audit"]
    executor.migrate([*others, audit_at])
    return executor.loader.project_state([*others, audit_at]).apps


@pytest.mark.django_db(transaction=True)
def test_events_written_before_chains_are_chained_in_id_order_and_verify():
    apps = migrate(BEFORE)
    Organization = apps.get_model("accounts", "Organization")
    User = apps.get_model("accounts", "User")
    Case = apps.get_model("care", "Case")
    Session = apps.get_model("care", "Session")
    old_event = apps.get_model("audit", "AuditEvent").objects.create
    north = Organization.objects.create(name="North", slug="north")
    south = Organization.objects.create(name="South", slug="south")
    ames = User.objects.create(username="ames", organization=north)
    case = Case.objects.create(organization=north, label="Rivera family", kind="family")
    session = Session.objects.create(
        organization=north, case=case, number=1, date=dt.date(2026, 1, 5)
    )
    written = [
        old_event(organization=north, user=ames, action="read", object_type="case", object_id=str(case.pk)),
        old_event(organization=south, action="read", object_type="caseload"),
        old_event(organization=north, user=ames, action="update", object_type="session", object_id=str(session.pk)),
        old_event(action="sign-in-failed", object_type="user", detail={"username": "x"}),
        old_event(organization=north, user=ames, action="create", object_type="member", object_id="99", detail={"case": case.pk}),
    ]  # fmt: skip
    try:
        migrate(AFTER)
        events = {e.pk: e for e in AuditEvent.objects.all()}
        in_north = [events[w.pk] for w in written if w.organization_id == north.pk]
        assert [e.sequence for e in in_north] == [1, 2, 3]
        assert [e.previous_event_id for e in in_north] == [
            None,
            *(e.pk for e in in_north[:2]),
        ]
        assert {e.case_id for e in in_north} == {case.pk}
        assert events[written[1].pk].sequence == 1  # South's chain of its own
        assert events[written[3].pk].chain.organization is None
        assert all(not found for found in chain.verify().values())
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
