"""The supervisor's dashboard (issue #15 item 3): the organization's open cases
that need help, across clinicians, filtered and sorted on the server; the
clinic's spread of alliance and PCL-5 change; each clinician's figures — for
supervisors, the figures alone for administrators, nothing for a clinician;
another organization's data never appears; a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.conftest import make_user
from tests.visible import visible_text

from tether.accounts.models import Role
from tether.audit.models import AuditEvent
from tether.care import services
from tether.care.caseload import OpenAlert
from tether.care.models import Signal
from tether.reports.dashboard import concerns_of

TODAY = timezone.localdate()


def alert(case, kind, severity, session=1, state="", subject="case", **evidence):
    return Signal.objects.create(
        organization=case.organization,
        case=case,
        kind=kind,
        severity=severity,
        subject=subject,
        instrument=str(evidence.get("instrument", "")),
        session_number=session,
        state=state,
        evidence=evidence,
    )


def new_case(user, label, kind="family", day=TODAY):
    case = services.create_case(user, label, kind)
    services.start_session(user, case.pk, day)
    return case


def rows(page):
    """Each case row's visible text, in order."""
    return [
        visible_text(row)
        for row in re.findall(
            r"<tr[^>]*>\s*<th scope=\"row\"><a class=\"name\".*?</tr>", page, re.S
        )
    ]


def labels(page):
    return [row.split(" ")[0] for row in rows(page)]


@pytest.fixture
def clinic(ames, baker):
    """Five open cases of Dr. Ames and Dr. Baker, each with one concern or
    none, and a closed case with a red alert."""
    cases = {
        "Adams": new_case(ames, "Adams", day=TODAY - dt.timedelta(days=20)),
        "Brown": new_case(baker, "Brown", kind="couple"),
        "Clark": new_case(ames, "Clark", day=TODAY - dt.timedelta(days=3)),
        "Diaz": new_case(baker, "Diaz", day=TODAY - dt.timedelta(days=9)),
        "Evans": new_case(ames, "Evans"),
        "Quiet": new_case(ames, "Quiet"),
        "Gone": new_case(ames, "Gone"),
    }
    alert(cases["Adams"], "rupture", "red", state="unrepaired")
    alert(cases["Brown"], "split-dyad", "red")
    alert(cases["Clark"], "not-on-track", "yellow", instrument="pcl-5@past-month")
    alert(cases["Diaz"], "disengagement", "yellow")
    alert(cases["Evans"], "split-family", "yellow")  # not yet persistent
    alert(cases["Quiet"], "low-support", "yellow")  # not one of the concerns
    alert(cases["Gone"], "risk-item", "red")
    services.close_case(ames, cases["Gone"].pk)
    return cases


def test_a_clinician_cannot_open_the_dashboard_nor_another_clinicians_figures(
    sign_in, ames, baker, clinic
):
    client = sign_in(ames)
    assert client.get("/clinic/dashboard/").status_code == 403
    assert client.get("/clinic/dashboard/", {"clinician": baker.pk}).status_code == 403
    assert client.get("/clinic/alert-rules/").status_code == 403
    assert not AuditEvent.objects.filter(object_type="dashboard").exists()


def test_the_supervisor_sees_every_open_case_that_needs_help_across_clinicians(
    sign_in, sam, clinic
):
    page = sign_in(sam).get("/clinic/dashboard/").content.decode()
    assert sorted(labels(page)) == ["Adams", "Brown", "Clark", "Diaz"]
    text = visible_text(page)
    assert (
        "Adams Family Unrepaired rupture Red Possible alliance rupture (unrepaired)"
        in text
    )
    assert (
        "Brown Couple Persistent split Red Split alliance between two members" in text
    )
    assert "Clark Family Not on track Yellow Not on track on PCL-5" in text
    assert "Of the clinic's 6 open cases" in text
    for count, concern in (
        (2, "Red alert"),
        (1, "Unrepaired rupture"),
        (1, "Persistent split"),
        (1, "Not on track"),
        (1, "Disengagement"),
    ):
        assert f"{concern} {count}" in text


