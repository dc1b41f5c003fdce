"""Who may open what: every clinical URL for every kind of user.

Northside: Dr. Ames (the Rivera family's clinician), Dr. Baker (another
clinician), Sam (supervisor, read-only), Ada (administrator). Lakeside: Dr. Cole.
A case out of reach is a 404 (never a hint that it exists) and an audit event;
a supervisor's write is a 403."""

import pytest
from django.test import Client

from tether.audit.models import AuditEvent
from tether.care import services

PEOPLE = ["ames", "baker", "sam", "ada", "cole", "anonymous"]


@pytest.fixture
def world(ames, baker, sam, ada, cole, rivera, first_session, leo):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    return {
        "users": {"ames": ames, "baker": baker, "sam": sam, "ada": ada, "cole": cole},
        "case": rivera.pk,
        "session": first_session.pk,
        "alert": rivera.signals.get().pk,
        "user": ames.pk,
    }


def client_for(name, world, sign_in):
    if name == "anonymous":
        return Client()
    return sign_in(world["users"][name])


# Expected status per person, in PEOPLE order. 302 for the anonymous visitor is
# the redirect to sign-in.
READS = [
    ("/cases/", [200, 200, 200, 200, 200, 302]),
    ("/cases/{case}/", [200, 404, 200, 200, 404, 302]),
    ("/sessions/{session}/", [200, 404, 200, 200, 404, 302]),
    ("/cases/{case}/sessions/new/", [200, 404, 403, 200, 404, 302]),
    ("/cases/{case}/members/new/", [200, 404, 403, 200, 404, 302]),
    ("/cases/{case}/subsystems/", [200, 404, 403, 200, 404, 302]),
    ("/cases/{case}/clinicians/", [200, 404, 403, 200, 404, 302]),
    ("/cases/{case}/close/", [200, 404, 403, 200, 404, 302]),
    ("/cases/new/", [200, 200, 403, 200, 200, 302]),
    ("/accounts/users/", [403, 403, 403, 200, 403, 302]),
    ("/accounts/users/{user}/", [403, 403, 403, 200, 403, 302]),
]

WRITES = [
    (
        "/alerts/{alert}/acknowledge/",
        {"note": "seen", "action": "acknowledge"},
        [302, 404, 403, 302, 404, 302],
    ),
    ("/cases/{case}/close/", {}, [302, 404, 403, 302, 404, 302]),
    (
        "/cases/{case}/members/new/",
        {"first_name": "Ana", "role": "sibling", "age_band": "8-12", "language": "es"},
        [302, 404, 403, 302, 404, 302],
    ),
]


@pytest.mark.parametrize(("url", "expected"), READS, ids=[u for u, _ in READS])
@pytest.mark.parametrize("person", range(len(PEOPLE)), ids=PEOPLE)
def test_each_page_answers_each_person_as_their_role_allows(
    world, sign_in, url, expected, person
):
    name = PEOPLE[person]
    response = client_for(name, world, sign_in).get(url.format(**world))
    assert response.status_code == expected[person]


@pytest.mark.parametrize(
    ("url", "data", "expected"), WRITES, ids=[u for u, _, _ in WRITES]
)
@pytest.mark.parametrize("person", range(len(PEOPLE)), ids=PEOPLE)
def test_each_write_answers_each_person_as_their_role_allows(
    world, sign_in, url, data, expected, person
):
    name = PEOPLE[person]
    response = client_for(name, world, sign_in).post(url.format(**world), data)
    assert response.status_code == expected[person]


def test_a_reach_into_another_organization_is_audited(world, sign_in, cole, rivera):
    sign_in(cole).get(f"/cases/{rivera.pk}/")
    event = AuditEvent.objects.filter(user=cole, action="denied").get()
    assert (event.object_type, event.object_id) == ("case", str(rivera.pk))


def test_every_clinical_read_is_audited(world, sign_in, ames, rivera):
    before = AuditEvent.objects.filter(user=ames, action="read").count()
    sign_in(ames).get(f"/cases/{rivera.pk}/")
    assert (
        AuditEvent.objects.filter(user=ames, action="read", object_type="case").count()
        > before
    )


FORMS = [
    "/accounts/login/",
    "/cases/new/",
    "/cases/{case}/close/",
    "/cases/{case}/members/new/",
    "/cases/{case}/subsystems/",
    "/cases/{case}/clinicians/",
    "/cases/{case}/sessions/new/",
    "/sessions/{session}/attendance/",
    "/sessions/{session}/enter/",
    "/alerts/{alert}/acknowledge/",
]


@pytest.mark.parametrize("url", FORMS)
def test_every_form_refuses_a_post_without_its_csrf_token(world, url, ames):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ames)
    response = client.post(url.format(**world), {})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
