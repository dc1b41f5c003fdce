"""The clinic analytics page (docs/analytics.md): supervisors and
administrators of the organization see their own clinic's figures, and no
other's; a clinician is refused; each reading is audited; a figure with too
little data says how much more it needs."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from django.utils import timezone
from tests.conftest import make_user

from tether.accounts.models import Role
from tether.analysis.reliability import Reliability
from tether.audit.models import AuditEvent
from tether.care.frames import library
from tether.care.models import Case, Member, Session
from tether.care.responses import ScoredResponse, scores_to_store, store_responses
from tether.reports.analytics import analyse_organization

URL = "/clinic/analytics/"
TAC_ITEMS = [str(i) for i in range(1, 14)]


def tac_answers(rng: np.random.Generator) -> dict[str, int]:
    """One person's TAC 1.1 answers: a common level plus item noise (so the
    items hang together), item 9 keyed the other way."""
    level = rng.normal(2.8, 0.7)
    answers = {}
    for item in TAC_ITEMS:
        value = level + rng.normal(0, 0.5)
        if item == "9":
            value = 4 - value
        answers[item] = int(np.clip(round(value), 0, 4))
    return answers


def clinic_with_tac_answers(clinician, people: int, seed: int = 3) -> None:
    """`people` individual cases of `clinician`'s clinic, each client
    answering TAC 1.1 in two sessions, stored in one batch as an import
    stores a clinic's history (care.responses.store_responses)."""
    rng = np.random.default_rng(seed)
    org = clinician.organization
    tac = library().get("tac@1.1")
    cases = Case.objects.bulk_create(
        Case(organization=org, label=f"Case {i}", kind="individual")
        for i in range(people)
    )
    members = Member.objects.bulk_create(
        Member(
            organization=org,
            case=case,
            first_name=f"Client{i}",
            role="identified-client",
            age_band="18+",
        )
        for i, case in enumerate(cases)
    )
    sessions = Session.objects.bulk_create(
        Session(
            organization=org,
            case=case,
            number=number,
            date=dt.date(2026, 3, number + i % 20),
        )
        for i, case in enumerate(cases)
        for number in (1, 2)
    )
    batch = []
    for session in sessions:
        member = members[cases.index(session.case)]
        answers = tac_answers(rng)
        scored = scores_to_store(tac, answers)
        batch.append(
            ScoredResponse(
                session=session,
                member=member,
                respondent="member",
                definition=tac,
                scores={scale: value for scale, (value, _) in scored.scores.items()},
                submitted_at=timezone.now(),
                answers=answers,
            )
        )
    store_responses(org, batch, source="test", recompute=False)


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
        r"TAC 1\.1 · Me and my therapist · Identified client: needs 30 people who "
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
    assert f"<td>{ours.alpha:.2f}</td>" in tac
    assert f"{ours.alpha_low:.2f}–{ours.alpha_high:.2f}" in tac
    assert f"<td>{ours.omega:.2f}" in tac
    assert f"<td>{ours.rc_points:.1f}</td>" in tac
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
