"""The clinician pages: caseload, case page with its charts and alerts, paper
entry, acknowledging alerts, read-only supervisors, the second factor, and a
caseload whose cost does not grow with the number of cases."""

import datetime as dt
import html
import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.visible import visible_text

from tether.care import services
from tether.care.models import (
    Case,
    CaseGlance,
    Member,
    Response,
    Score,
    Session,
    Signal,
)


def charts(response):
    """What the case page charts (care/charts.py), as the template drew it."""
    return response.context["charts"]


def panels(response) -> dict:
    """The alliance panels by id."""
    return {panel.id: panel for panel in charts(response).alliance}


def pcl5_items(**changes):
    return {f"item_{i}": "2" for i in range(1, 21)} | {
        f"item_{k.removeprefix('i')}": v for k, v in changes.items()
    }


@pytest.fixture
def rated_sessions(ames, rivera, maria, leo):
    """Three sessions: Maria's and Leo's TAC, the therapist's rating of Leo and
    of the family."""
    for number, (mine, his) in enumerate([(3.5, 3.0), (3.6, 3.2), (3.5, 3.1)], 1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [maria.pk, leo.pk]
        )
        enter = services.enter_paper_response
        enter(ames, session.pk, "tac", maria.pk, totals={"self": mine})
        enter(ames, session.pk, "tac", leo.pk, totals={"self": his})
        enter(ames, session.pk, "tac-t", leo.pk, "therapist", totals={"self": 3})
        enter(ames, session.pk, "tac-t", None, "therapist", totals={"family": 3})
    return rivera


def test_home_leads_to_the_caseload(sign_in, ames):
    response = sign_in(ames).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"


def test_the_caseload_lists_only_the_clinicians_own_cases(
    sign_in, ames, baker, cole, rivera
):
    services.create_case(baker, "Okafor couple", "couple")
    services.create_case(cole, "Lakeside family", "family")
    page = sign_in(ames).get("/cases/").content.decode()
    assert "Rivera family" in page
    assert "Maria" in page
    assert "Okafor couple" not in visible_text(page)
    assert "Lakeside family" not in visible_text(page)
    assert 'href="/cases/new/"' in page


def test_another_clinicians_case_is_not_found(sign_in, baker, rivera):
    assert sign_in(baker).get(f"/cases/{rivera.pk}/").status_code == 404


def test_the_case_page_charts_each_level_in_its_own_panel(
    sign_in, ames, rated_sessions, maria, leo
):
    response = sign_in(ames).get(f"/cases/{rated_sessions.pk}/")
    assert response.status_code == 200
    drawn = panels(response)
    # Caregivers (Maria) and children (Leo) are one member each: no subsystem
    # panel repeats their lines.
    assert list(drawn) == [
        "alliance-members",
        "alliance-family",
        "alliance-therapist",
    ]
    members = drawn["alliance-members"]
    assert members.keys == [f"member:{maria.pk}", f"member:{leo.pk}"]
    assert members.line(f"member:{maria.pk}").data == ((1, 87.5), (2, 90.0), (3, 87.5))
    assert [tick.text for tick in members.y_ticks] == ["0", "25", "50", "75", "100"]
    family = drawn["alliance-family"]
    assert family.keys == ["family", "therapist:family"]
    assert family.line("therapist:family").dash
    assert not family.line("family").dash
    therapist = drawn["alliance-therapist"]
    assert therapist.keys == [f"therapist:member:{leo.pk}"]
    assert therapist.line(f"therapist:member:{leo.pk}").dash
    # Leo keeps his colour from panel to panel.
    assert (
        therapist.line(f"therapist:member:{leo.pk}").colour
        == members.line(f"member:{leo.pk}").colour
    )
    splits = rated_sessions.signals.filter(status="open", kind="split-dyad")
    assert splits.exists()
    rings = members.line(f"member:{leo.pk}").rings
    points = {
        p.x: session
        for p, (session, _v) in zip(
            members.line(f"member:{leo.pk}").points,
            members.line(f"member:{leo.pk}").data,
            strict=True,
        )
    }
    assert {points[ring.x] for ring in rings} == {s.session_number for s in splits}
    assert not members.line(f"member:{maria.pk}").rings
    page = response.content.decode()
    assert "TAC is not yet validated" in page
    assert page.count('role="img"') == 3
    assert "plotly" not in page
    assert "<script" not in page.split("<main", 1)[1]