def test_each_case_row_names_its_clinician_and_links_to_the_case(sign_in, sam, clinic):
    page = sign_in(sam).get("/clinic/dashboard/").content.decode()
    brown = next(row for row in rows(page) if row.startswith("Brown"))
    assert "Baker" in brown
    assert f'href="/cases/{clinic["Brown"].pk}/"' in page


def test_a_concern_filter_keeps_only_its_cases_and_the_sort_links_keep_it(
    sign_in, sam, clinic
):
    client = sign_in(sam)
    page = client.get("/clinic/dashboard/", {"concern": "red"}).content.decode()
    assert sorted(labels(page)) == ["Adams", "Brown"]
    sort_links = re.findall(
        r'<th scope="col" aria-sort="[^"]+"><a href="([^"]+)"', page
    )
    assert sort_links
    assert all("concern=red" in link.replace("&amp;", "&") for link in sort_links)
    page = client.get(
        "/clinic/dashboard/", {"concern": "disengagement"}
    ).content.decode()
    assert labels(page) == ["Diaz"]


def test_filters_by_clinician_and_kind(sign_in, sam, baker, clinic):
    client = sign_in(sam)
    page = client.get("/clinic/dashboard/", {"clinician": baker.pk}).content.decode()
    assert sorted(labels(page)) == ["Brown", "Diaz"]
    page = client.get("/clinic/dashboard/", {"kind": "couple"}).content.decode()
    assert labels(page) == ["Brown"]
    page = client.get(
        "/clinic/dashboard/", {"kind": "couple", "concern": "disengagement"}
    ).content.decode()
    assert labels(page) == []
    assert "No case matches these filters." in page


def test_sorting_by_case_and_by_last_session(sign_in, sam, clinic):
    client = sign_in(sam)
    by_name = client.get("/clinic/dashboard/", {"sort": "-case"}).content.decode()
    assert labels(by_name) == ["Diaz", "Clark", "Brown", "Adams"]
    longest_ago = client.get(
        "/clinic/dashboard/", {"sort": "last-session"}
    ).content.decode()
    assert labels(longest_ago) == ["Adams", "Diaz", "Clark", "Brown"]
    # By default the most urgent first: the red ones, then the yellow.
    default = labels(client.get("/clinic/dashboard/").content.decode())
    assert set(default[:2]) == {"Adams", "Brown"}


def test_a_value_that_does_not_fit_is_named_and_left_out(sign_in, sam, clinic):
    page = (
        sign_in(sam)
        .get("/clinic/dashboard/", {"concern": "bored", "sort": "height"})
        .content.decode()
    )
    assert "A filter could not be used" in page
    assert sorted(labels(page)) == ["Adams", "Brown", "Clark", "Diaz"]


def test_the_read_is_audited_with_what_was_asked(sign_in, sam, clinic):
    sign_in(sam).get("/clinic/dashboard/", {"concern": "red", "sort": "-case"})
    event = AuditEvent.objects.get(object_type="dashboard")
    assert (event.user, event.action) == (sam, "read")
    assert event.detail == {
        "cases": 2,
        "figures_only": False,
        "concern": "red",
        "sort": "case",
        "descending": True,
    }


def test_another_organizations_cases_and_clinicians_never_appear(
    sign_in, sam, cole, lakeside, clinic
):
    theirs = new_case(cole, "Lakeside Larsen")
    alert(theirs, "risk-item", "red")
    page = visible_text(sign_in(sam).get("/clinic/dashboard/").content.decode())
    assert "Larsen" not in page
    assert "Cole" not in page
    other = make_user(lakeside, "lena", Role.SUPERVISOR)
    theirs_page = visible_text(
        sign_in(other).get("/clinic/dashboard/").content.decode()
    )
    assert "Larsen" in theirs_page
    for label in ("Adams", "Brown", "Ames", "Baker"):
        assert label not in theirs_page


