"""Alerts through the API: listed with filters, acknowledged, resolved."""

from tether.care.models import Signal

PHQ9_RISK = {str(n): 1 for n in range(1, 10)}


def risk_alert(caller, session, member):
    caller.post(
        f"/sessions/{session.pk}/responses",
        {"instrument": "phq-9@1.0", "member": member.pk, "answers": PHQ9_RISK},
    )
    return Signal.objects.get(kind="risk-item")


def test_alerts_are_listed_and_filtered(as_ames, first_session, maria, rivera):
    alert = risk_alert(as_ames, first_session, maria)
    red = as_ames.get("/signals", severity="red").json()["results"]
    assert [(s["id"], s["kind"], s["case"]) for s in red] == [
        (alert.pk, "risk-item", rivera.pk)
    ]
    assert as_ames.get("/signals", status="resolved").json()["results"] == []
    assert as_ames.get("/signals", severity="purple").status_code == 422


def test_an_alert_is_acknowledged_then_resolved_with_a_note(
    as_ames, ames, first_session, maria
):
    alert = risk_alert(as_ames, first_session, maria)
    seen = as_ames.post(f"/signals/{alert.pk}/acknowledge", {"note": ""})
    assert (seen.status_code, seen.json()["status"]) == (200, "acknowledged")
    assert seen.json()["acknowledged_by"] == ames.pk
    no_note = as_ames.post(f"/signals/{alert.pk}/resolve", {"note": " "})
    assert no_note.status_code == 422
    done = as_ames.post(
        f"/signals/{alert.pk}/resolve", {"note": "Safety plan made in session."}
    )
    assert done.json()["status"] == "resolved"
    assert "Safety plan made in session." in Signal.objects.get(pk=alert.pk).note


def test_a_supervisor_reads_alerts_but_may_not_acknowledge(
    api_as, sam, as_ames, first_session, maria
):
    alert = risk_alert(as_ames, first_session, maria)
    supervisor = api_as(sam)
    assert supervisor.get(f"/signals/{alert.pk}").status_code == 200
    assert supervisor.post(f"/signals/{alert.pk}/acknowledge", {}).status_code == 403
    assert Signal.objects.get(pk=alert.pk).status == "open"


def test_another_organizations_alert_is_404(
    api_as, cole, as_ames, first_session, maria
):
    alert = risk_alert(as_ames, first_session, maria)
    assert api_as(cole).get(f"/signals/{alert.pk}").status_code == 404
    assert api_as(cole).get("/signals").json()["results"] == []


def test_feedback_goes_with_an_acknowledgement_and_a_resolution(
    as_ames, first_session, maria
):
    alert = risk_alert(as_ames, first_session, maria)
    seen = as_ames.post(
        f"/signals/{alert.pk}/acknowledge", {"note": "", "feedback": "not-useful"}
    )
    assert (seen.status_code, seen.json()["feedback"]) == (200, "not-useful")
    done = as_ames.post(
        f"/signals/{alert.pk}/resolve",
        {"note": "Safety plan reviewed.", "feedback": "useful"},
    )
    assert done.json()["feedback"] == "useful"
    assert Signal.objects.get(pk=alert.pk).feedback == "useful"


def test_feedback_outside_the_three_or_not_text_is_refused_naming_the_field(
    as_ames, first_session, maria
):
    alert = risk_alert(as_ames, first_session, maria)
    for bad in ("great", "Useful", 1, True, ["useful"]):
        answer = as_ames.post(f"/signals/{alert.pk}/acknowledge", {"feedback": bad})
        assert answer.status_code == 422, bad
        assert "feedback" in answer.content.decode()
    stored = Signal.objects.get(pk=alert.pk)
    assert (stored.status, stored.feedback) == ("open", "")


def test_an_acknowledgement_without_feedback_leaves_it_empty(
    as_ames, first_session, maria
):
    alert = risk_alert(as_ames, first_session, maria)
    seen = as_ames.post(f"/signals/{alert.pk}/acknowledge", {"feedback": None})
    assert (seen.status_code, seen.json()["feedback"]) == (200, "")
