"""Migration 0003: each user's one role becomes the same role in the set, and
going back keeps one role per person."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_crisis_region")]
AFTER = [("accounts", "0003c_role_sets_drop_role")]


def migrate(to):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(to)
    return executor.loader.project_state(to).apps


@pytest.mark.django_db(transaction=True)
def test_every_old_role_becomes_that_role_alone_and_back():
    apps = migrate(BEFORE)
    Organization = apps.get_model("accounts", "Organization")
    User = apps.get_model("accounts", "User")
    org = Organization.objects.create(name="Old clinic", slug="old")
    for name in ("clinician", "supervisor", "admin"):
        User.objects.create(username=name, role=name, organization=org)
    try:
        apps = migrate(AFTER)
        User = apps.get_model("accounts", "User")
        flags = {
            u.username: (u.is_clinician, u.is_supervisor, u.is_org_admin)
            for u in User.objects.all()
        }
        assert flags == {
            "clinician": (True, False, False),
            "supervisor": (False, True, False),
            "admin": (False, False, True),
        }
        User.objects.filter(username="clinician").update(is_org_admin=True)
        apps = migrate(BEFORE)
        User = apps.get_model("accounts", "User")
        roles = dict(User.objects.values_list("username", "role"))
        assert roles == {
            "clinician": "admin",  # the highest of its roles
            "supervisor": "supervisor",
            "admin": "admin",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
