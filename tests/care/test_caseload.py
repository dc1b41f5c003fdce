"""The caseload says who needs attention and why (issue #11): each case names
its most urgent open alert in words; risk first (newest first), then red by
recency, then yellow, the counts as detail; search, filters and sort as GET
parameters, audited; closed cases within reach; a clinician column for
supervisors and administrators."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.models import Signal


def alert(case, kind, severity, session, subject="case", **evidence):
    return Signal.objects.create(
        organization=case.organization,
        case=case,
        kind=kind,
        severity=severity,
        subject=subject,
        instrument=str(evidence.get("instrument", "")),
        session_number=session,
        evidence=evidence,
    )


def sessions(user, case, dates):
    for day in dates:
        services.start_session(user, case.pk, day)


def rows(page):
    """Each row's visible text, in order."""
    return [
        visible_text(row)
        for row in re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", page, re.S)
    ]


def row_of(page, label):
    found = [row for row in rows(page) if row.startswith(label)]
    assert found, f"no caseload row for {label}"
    return found[0]


TODAY = timezone.localdate()


@pytest.fixture
def busy(ames):
    """A couple whose one PCL-5 trend came back at sessions 6, 11 and 18,
    stored (as before one condition, one alert) as six red alerts."""
    case = services.create_case(ames, "Adams couple", "couple")
    ann = services.add_member(ames, case.pk, "Ann", "identified-client", "18+")
    sessions(ames, case, [TODAY - dt.timedelta(weeks=18 - n) for n in range(1, 19)])
    for session in (6, 11, 18):
        for instrument in ("pcl-5", "phq-9"):
            alert(
                case,
                "meaningful-worsening",
                "red",
                session,
                f"member:{ann.pk}",
                instrument=instrument,
            )
    return case


def test_a_same_day_risk_answer_leads_a_case_with_six_red_alerts(
    sign_in, ames, rivera, leo, busy
):
    sessions(ames, rivera, [TODAY])
    alert(
        rivera,
        "risk-item",
        "red",
        1,
        f"member:{leo.pk}",
        instrument="phq-9",
        member=str(leo.pk),
        item="9",
        value=2,
    )
    page = sign_in(ames).get("/cases/").content.decode()
    first, second = rows(page)
    assert first.startswith("Rivera family")
    assert "Risk Risk item endorsed on PHQ-9 — Leo, session 1, today" in first
    assert second.startswith("Adams couple")
    assert "Clinically meaningful worsening on PCL-5 — Ann, session 18, today" in second
    assert "Open: 6 red" in second


def test_red_alerts_by_recency_then_yellow_then_none(sign_in, ames):
    def case_with(label, severity, weeks_ago):
        case = services.create_case(ames, label, "individual")
        sessions(ames, case, [TODAY - dt.timedelta(weeks=weeks_ago)])
        if severity:
            alert(
                case, "low-alliance" if severity == "yellow" else "rupture", severity, 1
            )
        return case

    case_with("Aaron Quiet", None, 1)
    case_with("Bea Old", "red", 5)
    case_with("Cal Yellow", "yellow", 0)
    case_with("Dee New", "red", 1)
    page = sign_in(ames).get("/cases/").content.decode()
    assert [row.split(" ")[0] for row in rows(page)] == ["Dee", "Bea", "Cal", "Aaron"]
    assert "No open alerts" in row_of(page, "Aaron Quiet")
    assert "Low alliance" in row_of(page, "Cal Yellow")


def test_a_ruptures_state_and_a_date_as_people_read_them(sign_in, ames, rivera, leo):
    sessions(
        ames,
        rivera,
        [dt.date(2026, 3, 2), dt.date(2026, 3, 9), TODAY - dt.timedelta(1)],
    )
    alert(rivera, "rupture", "red", 2, f"member:{leo.pk}", instrument="tac@1.0")
    Signal.objects.filter(kind="rupture").update(state="unrepaired")
    row = row_of(sign_in(ames).get("/cases/").content.decode(), "Rivera family")
    expected = "Possible alliance rupture (unrepaired) — Leo (TAC), session 2, 9 Mar"
    assert expected in row
    alert(rivera, "split-family", "red", 3, f"member:{leo.pk}", instrument="tac")
    row = row_of(sign_in(ames).get("/cases/").content.decode(), "Rivera family")
    assert "Split alliance in the family — Leo (TAC), session 3, yesterday" in row


def test_search_by_case_or_member_name(sign_in, ames, rivera, busy):
    client = sign_in(ames)
    by_member = client.get("/cases/", {"q": "ann"}).content.decode()
    assert [r.split(" ")[0] for r in rows(by_member)] == ["Adams"]
    by_label = client.get("/cases/", {"q": "RIVERA"}).content.decode()
    assert [r.split(" ")[0] for r in rows(by_label)] == ["Rivera"]
    nothing = visible_text(client.get("/cases/", {"q": "zzz"}).content.decode())
    assert "No case matches these filters." in nothing