def test_an_administrator_who_is_not_a_supervisor_sees_the_figures_and_no_case(
    sign_in, ada, clinic
):
    response = sign_in(ada).get("/clinic/dashboard/")
    assert response.status_code == 200
    page = visible_text(response.content.decode())
    assert "Clinicians" in page
    assert "Ames" in page
    for label in ("Adams", "Brown", "Clark", "Diaz", "Possible alliance rupture"):
        assert label not in page
    assert "Across the clinic" not in page
    event = AuditEvent.objects.get(object_type="dashboard")
    assert event.detail["figures_only"] is True


def test_an_administrator_who_is_also_a_supervisor_sees_everything(
    sign_in, northside, clinic
):
    both = make_user(northside, "bea", Role.ADMIN, Role.SUPERVISOR)
    page = sign_in(both).get("/clinic/dashboard/").content.decode()
    assert sorted(labels(page)) == ["Adams", "Brown", "Clark", "Diaz"]


def test_concerns_are_read_from_the_open_alerts():
    def open_alert(kind, severity, state=""):
        return OpenAlert(1, kind, severity, "case", "", 1, None, state)

    assert concerns_of([open_alert("rupture", "red", "pending")]) == ["red"]
    assert concerns_of([open_alert("rupture", "yellow", "unrepaired")]) == [
        "unrepaired-rupture"
    ]
    assert concerns_of([open_alert("split-family-therapist", "red")]) == [
        "red",
        "persistent-split",
    ]
    assert concerns_of([open_alert("split-across-forms", "info")]) == []
    assert concerns_of([open_alert("meaningful-worsening", "red")]) == [
        "red",
        "not-on-track",
    ]
    assert concerns_of([open_alert("low-alliance", "yellow")]) == []


# ---- the clinicians' figures -----------------------------------------------------


def fired(case, kind, days_ago, acknowledged_after=None, feedback=""):
    """An alert stored `days_ago`, acknowledged that many days after, if at all."""
    signal = alert(case, kind, "yellow", session=Signal.objects.count() + 1)
    at = timezone.now() - dt.timedelta(days=days_ago)
    acknowledged = None if acknowledged_after is None else at + acknowledged_after
    Signal.objects.filter(pk=signal.pk).update(
        created_at=at,
        acknowledged_at=acknowledged,
        status="acknowledged" if acknowledged else "open",
        feedback=feedback,
    )
    return signal


def figures_row(page, name):
    found = [
        visible_text(row)
        for row in re.findall(
            r"<tr>\s*<th scope=\"row\"><span class=\"name\">.*?</tr>", page, re.S
        )
    ]
    return next(row for row in found if row.startswith(name))


def test_each_clinicians_caseload_sessions_measured_and_alerts_acknowledged(
    sign_in, sam, ames, baker, rivera, maria
):
    # Dr. Ames: Rivera (open) with 4 sessions in the window, 3 measured, one
    # session 100 days ago (outside the 90-day window); a closed case.
    for days_ago in (1, 8, 15, 22, 100):
        session = services.start_session(
            ames, rivera.pk, TODAY - dt.timedelta(days=days_ago)
        )
        if days_ago in (1, 8, 100):
            services.enter_paper_response(
                ames, session.pk, "srs", maria.pk, totals={"total": 38}
            )
    measured_by_link = services.start_session(
        ames, rivera.pk, TODAY - dt.timedelta(days=29)
    )
    services.enter_paper_response(
        ames, measured_by_link.pk, "pcl-5", maria.pk, totals={"total": 30}
    )
    closed = new_case(ames, "Closed one")
    services.close_case(ames, closed.pk)
    Signal.objects.all().delete()
    # Alerts: on time (2 days), late (9 days), not acknowledged and due (10
    # days old), too young to count (3 days old), good news (asks nothing),
    # and one fired before the window.
    fired(rivera, "low-alliance", 20, dt.timedelta(days=2))
    fired(rivera, "rupture", 30, dt.timedelta(days=9))
    fired(rivera, "disengagement", 10)
    fired(rivera, "split-dyad", 3)
    fired(rivera, "recovery", 12)
    fired(rivera, "low-support", 120, dt.timedelta(days=1))
    page = sign_in(sam).get("/clinic/dashboard/").content.decode()
    # Open cases 1; sessions 6 in the window (1, 8, 15, 22, 29 days ago, and
    # the closed case's today), 3 measured; alerts due 3 (on time, late,
    # unacknowledged), 1 on time.
    assert figures_row(page, "Ames") == "Ames 1 50% (3 of 6) 33% (1 of 3)"
    assert figures_row(page, "Baker") == "Baker 0 — —"
    year = sign_in(sam).get("/clinic/dashboard/", {"days": 365}).content.decode()
    # Over a year: 7 sessions, 4 measured; 4 alerts due, 2 on time.
    assert figures_row(year, "Ames") == "Ames 1 57% (4 of 7) 50% (2 of 4)"