def test_the_alliance_table_has_every_line_grouped_by_panel_with_its_alerts(
    sign_in, ames, rated_sessions, maria, leo
):
    response = sign_in(ames).get(f"/cases/{rated_sessions.pk}/")
    table = charts(response).alliance_table
    assert [g["span"] for g in table["groups"]] == [2, 2, 1]
    assert table["columns"] == ["Maria", "Leo", "Whole family", "Therapist", "Leo"]
    session, cells = table["rows"][0]
    assert session == 1
    assert [c["value"] for c in cells[:2]] == [88, 75]
    marked = [c["mark"] for _n, row in table["rows"] for c in row if c["mark"]]
    assert marked
    assert all("split alliance between two members" in m for m in marked)
    page = html.unescape(response.content.decode())
    assert '<th scope="colgroup" colspan="2">Each member</th>' in page
    assert "(open alert: split alliance between two members (Leo))" in page


def test_a_subsystem_is_drawn_only_where_it_is_more_than_one_member_and_less_than_all(
    sign_in, ames, rivera, maria, leo
):
    ana = services.add_member(ames, rivera.pk, "Ana", "caregiver", "18+")
    for number, present in enumerate(([maria, leo, ana], [maria, leo]), start=1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [m.pk for m in present]
        )
        for member in present:
            services.enter_paper_response(
                ames, session.pk, "tac", member.pk, totals={"self": 3.0}
            )
    drawn = panels(sign_in(ames).get(f"/cases/{rivera.pk}/"))
    caregivers = drawn["alliance-subsystems"].line("subsystem:caregivers")
    # Session 2: only Maria of the caregivers answered, so her line says it all.
    assert [session for session, _v in caregivers.data] == [1]
    assert drawn["alliance-subsystems"].keys == ["subsystem:caregivers"]


def test_no_page_relaxes_the_style_policy_for_charts(sign_in, ames, rivera):
    for url in ("/cases/", f"/cases/{rivera.pk}/"):
        response = sign_in(ames).get(url)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_a_paper_pcl5_adds_a_point_and_its_alert_appears_on_the_case_page(
    sign_in, ames, rivera, first_session
):
    client = sign_in(ames)
    form = client.get(
        f"/sessions/{first_session.pk}/",
        {
            "instrument": "pcl-5@past-week",
            "who": f"member:{rivera.members.get(first_name='Leo').pk}",
        },
    ).content.decode()
    assert "Feeling very upset when something reminded you" in form
    assert 'name="item_20"' in form
    leo = rivera.members.get(first_name="Leo")
    response = client.post(
        f"/sessions/{first_session.pk}/enter/",
        {
            "instrument": "pcl-5@past-week",
            "who": f"member:{leo.pk}",
            "mode": "items",
            **pcl5_items(i16="3"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{rivera.pk}/#charts"
    case_page = client.get(response["Location"])
    page = case_page.content.decode()
    pcl5 = charts(case_page).pcl5
    assert pcl5.line(f"member:{leo.pk}").data == ((1, 41.0),)
    # The no-alert band starts at intake 41 - 10 (the PCL-5 alert); the cutoff is 33.
    assert {band.low for band in pcl5.bands} == {31.0, 33}
    assert 'id="pcl5-chart"' in page
    assert "Risk item endorsed" in page
    assert "Leo answered 3 on" in html.unescape(page)


@pytest.mark.parametrize("typed", ["nan", "NaN", "inf", "-Infinity", "1e999"])
def test_nan_or_infinity_on_paper_is_refused_like_any_bad_answer_and_nothing_is_saved(
    sign_in, ames, leo, first_session, typed
):
    response = sign_in(ames).post(
        f"/sessions/{first_session.pk}/enter/",
        {
            "instrument": "pcl-5@past-week",
            "who": f"member:{leo.pk}",
            "mode": "items",
            **pcl5_items(i4=typed),
        },
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Please choose an answer from 0 to 4." in page
    assert "Nothing was saved" in page
    assert not Response.objects.exists()
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"total_total": "nan"}, "Please enter a total from 0 to 27."),
        ({"total_total": "Infinity"}, "Please enter a total from 0 to 27."),
        ({"total_total": "-1e999"}, "Please enter a total from 0 to 27."),
        (
            {"total_total": "12", "item_9": "nan"},
            "Please choose an answer from 0 to 3.",
        ),
        (
            {"total_total": "12", "item_9": "inf"},
            "Please choose an answer from 0 to 3.",
        ),
    ],
)
def test_nan_or_infinity_among_paper_totals_is_refused_and_nothing_is_saved(
    sign_in, ames, leo, first_session, fields, message
):
    response = sign_in(ames).post(
        f"/sessions/{first_session.pk}/enter/",
        {
            "instrument": "phq-9@1.0",
            "who": f"member:{leo.pk}",
            "mode": "totals",
            **fields,
        },
    )
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not Response.objects.exists()
    assert not Score.objects.exists()