def test_filters_by_kind_alert_not_on_track_and_weeks_without_a_session(
    sign_in, ames, rivera, leo, busy
):
    quiet = services.create_case(ames, "Cole Quiet", "individual")
    sessions(ames, quiet, [TODAY - dt.timedelta(weeks=6)])
    alert(quiet, "disengagement", "yellow", 1)
    client = sign_in(ames)

    def labels(**params):
        page = client.get("/cases/", params).content.decode()
        return sorted(r.split(" ")[0] for r in rows(page))

    assert labels(kind="couple") == ["Adams"]
    assert labels(alert="disengagement") == ["Cole"]
    assert labels(off_track="on") == ["Adams"]
    # Rivera has no session at all; Cole's last was six weeks ago.
    assert labels(quiet_weeks="4") == ["Cole", "Rivera"]
    assert labels(quiet_weeks="8") == ["Rivera"]


def test_closed_cases_are_within_reach(sign_in, ames, rivera, busy):
    services.close_case(ames, rivera.pk)
    client = sign_in(ames)
    default = client.get("/cases/").content.decode()
    assert [r.split(" ")[0] for r in rows(default)] == ["Adams"]
    closed = client.get("/cases/", {"status": "closed"}).content.decode()
    assert [r.split(" ")[0] for r in rows(closed)] == ["Rivera"]
    assert "closed" in row_of(closed, "Rivera family")
    both = client.get("/cases/", {"status": "all"}).content.decode()
    assert len(rows(both)) == 2


def test_sorting_by_a_column_and_back(sign_in, ames, rivera, busy):
    client = sign_in(ames)
    page = client.get("/cases/", {"sort": "-case"}).content.decode()
    assert [r.split(" ")[0] for r in rows(page)] == ["Rivera", "Adams"]
    header = re.search(
        r'<th scope="col" aria-sort="descending"><a href="([^"]+)"', page
    )
    assert header
    assert header.group(1) == "?sort=case"
    again = client.get("/cases/" + header.group(1).replace("&amp;", "&"))
    assert [r.split(" ")[0] for r in rows(again.content.decode())] == [
        "Adams",
        "Rivera",
    ]
    by_last = client.get("/cases/", {"sort": "last-session"}).content.decode()
    # Rivera has no session: rows with nothing to sort by come last.
    assert [r.split(" ")[0] for r in rows(by_last)] == ["Adams", "Rivera"]


def test_supervisors_see_a_clinician_column_and_filter_by_clinician(
    sign_in, ames, baker, sam, rivera, busy
):
    services.create_case(baker, "Baker family", "family")
    page = sign_in(sam).get("/cases/").content.decode()
    assert ">Clinician</a></th>" in page
    assert "Ames" in row_of(page, "Rivera family")
    assert "Baker" in row_of(page, "Baker family")
    mine = sign_in(sam).get("/cases/", {"clinician": baker.pk}).content.decode()
    assert [r.split(" ")[0] for r in rows(mine)] == ["Baker"]
    own = sign_in(ames).get("/cases/").content.decode()
    assert ">Clinician</a></th>" not in own
    assert 'name="clinician"' not in own


def test_a_filter_that_does_not_fit_is_named_and_left_out(sign_in, ames, rivera):
    response = sign_in(ames).get(
        "/cases/", {"quiet_weeks": "soon", "sort": "shoe size", "kind": "tribe"}
    )
    assert response.status_code == 200
    page = visible_text(response.content.decode())
    assert "A filter could not be used" in page
    assert "Enter a whole number." in page
    assert "Select a valid choice. shoe size is not one of the available" in page
    assert [r.split(" ")[0] for r in rows(response.content.decode())] == ["Rivera"]


def test_the_caseload_read_is_audited_with_what_was_asked(sign_in, ames, rivera):
    sign_in(ames).get("/cases/", {"q": "riv", "sort": "-pcl5"})
    event = AuditEvent.objects.filter(action="read", object_type="caseload").last()
    assert event.user == ames
    assert event.detail == {
        "cases": 1,
        "search": "riv",
        "sort": "pcl5",
        "descending": True,
    }


def test_a_filtered_caseload_costs_a_fixed_number_of_queries(
    sign_in, ames, rivera, busy, django_assert_max_num_queries
):
    client = sign_in(ames)
    client.get("/cases/")
    with django_assert_max_num_queries(20):
        client.get(
            "/cases/",
            {"q": "a", "off_track": "on", "alert": "rupture", "quiet_weeks": 2},
        )