# ---- the clinic's spread -----------------------------------------------------------


def client_pcl5(user, case, member, totals):
    for number, total in enumerate(totals, start=1):
        session = services.start_session(
            user, case.pk, TODAY - dt.timedelta(days=30 - number)
        )
        services.enter_paper_response(
            user, session.pk, "pcl-5", member.pk, totals={"total": total}
        )


def table_of(page, title):
    """The (band, count) rows of the table behind the chart named `title`."""
    start = page.index(f"{title}: as a table")
    table = page[start : page.index("<tfoot>", start)]
    return [
        (visible_text(band), int(count))
        for band, count in re.findall(
            r"<tr><th scope=\"row\">(.*?)</th><td>(\d+)</td></tr>", table
        )
    ]


def test_the_spread_of_pcl5_change_counts_each_case_once_in_its_band(
    sign_in, sam, ames
):
    changes = {
        "A": (40, 52),
        "B": (40, 50),
        "C": (40, 31),
        "D": (50, 38),
        "E": (40, 40),
    }
    for label, totals in changes.items():
        case = services.create_case(ames, label, "individual")
        member = services.add_member(ames, case.pk, "Pat", "identified-client", "18+")
        client_pcl5(ames, case, member, totals)
    once = services.create_case(ames, "Once", "individual")
    client_pcl5(
        ames,
        once,
        services.add_member(ames, once.pk, "Jo", "identified-client", "18+"),
        [44],
    )
    page = sign_in(sam).get("/clinic/dashboard/").content.decode()
    counts = dict(table_of(page, "PTSD symptoms: change since intake (PCL-5)"))
    # +12 and +10 in 10 to 14; −9 in −9 to −5; −12 in −14 to −10; 0 in 0 to 4.
    assert counts["+10 to +14"] == 2
    assert counts["−9 to −5"] == 1
    assert counts["−14 to −10"] == 1
    assert counts["0 to +4"] == 1
    assert sum(counts.values()) == 5  # the case measured once is left out
    assert "← 10+ better" in page
    assert "10+ worse →" in page
    assert "median 0" in page


# ---- a fixed number of queries -----------------------------------------------------


def busy_clinic(ames, baker, count):
    for n in range(count):
        owner = ames if n % 2 else baker
        case = new_case(owner, f"Case {n:02d}")
        services.add_member(owner, case.pk, "Kim", "identified-client", "18+")
        alert(case, "rupture", "red", state="unrepaired")
        alert(case, "disengagement", "yellow", session=2)


def queries_for(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/clinic/dashboard/", {"concern": "red"}).status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_queries_for_10_cases_as_for_30(
    sign_in, sam, ames, baker, django_assert_max_num_queries
):
    """The same count whether the cases' at-a-glance cells are computed on
    this visit (the first after new answers) or read as stored (the next)."""
    client = sign_in(sam)
    client.get("/clinic/dashboard/")  # the session's own first queries
    busy_clinic(ames, baker, 10)
    first_ten, again_ten = queries_for(client), queries_for(client)
    busy_clinic(ames, baker, 20)
    with django_assert_max_num_queries(first_ten):
        page = client.get("/clinic/dashboard/", {"concern": "red"}).content.decode()
    assert len(rows(page)) == 30
    assert queries_for(client) == again_ten
    busy_clinic(ames, baker, 1)
    assert queries_for(client) == first_ten
