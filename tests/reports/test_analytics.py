"""The clinic analytics page (docs/analytics.md): supervisors and
administrators of the organization see their own clinic's figures, and no
other's; a clinician is refused; each reading is audited; a figure with too
little data says how much more it needs."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from django.core.cache import cache
from tests.conftest import make_user
from tests.reports.clinic_data import clinic_with_answers, clinic_with_tac_answers
from tests.shared_data import data_file

from tether.accounts.models import Role
from tether.analysis.reliability import Reliability
from tether.audit.models import AuditEvent
from tether.reports.analytics import analyse_organization

URL = "/clinic/analytics/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test computes its clinic's analytics afresh (they are cached)."""
    cache.clear()
    yield
    cache.clear()


def test_a_clinician_cannot_open_the_analytics_and_the_refusal_is_audited(
    sign_in, ames
):
    response = sign_in(ames).get(URL)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        user=ames, action="denied", object_type="clinic-analytics"
    ).exists()


def test_a_clinician_of_another_organization_cannot_open_them_either(sign_in, cole):
    assert sign_in(cole).get(URL).status_code == 403


def test_signing_in_is_needed(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_supervisor_sees_their_clinic_and_the_reading_is_audited(sign_in, sam):
    response = sign_in(sam).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Clinic analytics" in page
    assert "Northside Clinic" in page
    assert AuditEvent.objects.filter(
        user=sam, action="read", object_type="clinic-analytics"
    ).exists()


def test_an_administrator_sees_them_too(sign_in, ada):
    assert sign_in(ada).get(URL).status_code == 200


def test_only_supervisors_and_administrators_get_the_link_in_the_header(
    sign_in, ames, sam, ada
):
    assert URL not in sign_in(ames).get("/instruments/").content.decode()
    for user in (sam, ada):
        assert f'href="{URL}"' in sign_in(user).get("/instruments/").content.decode()


@pytest.mark.django_db
def test_another_organizations_answers_never_reach_a_clinics_figures(
    sign_in, ames, sam, lakeside
):
    clinic_with_tac_answers(ames, 3)
    cole = make_user(lakeside, "cole", Role.CLINICIAN)
    lake_supervisor = make_user(lakeside, "lena", Role.SUPERVISOR)
    clinic_with_tac_answers(cole, 5)
    # Northside: 3 clients, 6 sessions; Lakeside: 5 clients, 10 sessions.
    north = analyse_organization(sam.organization)
    lake = analyse_organization(lakeside)
    assert north.coverage.sessions == 6
    assert lake.coverage.sessions == 10
    north_page = sign_in(sam).get(URL + "?organization=lakeside").content.decode()
    assert "Over 6 sessions" in north_page
    assert "Lakeside" not in north_page
    lake_page = sign_in(lake_supervisor).get(URL).content.decode()
    assert "Over 10 sessions" in lake_page
    assert "Northside" not in lake_page


def test_too_little_data_says_how_much_more_is_needed_instead_of_a_number(
    sign_in, ames, sam
):
    clinic_with_tac_answers(ames, 4)
    page = sign_in(sam).get(URL).content.decode()
    tac = page[page.index('id="tac"') : page.index('id="expected"')]
    assert re.search(
        r"TAC 1\.1 · every scale · Identified client: needs 30 people who "
        r"answered every item, has 4 \(26 more needed\)",
        tac,
    )
    assert "α</th>" not in tac


def test_with_enough_answers_the_tac_section_shows_alpha_omega_and_the_reliable_change(
    sign_in, ames, sam
):
    clinic_with_tac_answers(ames, 32)
    found = [
        r
        for r in analyse_organization(sam.organization).reliability
        if isinstance(r, Reliability) and (r.instrument, r.scale) == ("tac@1.1", "self")
    ]
    assert len(found) == 1
    assert found[0].n == 32
    ours = found[0]
    page = sign_in(sam).get(URL).content.decode()
    tac = page[page.index('id="tac"') : page.index('id="expected"')]
    assert f'<td class="num">{ours.alpha:.2f}</td>' in tac
    assert f"{ours.alpha_low:.2f}–{ours.alpha_high:.2f}" in tac
    assert f'<td class="num">{ours.omega:.2f}' in tac
    assert f'<td class="num">{ours.rc_points:.1f}</td>' in tac
    assert 'role="img"' in tac  # the α chart, with its table beside it


def test_the_within_between_caveat_is_shown_with_the_model(sign_in, sam):
    page = sign_in(sam).get(URL).content.decode()
    assert "associations, not effects of the alliance" in page
    assert "Falkenström, Solomonov &amp; Rubel 2022" in page


def test_the_tac_warning_on_the_instrument_page_links_to_the_tac_section(
    sign_in, ames, sam
):
    link = f'href="{URL}#tac"'
    assert link in sign_in(sam).get("/instruments/tac/").content.decode()
    assert link not in sign_in(ames).get("/instruments/tac/").content.decode()


@pytest.mark.django_db
def test_the_veterans_pcl5_answers_loaded_as_responses_give_alpha_899_and_omega_90(
    ames, sam
):
    """methods §6.2 through the whole path: 221 veterans' answers (Armour et
    al. 2017; BGGM `ptsd`, GPL-2, read from the shared data folder) stored
    as PCL-5 responses, gathered from the database and analysed."""
    data = pd.read_csv(data_file("pcl5_items_veterans.csv"), index_col=0)
    answers = data[[f"Q28_{i:02d}_MONTH" for i in range(1, 21)]].set_axis(
        [str(i) for i in range(1, 21)], axis=1
    )
    clinic_with_answers(ames, "pcl-5@past-month", answers)
    total = next(
        r
        for r in analyse_organization(sam.organization).reliability
        if isinstance(r, Reliability) and r.scale == "total"
    )
    assert (total.instrument, total.respondent, total.n) == (
        "pcl-5@past-month",
        "identified-client",
        221,
    )
    assert total.alpha == pytest.approx(0.899, abs=0.005)
    assert total.omega == pytest.approx(0.90, abs=0.005)
    assert total.rc_points == pytest.approx(12.68, abs=0.01)