def test_a_bad_item_value_is_named_next_to_the_form_and_nothing_is_saved(
    sign_in, ames, leo, first_session
):
    response = sign_in(ames).post(
        f"/sessions/{first_session.pk}/enter/",
        {
            "instrument": "pcl-5@past-week",
            "who": f"member:{leo.pk}",
            "mode": "items",
            **pcl5_items(i4="7"),
        },
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Please choose an answer from 0 to 4." in page
    assert "not in {" not in page
    assert "Nothing was saved" in page
    assert 'value="7"' in page  # what was typed is kept
    assert not Response.objects.exists()
    assert not Score.objects.exists()


def test_a_licensed_instrument_without_text_is_entered_as_totals(
    sign_in, ames, leo, first_session
):
    page = (
        sign_in(ames)
        .get(
            f"/sessions/{first_session.pk}/",
            {"instrument": "srs@3.0", "who": f"member:{leo.pk}"},
        )
        .content.decode()
    )
    assert 'name="total_total"' in page
    assert 'name="item_1"' not in page


def test_the_entry_form_comes_as_a_fragment_for_htmx(sign_in, ames, leo, first_session):
    response = sign_in(ames).get(
        f"/sessions/{first_session.pk}/",
        {"instrument": "pcl-5@past-week", "who": f"member:{leo.pk}"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="entry-form">')
    assert "<html" not in page


def test_starting_a_session_records_who_attended(sign_in, ames, rivera, maria, leo):
    response = sign_in(ames).post(
        f"/cases/{rivera.pk}/sessions/new/",
        {"date": "2026-11-09", "attended": [leo.pk]},
    )
    session = Session.objects.get(case=rivera)
    assert response["Location"] == f"/sessions/{session.pk}/"
    assert (session.number, session.date) == (1, dt.date(2026, 11, 9))
    assert list(session.attended.all()) == [leo]


def test_a_member_with_a_bad_email_is_not_added_and_the_field_says_why(
    sign_in, ames, rivera
):
    response = sign_in(ames).post(
        f"/cases/{rivera.pk}/members/new/",
        {"first_name": "Rosa", "role": "sibling", "age_band": "8-12"}
        | {"language": "es", "email": "not-an-email"},
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not Member.objects.filter(first_name="Rosa").exists()


def test_a_new_case_is_created_with_its_clinician(sign_in, ames):
    response = sign_in(ames).post(
        "/cases/new/", {"label": "Nguyen family", "kind": "family"}
    )
    case = Case.objects.get(label="Nguyen family")
    assert response["Location"] == f"/cases/{case.pk}/"
    assert list(case.clinicians.all()) == [ames]


@pytest.fixture
def low_alliance(ames, leo, first_session, rivera):
    services.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    return rivera.signals.get()


def test_acknowledging_an_alert_with_a_note_keeps_and_shows_the_note(
    sign_in, ames, rivera, low_alliance
):
    client = sign_in(ames)
    response = client.post(
        f"/alerts/{low_alliance.pk}/acknowledge/",
        {
            "note": "Asked Leo about the session; agreed to slow down.",
            "action": "acknowledge",
        },
    )
    assert response.status_code == 302
    low_alliance.refresh_from_db()
    assert low_alliance.status == Signal.Status.ACKNOWLEDGED
    assert low_alliance.acknowledged_by == ames
    page = html.unescape(client.get(f"/cases/{rivera.pk}/").content.decode())
    assert "Asked Leo about the session; agreed to slow down." in page
    assert "No open alerts." in page


def test_with_htmx_acknowledging_swaps_in_the_alert_card(sign_in, ames, low_alliance):
    response = sign_in(ames).post(
        f"/alerts/{low_alliance.pk}/acknowledge/",
        {"note": "Resolved in session.", "action": "resolve"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith(
        f'<article class="alert sev-yellow done" id="alert-{low_alliance.pk}"'
    )
    assert "Resolved in session." in page
    low_alliance.refresh_from_db()
    assert low_alliance.status == Signal.Status.RESOLVED


def test_an_open_alert_explains_itself_with_rule_suggestions_and_cautions(
    sign_in, ames, rivera, low_alliance
):
    page = html.unescape(sign_in(ames).get(f"/cases/{rivera.pk}/").content.decode())
    assert "Low alliance" in page
    assert "Leo's SRS score is 30" in page
    assert "<summary>Rule and source</summary>" in page
    assert "What you could do" in page
    assert "Take care" in page
    assert ">Acknowledge</button>" in page
    assert ">Resolve</button>" in page


def test_a_supervisor_reads_the_case_without_edit_controls_and_cannot_write(
    sign_in, sam, rivera, low_alliance
):
    client = sign_in(sam)
    page = client.get(f"/cases/{rivera.pk}/").content.decode()
    assert "Rivera family" in page
    assert "Read-only" in page
    for control in ("Start a session", "Add a member", ">Acknowledge</button>"):
        assert control not in page
    assert "New case" not in client.get("/cases/").content.decode()
    assert client.post(f"/cases/{rivera.pk}/sessions/new/", {}).status_code == 403
    ack = client.post(f"/alerts/{low_alliance.pk}/acknowledge/", {"note": "x"})
    assert ack.status_code == 403
    low_alliance.refresh_from_db()
    assert low_alliance.status == Signal.Status.OPEN
    assert client.get("/cases/new/").status_code == 403


def test_without_a_second_factor_the_user_is_sent_to_verify(client, ames, rivera):
    client.force_login(ames)
    response = client.get("/cases/")
    assert response.status_code == 302
    path, _, query = response["Location"].partition("?")
    assert path == "/accounts/verify/"
    assert parse_qs(query)["next"] == ["/cases/"]


def add_cases(organization, clinician, count, start):
    """`count` family cases with two members, a session, TAC and PCL-5 scores
    and an open alert, built with the bulk ORM."""
    cases = Case.objects.bulk_create(
        Case(organization=organization, label=f"Case {start + i:03}", kind="family")
        for i in range(count)
    )
    Case.clinicians.through.objects.bulk_create(
        Case.clinicians.through(case_id=case.pk, user_id=clinician.pk) for case in cases
    )
    members = Member.objects.bulk_create(
        Member(
            organization=organization,
            case=case,
            first_name=name,
            role=role,
            age_band=band,
        )
        for case in cases
        for name, role, band in (
            ("Ana", "caregiver", "18+"),
            ("Ben", "identified-client", "13-17"),
        )
    )
    sessions = {
        s.case_id: s
        for s in Session.objects.bulk_create(
            Session(
                organization=organization,
                case=case,
                number=1,
                date=dt.date(2026, 11, 2),
            )
            for case in cases
        )
    }
    responses = Response.objects.bulk_create(
        Response(
            organization=organization,
            session=sessions[member.case_id],
            respondent="member",
            member=member,
            instrument=instrument,
            status=Response.Status.PAPER,
        )
        for member in members
        for instrument in (
            ("tac@1.0", "pcl-5@past-week")
            if member.role == "identified-client"
            else ("tac@1.0",)
        )
    )
    values = {"tac@1.0": {"caregiver": 3.5, "identified-client": 3.0}}
    Score.objects.bulk_create(
        Score(
            organization=organization,
            response=response,
            scale="self" if response.instrument == "tac@1.0" else "total",
            value=values.get(response.instrument, {}).get(response.member.role, 40.0),
        )
        for response in responses
    )
    Signal.objects.bulk_create(
        Signal(
            organization=organization,
            case=case,
            kind="low-support",
            severity="yellow",
            subject="family",
            session_number=1,
        )
        for case in cases
    )


def test_the_caseload_costs_the_same_queries_for_10_and_200_cases(
    sign_in, ames, northside
):
    """The same queries whether the glances are stored (care/glance.py) or
    some are computed afresh, and whatever the number of cases."""
    client = sign_in(ames)
    add_cases(northside, ames, 10, start=0)
    client.get("/cases/")  # the first request after sign-in settles the session
    with CaptureQueriesContext(connection) as ten:
        page = client.get("/cases/").content.decode()
    assert len(re.findall(r'href="/cases/\d+/"', page)) == 10
    CaseGlance.objects.all().delete()
    with CaptureQueriesContext(connection) as ten_computed:
        client.get("/cases/")
    add_cases(northside, ames, 190, start=10)
    with CaptureQueriesContext(connection) as two_hundred_computed:
        client.get("/cases/")
    with CaptureQueriesContext(connection) as two_hundred:
        page = client.get("/cases/").content.decode()
    assert page.count("1 yellow") == 200
    assert page.count('Lowest member: <span class="name">Ben</span> <b>75</b>') == 200
    assert len(two_hundred) == len(ten)
    assert len(two_hundred_computed) == len(ten_computed)


def test_the_caseload_shows_a_case_whose_only_score_is_a_pcl5(
    sign_in, ames, leo, first_session
):
    services.enter_paper_response(
        ames, first_session.pk, "pcl-5", leo.pk, totals={"total": 40}
    )
    response = sign_in(ames).get("/cases/")
    assert response.status_code == 200
    assert "<b>40</b>" in response.content.decode()


def test_the_pcl5_chart_shows_the_clinics_expected_curve_when_it_has_one(
    sign_in, ames, rivera, leo, northside
):
    for number, total in enumerate([50, 44], start=1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [leo.pk]
        )
        services.enter_paper_response(
            ames, session.pk, "pcl-5", leo.pk, totals={"total": total}
        )
    model = {
        "beta": [45.0, -6.0, 0.8, 0.0],
        "g": [[16.0, 0.0], [0.0, 4.0]],
        "sigma2": 9.0,
        "intake_mean": 45.0,
        "cases": 120,
        "observations": 600,
    }
    northside.signal_norms = {
        "norms": {"sem": {}, "pooled_sem": 3.0, "between_sd": 10.0}
        | {"estimated": False},
        "models": {"pcl-5@past-week": model},
    }
    northside.save()
    response = sign_in(ames).get(f"/cases/{rivera.pk}/")
    page = response.content.decode()
    pcl5 = charts(response).pcl5
    assert pcl5.line("expected").data[0] == (1, 49.0)  # 45 + 0.8 × (50 − 45), ln 1 = 0
    assert pcl5.line("upper80").data[0] == (1, 53.2)  # + 0.8416 × √(16 + 9)
    assert pcl5.line("upper90").data[0] == (1, 55.4)  # + 1.2816 × 5
    assert pcl5.line("expected").name == "Expected"
    assert "with its 80% and 90% upper bounds" in page


def test_the_case_page_says_which_measures_no_change_rule_judges(
    sign_in, ames, leo, first_session
):
    for instrument, total in (("cries-8", 20), ("cats", 25), ("phq-9", 12)):
        services.enter_paper_response(
            ames, first_session.pk, instrument, leo.pk, totals={"total": total}
        )
    page = html.unescape(
        sign_in(ames).get(f"/cases/{first_session.case_id}/").content.decode()
    )
    assert (
        "No change rule for CRIES-8: its definition gives no published change" in page
    )
    assert (
        "No change rule for CATS yet: no reliable-change value or reference SD" in page
    )
    assert "once there are 30" in page
    # PHQ-9 has one (NHS Talking Therapies, 6 points) from the first case.
    assert "No change rule for PHQ-9" not in page


def test_every_symptom_measure_a_case_uses_has_a_chart_and_a_table(
    sign_in, ames, rivera, maria, leo
):
    for number, (phq, gad) in enumerate([(14, 11), (9, 6)], start=1):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, number), [maria.pk, leo.pk]
        )
        for member in (maria, leo):
            services.enter_paper_response(
                ames, session.pk, "phq-9", member.pk, totals={"total": phq}
            )
        services.enter_paper_response(
            ames, session.pk, "gad-7", leo.pk, totals={"total": gad}
        )
    response = sign_in(ames).get(f"/cases/{rivera.pk}/")
    measures = {m.id: m for m in charts(response).measures}
    assert list(measures) == ["gad-7", "phq-9"]
    phq9 = measures["phq-9"].panel
    assert phq9.keys == [f"member:{maria.pk}", f"member:{leo.pk}"]
    assert phq9.line(f"member:{leo.pk}").data == ((1, 14.0), (2, 9.0))
    assert [(b.low, b.line) for b in phq9.bands] == [(10, True)]  # the cutoff
    assert phq9.y_ticks[0].text == "0"
    gad7 = measures["gad-7"]
    assert gad7.panel.line(f"member:{leo.pk}").data == ((1, 11.0), (2, 6.0))
    assert [(r["member"], r["session"], r["score"]) for r in gad7.rows] == [
        ("Leo", 1, 11),
        ("Leo", 2, 6),
    ]
    # Leo has the same colour on every chart of his case.
    assert (
        gad7.panel.line(f"member:{leo.pk}").colour
        == phq9.line(f"member:{leo.pk}").colour
    )
    page = html.unescape(response.content.decode())
    assert "Generalized Anxiety Disorder" in page
    assert 'id="gad-7-chart"' in page
    assert "Total 0–21, lower is better" in page
    assert "Depressive syndrome (PHQ-9 algorithm)" in page


def test_a_clinic_with_30_cats_intakes_has_a_cats_change_rule_on_the_case_page(
    sign_in, ames, leo, first_session, northside
):
    services.enter_paper_response(
        ames, first_session.pk, "cats", leo.pk, totals={"total": 25}
    )
    northside.signal_norms = {
        "norms": {"sem": {}, "pooled_sem": 3.0, "between_sd": 10.0, "estimated": False},
        "models": {},
        "intake_sds": {"cats@1.0/total": 9.0},
    }
    northside.save()
    page = sign_in(ames).get(f"/cases/{first_session.case_id}/").content.decode()
    assert "No change rule for CATS" not in page


def test_a_new_case_without_members_or_scores_has_a_calm_page(sign_in, ames):
    case = services.create_case(ames, "Okafor couple", "couple")
    page = sign_in(ames).get(f"/cases/{case.pk}/").content.decode()
    assert "No alliance scores yet." in page
    assert "No identified client in this case yet." in page
    assert "No open alerts." in page
    assert 'id="alliance-data"' not in page


def test_a_therapist_rating_of_the_family_asks_only_the_family_items(
    sign_in, ames, leo, first_session
):
    client = sign_in(ames)
    url = f"/sessions/{first_session.pk}/"
    page = client.get(
        url, {"instrument": "tac-t@1.0", "who": "therapist:family", "mode": "items"}
    ).content.decode()
    assert re.findall(r'name="item_(\w+)"', page) == ["8", "9", "10"]
    assert "TAC is not yet validated" in page
    refused = client.get(url, {"instrument": "tac-t@1.0", "who": f"member:{leo.pk}"})
    assert "TAC-T is a therapist form" in html.unescape(refused.content.decode())


def test_managing_a_case_subsystem_clinicians_and_closing(
    sign_in, ames, baker, rivera, maria, leo
):
    client = sign_in(ames)
    base = f"/cases/{rivera.pk}"
    client.post(f"{base}/subsystems/", {"name": "parents", "members": [maria.pk]})
    parents = rivera.subsystems.get(name="parents")
    assert list(parents.members.all()) == [maria]
    client.post(f"{base}/clinicians/", {"clinicians": [ames.pk, baker.pk]})
    assert set(rivera.clinicians.all()) == {ames, baker}
    none = client.post(f"{base}/clinicians/", {})
    assert "Choose at least one clinician." in none.content.decode()
    assert client.get(f"{base}/close/").status_code == 200
    assert client.post(f"{base}/close/")["Location"] == "/cases/"
    rivera.refresh_from_db()
    assert rivera.status == Case.Status.CLOSED
    caseload = client.get("/cases/").content.decode()
    assert "Rivera family is closed." in caseload
    assert f'href="{base}/"' not in caseload


@pytest.fixture
def okafor(ames):
    """A couple who both answer the PCL-5: Ade, the identified client (intake
    50, then 40), and Bea, the partner added after him (30, then 20)."""
    case = services.create_case(ames, "Okafor couple", "couple")
    ade = services.add_member(ames, case.pk, "Ade", "identified-client", "18+")
    bea = services.add_member(ames, case.pk, "Bea", "partner", "18+")
    for number, (his, hers) in enumerate([(50, 30), (40, 20)], start=1):
        session = services.start_session(ames, case.pk, dt.date(2026, 11, number))
        for member, total in ((ade, his), (bea, hers)):
            services.enter_paper_response(
                ames, session.pk, "pcl-5", member.pk, totals={"total": total}
            )
    return case


def caseload_row(page: str, label: str) -> str:
    found = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\"><a [^>]*>{label}</a>.*?</tr>", page, re.S
    )
    assert found, f"no caseload row for {label}"
    return found.group(0)


def test_the_caseload_shows_the_identified_clients_pcl5_in_a_couple_case(
    sign_in, ames, okafor
):
    page = sign_in(ames).get("/cases/").content.decode()
    row = caseload_row(page, "Okafor couple")
    assert "<b>40</b>" in row
    assert "(-10 since intake)" in row
    assert "<b>20</b>" not in row
    assert "has no PCL-5" not in row


def test_the_caseload_says_whose_pcl5_it_is_when_the_client_has_none(
    sign_in, ames, rivera, maria, first_session
):
    services.enter_paper_response(
        ames, first_session.pk, "pcl-5", maria.pk, totals={"total": 35}
    )
    page = html.unescape(sign_in(ames).get("/cases/").content.decode())
    row = caseload_row(page, "Rivera family")
    assert "<b>35</b>" in row
    assert "Maria's: the identified client has no PCL-5" in row


def test_the_case_page_charts_every_member_who_answers_the_pcl5(sign_in, ames, okafor):
    response = sign_in(ames).get(f"/cases/{okafor.pk}/")
    page = response.content.decode()
    pcl5 = charts(response).pcl5
    ade, bea = (line for line in pcl5.lines)
    assert (ade.name, ade.data) == ("Ade", ((1, 50.0), (2, 40.0)))
    assert (bea.name, bea.data) == ("Bea", ((1, 30.0), (2, 20.0)))
    assert ade.width > bea.width  # the identified client's line
    # The change-alert band (PCL-5: 10 points, clinically meaningful) is drawn
    # around the identified client's intake, 50.
    [band] = [b for b in pcl5.bands if not b.line]
    assert (band.low, band.high) == (40.0, 60.0)
    assert "Ade, identified client; Bea" in page
    assert '<th scope="row">Bea</th><td>2</td><td>20</td><td>-10</td>' in page


# ---- TAC 1.1 beside stored TAC 1.0 (issue "Alerts that are right", item 12) ------


def test_paper_entry_of_tac_in_a_couple_case_shows_my_partner(sign_in, ames):
    couple = services.create_case(ames, "Lee couple", "couple")
    jo = services.add_member(ames, couple.pk, "Jo", "identified-client", "18+")
    services.add_member(ames, couple.pk, "Sam", "partner", "18+")
    session = services.start_session(ames, couple.pk)
    page = html.unescape(
        sign_in(ames)
        .get(
            f"/sessions/{session.pk}/",
            {"instrument": "tac@1.1", "who": f"member:{jo.pk}", "mode": "items"},
        )
        .content.decode()
    )
    assert "10. My therapist understands my partner." in page
    assert "13. It feels safe to speak in front of my partner here." in page
    assert "my family" not in visible_text(page)


def test_an_old_tac_1_0_paper_form_is_still_offered_entered_and_scored_as_1_0(
    sign_in, ames, rivera, maria, first_session
):
    client = sign_in(ames)
    form = html.unescape(client.get(f"/sessions/{first_session.pk}/").content.decode())
    assert "TAC — Tether Alliance Check-in (version 1.0, replaced by 1.1)" in form
    answers = {str(i): 3 for i in range(1, 12)} | {"7": 1}
    response = services.enter_paper_response(
        ames, first_session.pk, "tac@1.0", maria.pk, answers=answers
    )
    assert response.instrument == "tac@1.0"
    scores = dict(response.scores.values_list("scale", "value"))
    assert scores["self"] == pytest.approx((6 * 3 + 1) / 7)  # 1.0: no item reversed
    services.enter_paper_response(
        ames,
        services.start_session(ames, rivera.pk).pk,
        "tac",
        maria.pk,
        answers={str(i): 3 for i in range(1, 14)},
    )
    page = client.get(f"/cases/{rivera.pk}/")
    assert page.status_code == 200
    assert Response.objects.filter(instrument="tac@1.1").count() == 1
    members = panels(page)["alliance-members"]
    # 1.0 (6·3 + 1)/7 = 2.714 -> 67.9; 1.1 (8·3 + (4 − 3))/9 = 2.778 -> 69.4
    assert [v for _n, v in members.line(f"member:{maria.pk}").data] == [67.9, 69.4]
