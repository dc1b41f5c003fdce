"""The administrator's pages in care: the clinic settings (country of the
crisis lines, the clinic's own contacts, the default measure plan) and the
first-run checklist a new clinic's administrators see until it is done."""

import pytest
from tests.conftest import make_user
from tests.visible import visible_text

from tether.accounts.models import CrisisRegion, Organization, Role
from tether.audit.models import AuditEvent


@pytest.fixture
def newclinic(db):
    return Organization.objects.create(name="Riverside Clinic", slug="riverside")


@pytest.fixture
def rosa(newclinic):
    """The new clinic's only account: its administrator, not a clinician."""
    return make_user(newclinic, "rosa", Role.ADMIN)


def test_an_administrator_sets_the_country_and_the_clinics_contacts(sign_in, ada):
    client = sign_in(ada)
    response = client.post(
        "/clinic/settings/",
        {"crisis_region": "GB", "crisis_contacts": "  Duty line: 0161 496 0000  "},
    )
    assert response["Location"] == "/clinic/settings/"
    ada.organization.refresh_from_db()
    assert ada.organization.crisis_region == CrisisRegion.GB
    assert ada.organization.crisis_contacts == "Duty line: 0161 496 0000"
    event = AuditEvent.objects.get(action="update", object_type="organization")
    assert event.user == ada
    assert event.detail["changed"] == ["crisis_region", "crisis_contacts"]
    page = visible_text(client.get("/clinic/settings/"))
    assert "What members see now (United Kingdom)" in page
    assert "Samaritans: call 116 123" in page
    assert "Duty line: 0161 496 0000" in page


def test_an_unknown_country_is_refused_by_name_and_nothing_is_saved(sign_in, ada):
    response = sign_in(ada).post(
        "/clinic/settings/", {"crisis_region": "FR", "crisis_contacts": "x"}
    )
    assert response.status_code == 200
    assert "Select a valid choice. FR is not one of the available choices." in (
        visible_text(response)
    )
    ada.organization.refresh_from_db()
    assert ada.organization.crisis_region == CrisisRegion.US
    assert ada.organization.crisis_contacts == ""


def test_the_settings_page_shows_the_default_measure_plan_honestly(sign_in, ada):
    page = visible_text(sign_in(ada).get("/clinic/settings/"))
    assert "TAC-C" in page
    assert "PCL-5" in page
    assert "every session" in page
    assert "Change the default measure plan" in page


def test_reviewing_the_plan_is_kept_until_it_is_unticked(sign_in, ada):
    client = sign_in(ada)
    client.post("/clinic/settings/", {"crisis_region": "US", "plan_reviewed": "on"})
    ada.organization.refresh_from_db()
    first = ada.organization.measure_plan_reviewed_at
    assert first is not None
    client.post("/clinic/settings/", {"crisis_region": "US", "plan_reviewed": "on"})
    ada.organization.refresh_from_db()
    assert ada.organization.measure_plan_reviewed_at == first
    client.post("/clinic/settings/", {"crisis_region": "US"})
    ada.organization.refresh_from_db()
    assert ada.organization.measure_plan_reviewed_at is None


def test_a_new_clinics_administrator_sees_the_checklist_until_it_is_done(
    sign_in, rosa, newclinic
):
    client = sign_in(rosa)
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/cases/assignments/"
    text = visible_text(home)
    assert "Setting up your clinic" in text
    assert text.count("To do") == 3
    make_user(newclinic, "dr.lee", Role.CLINICIAN)
    client.post(
        "/clinic/settings/",
        {"crisis_region": "CA", "crisis_contacts": "Clinic: 555-0100"},
    )
    text = visible_text(client.get("/cases/assignments/"))
    assert text.count("Done") == 2
    assert text.count("To do") == 1
    client.post(
        "/clinic/settings/",
        {
            "crisis_region": "CA",
            "crisis_contacts": "Clinic: 555-0100",
            "plan_reviewed": "on",
        },
    )
    assert "Setting up your clinic" not in visible_text(
        client.get("/cases/assignments/")
    )


def test_an_administrator_who_is_a_clinician_sees_the_checklist_on_the_caseload(
    sign_in, newclinic
):
    solo = make_user(newclinic, "solo", Role.CLINICIAN, Role.ADMIN)
    text = visible_text(sign_in(solo).get("/cases/"))
    assert "Setting up your clinic" in text
    assert text.count("Done") == 1  # they are the clinic's clinician


def test_clinicians_and_supervisors_never_see_the_checklist(sign_in, ames, sam):
    for person in (ames, sam):
        assert "Setting up your clinic" not in visible_text(
            sign_in(person).get("/cases/")
        )


def test_the_navigation_shows_users_and_settings_to_administrators_only(
    sign_in, ames, ada
):
    admin_nav = sign_in(ada).get("/cases/assignments/").content.decode()
    assert 'href="/accounts/users/">Users</a>' in admin_nav
    assert 'href="/clinic/settings/">Clinic settings</a>' in admin_nav
    assert 'href="/cases/">Caseload</a>' not in admin_nav
    clinician_nav = sign_in(ames).get("/cases/").content.decode()
    assert 'href="/accounts/users/"' not in clinician_nav
    assert 'href="/cases/">Caseload</a>' in clinician_nav
