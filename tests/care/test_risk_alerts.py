"""Risk on the clinician's side (issue "Safety first", items 2-4): paper
totals still ask each risk item, a blank risk item asks the clinician to
follow up in session, and risk alerts are pinned first and never closed by a
recompute."""

import datetime as dt
import html

import pytest

from tether.care import services
from tether.care.models import Response, Score, Signal


def enter_totals(client, session, member, instrument, **fields):
    return client.post(
        f"/sessions/{session.pk}/enter/",
        {
            "instrument": instrument,
            "who": f"member:{member.pk}",
            "mode": "totals",
            **fields,
        },
    )


# ---- 2. paper totals ask each risk item ----------------------------------------------


def test_the_totals_form_asks_each_risk_item_of_the_instrument(
    sign_in, ames, leo, first_session
):
    client = sign_in(ames)
    for instrument, item in (("phq-9@1.0", "9"), ("pcl-5@past-week", "16")):
        page = client.get(
            f"/sessions/{first_session.pk}/",
            {"instrument": instrument, "who": f"member:{leo.pk}", "mode": "totals"},
        ).content.decode()
        assert 'name="total_total"' in page
        assert f'name="item_{item}"' in page, instrument
        assert "Risk item" in page
        assert 'name="item_1"' not in page  # only the risk items


def test_a_risk_item_entered_with_the_totals_raises_the_red_alert(
    sign_in, ames, rivera, leo, first_session
):
    client = sign_in(ames)
    response = enter_totals(
        client, first_session, leo, "phq-9@1.0", total_total="12", item_9="2"
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    [alert] = rivera.signals.filter(kind="risk-item")
    assert (alert.severity, alert.subject) == ("red", f"member:{leo.pk}")
    assert Score.objects.get(scale="item:9").value == 2
    assert Score.objects.get(scale="total").value == 12
    page = html.unescape(client.get(f"/cases/{rivera.pk}/").content.decode())
    assert "Leo answered 2 on PHQ-9 item 9" in page


def test_a_risk_item_left_blank_with_the_totals_asks_to_follow_up_in_session(
    sign_in, ames, rivera, leo, first_session
):
    client = sign_in(ames)
    enter_totals(client, first_session, leo, "phq-9@1.0", total_total="4")
    assert not rivera.signals.filter(kind="risk-item").exists()
    [skipped] = rivera.signals.filter(kind="risk-item-skipped")
    assert skipped.severity == "info"
    page = html.unescape(client.get(f"/cases/{rivera.pk}/").content.decode())
    assert "Risk item not answered on PHQ-9 — ask in session" in page
    assert "Leo did not answer PHQ-9 item 9" in page


def test_a_bad_risk_answer_with_the_totals_is_named_and_nothing_is_saved(
    sign_in, ames, leo, first_session
):
    response = enter_totals(
        sign_in(ames), first_session, leo, "phq-9@1.0", total_total="12", item_9="5"
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Please choose an answer from 0 to 3." in page
    assert "value 5" not in page
    assert not Response.objects.exists()


def test_the_service_accepts_only_risk_items_beside_totals(ames, leo, first_session):
    with pytest.raises(
        services.InvalidEntry, match="only the risk questions"
    ) as caught:
        services.enter_paper_response(
            ames,
            first_session.pk,
            "phq-9",
            leo.pk,
            totals={"total": 10},
            answers={"3": 1, "9": 0},
        )
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("item_3", "not-a-risk-item")
    ]


# ---- 3. a skipped risk item on paper, item by item -----------------------------------


def test_a_blank_item_9_on_a_paper_phq9_asks_to_follow_up_in_session(
    ames, rivera, leo, first_session
):
    answers = {str(i): 1 for i in range(1, 9)}
    services.enter_paper_response(
        ames, first_session.pk, "phq-9", leo.pk, answers=answers
    )
    [skipped] = rivera.signals.filter(kind="risk-item-skipped")
    assert skipped.evidence["item"] == "9"
    assert skipped.evidence["value"] is None


# ---- 4. pinned, and never resolved by a recompute -----------------------------------


def enter_phq9(ames, session, member, item_9):
    answers = {str(i): 1 for i in range(1, 9)} | {"9": item_9}
    services.enter_paper_response(ames, session.pk, "phq-9", member.pk, answers=answers)


@pytest.fixture
def old_risk_and_new_red(ames, rivera, maria, leo, first_session):
    """A risk answer in session 1; two red PCL-5 alerts of session 3."""
    enter_phq9(ames, first_session, leo, item_9=1)
    for number, total in ((2, 20), (3, 60)):
        session = services.start_session(
            ames, rivera.pk, dt.date(2026, 11, 2 + 7 * number), [leo.pk]
        )
        services.enter_paper_response(
            ames, session.pk, "pcl-5", leo.pk, totals={"total": total}
        )
    services.enter_paper_response(
        ames, first_session.pk, "pcl-5", leo.pk, totals={"total": 20}
    )
    return rivera


def test_a_risk_alert_is_pinned_first_on_the_case_page_whatever_its_session(
    sign_in, ames, old_risk_and_new_red
):
    open_alerts = list(
        old_risk_and_new_red.signals.filter(status=Signal.Status.OPEN, severity="red")
    )
    assert any(s.session_number > 1 and s.kind != "risk-item" for s in open_alerts)
    page = sign_in(ames).get(f"/cases/{old_risk_and_new_red.pk}/").content.decode()
    summary = page[page.index('class="alert-summary"') :]
    first_alert = summary[: summary.index("</li>")]
    assert "Risk item endorsed" in first_alert
    assert "session 1" in first_alert


def test_a_case_with_a_risk_alert_leads_the_caseload(
    sign_in, ames, old_risk_and_new_red
):
    busy = services.create_case(ames, "Adams couple", "couple")
    for kind in ("rupture", "split-dyad", "not-on-track", "reliable-deterioration"):
        Signal.objects.create(
            organization=busy.organization,
            case=busy,
            kind=kind,
            severity="red",
            subject="case",
            session_number=9,
        )
    page = sign_in(ames).get("/cases/").content.decode()
    assert page.index("Rivera family") < page.index("Adams couple")
    rivera_row = page[page.index("Rivera family") : page.index("Adams couple")]
    assert "Risk item endorsed" in rivera_row


def test_a_recompute_never_resolves_a_risk_alert(ames, rivera, leo, first_session):
    enter_phq9(ames, first_session, leo, item_9=1)
    # The answer is corrected to 0 on paper: the alert stays for a clinician to close.
    enter_phq9(ames, first_session, leo, item_9=0)
    services.refit_organization(rivera.organization)
    [alert] = rivera.signals.filter(kind="risk-item")
    assert alert.status == Signal.Status.OPEN
    services.acknowledge_signal(
        ames, alert.pk, "Asked in session; safety plan made.", resolve=True
    )
    alert.refresh_from_db()
    assert alert.status == Signal.Status.RESOLVED
