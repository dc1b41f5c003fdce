"""The administrators' audit log: their own clinic's events in words (names,
case labels, actions; no internal ids), filtered by person, case, action and
dates, a page at a time or as a CSV file; and looking at it is audited too."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.audit.services import record
from tether.care import audit_selectors
from tether.care import services as care


@pytest.fixture
def log(sign_in, ada, ames, cole, rivera, first_session, leo, settings):
    """Dr. Ames opened the Riveras' case from 203.0.113.7 in Firefox and
    entered an answer; Dr. Cole, in Lakeside, read his caseload."""
    settings.TETHER_TRUSTED_PROXY_HEADER = ""
    sign_in(ames).get(
        f"/cases/{rivera.pk}/",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0",
    )
    care.enter_paper_response(
        ames, first_session.pk, "srs", leo.pk, totals={"total": 30}
    )
    record(cole, "read", "caseload")
    return sign_in(ada)


def page_text(client, query=""):
    response = client.get(f"/clinic/audit/{query}")
    assert response.status_code == 200
    return visible_text(response)


def test_the_log_shows_names_case_labels_and_actions_in_words(log, ames, rivera):
    text = page_text(log)
    assert "Ames" in text
    assert "Viewed" in text
    assert "Rivera family" in text
    assert "203.0.113.7" in text
    assert "Firefox" in text
    assert "Questionnaire answers" in text
    assert "instrument: srs" in text


def test_the_log_shows_no_internal_ids(log, ames):
    """Names, labels and words hold no digits here; the details that hold ids
    (the case, the clinicians, the members) are left out."""
    rows = audit_selectors.describe(ames, AuditEvent.objects.all())
    assert any(row.case == "Rivera family" for row in rows)
    for row in rows:
        for words in (row.who, row.action, row.about, row.case):
            assert not any(character.isdigit() for character in words), words
        shown = {part.split(":")[0] for part in row.details.split("; ") if part}
        assert not shown & {"case", "clinicians", "members", "member", "session"}


def test_an_administrator_sees_only_their_own_clinics_events(log):
    assert "Cole" not in page_text(log)


def test_the_log_filters_by_person_case_action_and_dates(log, ames, ada, rivera):
    by_ames = page_text(log, f"?user={ames.pk}")
    assert "Ada" not in by_ames.split("Audit events")[-1]
    about_rivera = audit_selectors.audit_events(
        ada, audit_selectors.AuditQuery(case=rivera.pk)
    )
    assert about_rivera.exists()
    assert all(e.case_id == rivera.pk for e in about_rivera)
    created = audit_selectors.audit_events(
        ada, audit_selectors.AuditQuery(action="create")
    )
    assert set(created.values_list("action", flat=True)) == {"create"}
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    assert "No events match these filters." in page_text(log, f"?since={tomorrow}")
    assert "Rivera family" in page_text(log, f"?since={today}&until={today}")


def test_a_filter_that_does_not_fit_is_named_and_left_out(log):
    text = page_text(log, "?since=2026-02-30&user=banana&until=2020-01-01")
    assert "A filter could not be used" in text
    assert "Enter a valid date." in text
    assert "Select a valid choice." in text
    assert "Rivera family" in text


def test_an_end_date_before_the_start_date_is_named(log):
    text = page_text(log, "?since=2026-03-01&until=2026-02-01")
    assert "The end date is before the start date." in text


def test_the_log_comes_a_page_at_a_time_newest_first(log, ada, monkeypatch):
    monkeypatch.setattr(audit_selectors, "PAGE_SIZE", 3)
    first = log.get("/clinic/audit/")
    assert len(first.context["rows"]) == 3
    newest = first.context["rows"][0].at
    assert all(row.at <= newest for row in first.context["rows"])
    second = log.get("/clinic/audit/?page=2")
    assert second.context["page"].number == 2
    assert "Newer" in visible_text(second)
    past_the_end = log.get("/clinic/audit/?page=999")
    assert (
        past_the_end.context["page"].number
        == past_the_end.context["page"].paginator.num_pages
    )
    assert log.get("/clinic/audit/?page=zero").context["page"].number == 1


def test_looking_at_the_log_is_audited_with_its_filters(log, ada, ames):
    log.get(f"/clinic/audit/?user={ames.pk}&page=1")
    event = AuditEvent.objects.filter(action="read", object_type="audit-log").get()
    assert event.user == ada
    assert event.detail == {"page": 1, "user": ames.pk}


def test_the_csv_holds_every_matching_event_and_its_export_is_audited(log, ada):
    response = log.get("/clinic/audit/export/?action=read")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["Entry", "When (UTC)", "Who", "Action", "Record"]
    body = rows[1:]
    expected = AuditEvent.objects.filter(
        organization=ada.organization, action="read"
    ).count()
    assert len(body) == expected
    assert {row[3] for row in body} == {"Viewed"}
    assert any(row[5] == "Rivera family" for row in body)
    export = AuditEvent.objects.get(action="export", object_type="audit-log")
    assert export.detail == {"rows": expected, "action": "read"}


def test_a_formula_in_the_log_cannot_run_in_a_spreadsheet(log, ada, ames):
    care.create_case(ames, '=HYPERLINK("http://evil.example")', "family")
    content = b"".join(log.get("/clinic/audit/export/").streaming_content).decode()
    assert '"\'=HYPERLINK(""http://evil.example"")"' in content
