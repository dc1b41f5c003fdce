import pytest
from django.db import transaction

from tether.demo.clinic import seed_demo_clinic


@pytest.fixture(scope="class")
def clinic(django_db_setup, django_db_blocker):
    """The demo clinic (40 cases, seed 2026, as `tether demo` seeds it), seeded
    once for the class of tests, inside a transaction rolled back at the end
    (each test runs in its own savepoint within it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo_clinic(cases=40, seed=2026)
        transaction.set_rollback(True)
