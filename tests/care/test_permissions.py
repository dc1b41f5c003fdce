"""Who may open what: every clinical URL for every kind of user.

Northside: Dr. Ames (the Rivera family's clinician), Dr. Baker (another
clinician), Sam (supervisor, read-only), Ada (administrator only), Dr. Chen
(clinician and administrator, the Riveras' second clinician), Dee (clinician
and administrator, not the Riveras'). Lakeside: Dr. Cole.
A case out of reach is a 404 (never a hint that it exists) and an audit event;
a supervisor's write is a 403. An administrator alone reads no clinical data
(minimum necessary) but chooses a case's clinicians; clinical writes are for
the case's own clinicians, administrators or not."""

import pytest
from django.test import Client
from tests.conftest import make_user
from tests.visible import visible_text

from tether.accounts.models import Role
from tether.audit.models import AuditEvent
from tether.care import services

PEOPLE = ["ames", "baker", "sam", "ada", "chen", "dee", "cole", "anonymous"]


@pytest.fixture
def chen(northside):
    return make_user(northside, "chen", Role.CLINICIAN, Role.ADMIN)


@pytest.fixture
def dee(northside):
    return make_user(northside, "dee", Role.CLINICIAN, Role.ADMIN)


@pytest.fixture
def world(ames, baker, sam, ada, chen, dee, cole, rivera, first_session, leo):
    services.assign_clinicians(ames, rivera.pk, [ames, chen])
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    people = {"ames": ames, "baker": baker, "sam": sam, "ada": ada}
    return {
        "users": people | {"chen": chen, "dee": dee, "cole": cole},
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
# Columns:  ames  baker  sam  ada  chen  dee  cole  anonymous
READS = [
    ("/cases/", [200, 200, 200, 302, 200, 200, 200, 302]),
    ("/cases/{case}/", [200, 404, 200, 404, 200, 404, 404, 302]),
    ("/sessions/{session}/", [200, 404, 200, 404, 200, 404, 404, 302]),
    ("/sessions/{session}/links/", [200, 404, 200, 404, 200, 404, 404, 302]),
    ("/cases/{case}/sessions/new/", [200, 404, 403, 404, 200, 404, 404, 302]),
    ("/cases/{case}/members/new/", [200, 404, 403, 404, 200, 404, 404, 302]),
    ("/cases/{case}/subsystems/", [200, 404, 403, 404, 200, 404, 404, 302]),
    ("/cases/{case}/clinicians/", [200, 404, 403, 200, 200, 200, 404, 302]),
    ("/cases/{case}/close/", [200, 404, 403, 404, 200, 404, 404, 302]),
    ("/cases/new/", [200, 200, 403, 200, 200, 200, 200, 302]),
    ("/cases/assignments/", [403, 403, 403, 200, 200, 200, 403, 302]),
    ("/accounts/users/", [403, 403, 403, 200, 200, 200, 403, 302]),
    ("/accounts/users/{user}/", [403, 403, 403, 200, 200, 200, 403, 302]),
    ("/clinic/settings/", [403, 403, 403, 200, 200, 200, 403, 302]),
    ("/clinic/plan/", [403, 403, 403, 200, 200, 200, 403, 302]),
    ("/cases/{case}/plan/", [200, 404, 200, 404, 200, 404, 404, 302]),
    ("/clinic/audit/", [403, 403, 403, 200, 200, 200, 403, 302]),
    ("/clinic/audit/export/", [403, 403, 403, 200, 200, 200, 403, 302]),
    # Only a session past the password without an authenticator enters a code
    # (tests/accounts/test_sign_in.py); everyone here has one, or no session.
    ("/accounts/enrolment-code/", [302, 302, 302, 302, 302, 302, 302, 302]),
]

WRITES = [
    (
        "/alerts/{alert}/acknowledge/",
        {"note": "seen", "action": "acknowledge"},
        [302, 404, 403, 404, 302, 404, 404, 302],
    ),
    (
        "/cases/{case}/sessions/new/",
        {"date": "2026-11-09", "attended": []},
        [302, 404, 403, 404, 302, 404, 404, 302],
    ),
    ("/cases/{case}/close/", {}, [302, 404, 403, 404, 302, 404, 404, 302]),
    (
        "/cases/{case}/members/new/",
        {"first_name": "Ana", "role": "sibling", "age_band": "8-12", "language": "es"},
        [302, 404, 403, 404, 302, 404, 404, 302],
    ),
    (
        "/sessions/{session}/kiosk/start/",
        {},
        [302, 404, 403, 404, 302, 404, 404, 302],
    ),
    (
        "/cases/{case}/plan/",
        {"instrument": "gad-7", "roles": ["caregiver"], "cadence": "every"},
        [302, 404, 403, 404, 302, 404, 404, 302],
    ),
    ("/cases/{case}/plan/default/", {}, [302, 404, 403, 404, 302, 404, 404, 302]),
    (
        "/clinic/plan/",
        {"instrument": "gad-7", "roles": ["caregiver"], "cadence": "every"},
        [403, 403, 403, 302, 302, 302, 403, 302],
    ),
    ("/clinic/plan/confirm/", {}, [403, 403, 403, 302, 302, 302, 403, 302]),
    (
        "/accounts/users/{user}/reset-2fa/",
        {},
        [403, 403, 403, 200, 200, 200, 403, 302],
    ),
    ("/accounts/enrolment-code/", {"code": "x"}, [302] * 8),
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


def test_an_administrator_alone_cannot_acknowledge_an_alert_or_start_a_session(
    world, sign_in, ada, rivera
):
    client = sign_in(ada)
    refused = [
        client.post(
            f"/alerts/{world['alert']}/acknowledge/",
            {"note": "seen", "action": "acknowledge"},
        ),
        client.post(f"/cases/{rivera.pk}/sessions/new/", {"date": "2026-11-09"}),
    ]
    for response in refused:
        assert response.status_code == 404
        assert "Page not found" in visible_text(response)  # the app's error page
    assert rivera.signals.get().status == "open"
    assert rivera.sessions.count() == 1


def test_an_administrator_who_is_the_cases_clinician_acknowledges_and_starts_one(
    world, sign_in, chen, rivera
):
    client = sign_in(chen)
    client.post(
        f"/alerts/{world['alert']}/acknowledge/",
        {"note": "seen", "action": "acknowledge"},
    )
    client.post(f"/cases/{rivera.pk}/sessions/new/", {"date": "2026-11-09"})
    assert rivera.signals.get().status == "acknowledged"
    assert rivera.sessions.count() == 2


def test_a_supervisors_refused_write_is_the_apps_403_page(world, sign_in, sam):
    response = sign_in(sam).post(
        f"/alerts/{world['alert']}/acknowledge/",
        {"note": "seen", "action": "acknowledge"},
    )
    assert response.status_code == 403
    assert "You do not have access to this page" in visible_text(response)


def test_an_administrator_chooses_a_cases_clinicians_without_seeing_the_case(
    world, sign_in, ada, baker, rivera
):
    client = sign_in(ada)
    listing = client.get("/cases/assignments/")
    assert "Rivera family" in visible_text(listing)
    assert "Leo" not in visible_text(listing)
    form = client.get(f"/cases/{rivera.pk}/clinicians/")
    assert "Leo" not in visible_text(form)
    assert "Maria" not in visible_text(form)
    response = client.post(
        f"/cases/{rivera.pk}/clinicians/", {"clinicians": [baker.pk]}
    )
    assert response["Location"] == "/cases/assignments/"
    assert list(rivera.clinicians.all()) == [baker]
    event = AuditEvent.objects.get(user=ada, action="assign")
    assert event.object_id == str(rivera.pk)


def test_an_administrator_opens_a_case_for_a_clinician(world, sign_in, ada, baker):
    client = sign_in(ada)
    response = client.post(
        "/cases/new/",
        {"label": "Lee family", "kind": "family", "clinicians": [baker.pk]},
    )
    assert response["Location"] == "/cases/assignments/"
    case = baker.cases.get(label="Lee family")
    assert list(case.clinicians.all()) == [baker]


def test_an_administrator_alone_is_sent_from_the_caseload_to_the_assignments(
    world, sign_in, ada
):
    assert sign_in(ada).get("/cases/")["Location"] == "/cases/assignments/"
    assert sign_in(ada).get("/", follow=True).redirect_chain[-1][0] == (
        "/cases/assignments/"
    )


def test_a_case_can_be_given_only_to_clinicians(world, ames, sam, rivera):
    with pytest.raises(services.InvalidEntry, match="does not have the clinician role"):
        services.assign_clinicians(ames, rivera.pk, [ames, sam])


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
