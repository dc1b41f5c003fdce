"""The people of every database test: two organizations; in Northside, Dr. Ames and
Dr. Baker (clinicians), Sam (supervisor) and Ada (administrator); in Lakeside,
Dr. Cole. The Rivera family (Maria, caregiver; Leo, 15, identified client) is
Dr. Ames's case."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.accounts.models import Organization, Role, User
from tether.audit import services as audit
from tether.care import recompute, services

HERE = Path(__file__).resolve().parent
PURE = [
    HERE / name
    for name in ("instruments", "scoring", "signals", "simulate", "interop", "analysis")
]
PURE_FILES = {HERE / "test_cli_signals.py", HERE / "test_cli_fhir.py"}
"""Tests of the pure packages, which touch no database: on a PostgreSQL run
(.ci/run's second pass) they are left out, having run on the first."""


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    pure = [
        item
        for item in items
        if Path(str(item.fspath)) in PURE_FILES
        or any(folder in Path(str(item.fspath)).parents for folder in PURE)
    ]
    if pure:
        config.hook.pytest_deselected(items=pure)
        left_out = set(pure)
        items[:] = [item for item in items if item not in left_out]


@pytest.fixture(autouse=True)
def tasks_run_at_once(request, settings, monkeypatch):
    """Background tasks, and the chaining of audit events, run at once where
    they are queued. A test whose
    transactions commit (the live server, the concurrency tests) queues them
    after commit as Tether does; in the others the test's transaction never
    commits, so work queued for after commit runs at once
    (tests/care/test_recompute.py checks the real after-commit path too)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    if not commits(request):
        monkeypatch.setattr(recompute, "after_commit", lambda work: work())
        monkeypatch.setattr(audit, "after_commit", lambda work: work())


def commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"live_server", "transactional_db"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.fixture
def northside(db):
    return Organization.objects.create(name="Northside Clinic", slug="northside")


@pytest.fixture
def lakeside(db):
    return Organization.objects.create(name="Lakeside Clinic", slug="lakeside")


def make_user(org, username, *roles):
    return User.objects.create_user(
        username=username,
        password="correct horse battery",
        organization=org,
        roles=roles,
        first_name=username.title(),
        email=f"{username}@{org.slug}.example",
    )


@pytest.fixture
def ames(northside):
    return make_user(northside, "ames", Role.CLINICIAN)


@pytest.fixture
def baker(northside):
    return make_user(northside, "baker", Role.CLINICIAN)


@pytest.fixture
def sam(northside):
    return make_user(northside, "sam", Role.SUPERVISOR)


@pytest.fixture
def ada(northside):
    return make_user(northside, "ada", Role.ADMIN)


@pytest.fixture
def cole(lakeside):
    return make_user(lakeside, "cole", Role.CLINICIAN)


@pytest.fixture
def rivera(ames):
    case = services.create_case(ames, "Rivera family", "family")
    services.add_member(
        ames,
        case.pk,
        "Maria",
        "caregiver",
        "18+",
        email="maria@example.org",
        phone="+1 555 0100",
    )
    services.add_member(ames, case.pk, "Leo", "identified-client", "13-17")
    return case


@pytest.fixture
def maria(rivera):
    return rivera.members.get(first_name="Maria")


@pytest.fixture
def leo(rivera):
    return rivera.members.get(first_name="Leo")


@pytest.fixture
def first_session(ames, rivera, maria, leo):
    return services.start_session(
        ames, rivera.pk, dt.date(2026, 11, 2), [maria.pk, leo.pk]
    )


@pytest.fixture
def sign_in(client):
    """Signed in with a verified second factor, as django_otp.login leaves it."""

    def signed_in(user):
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return signed_in
