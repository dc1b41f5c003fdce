"""Cases, members and sessions through the API: the pages' services, the
pages' rules (issue #13)."""

import datetime as dt

from tether.audit.models import AuditEvent
from tether.care.models import Case, Member, Session


def test_a_clinician_lists_only_their_own_cases(api_as, ames, baker, rivera):
    assert [c["label"] for c in api_as(ames).get("/cases").json()["results"]] == [
        "Rivera family"
    ]
    assert api_as(baker).get("/cases").json()["results"] == []


def test_a_new_case_is_the_callers_own_and_audited(as_ames, ames):
    answer = as_ames.post("/cases", {"label": "Lee family", "kind": "family"})
    assert answer.status_code == 201
    made = answer.json()
    assert (made["label"], made["kind"], made["status"], made["clinicians"]) == (
        "Lee family",
        "family",
        "open",
        [ames.pk],
    )
    assert AuditEvent.objects.filter(
        user=ames, action="create", object_type="case", object_id=str(made["id"])
    ).exists()


def test_a_member_is_added_without_showing_contact_details(as_ames, rivera, maria):
    answer = as_ames.post(
        f"/cases/{rivera.pk}/members",
        {"first_name": "Ana", "role": "sibling", "age_band": "8-12"},
    )
    assert answer.status_code == 201, answer.json()
    assert Member.objects.get(pk=answer.json()["id"]).case == rivera
    listed = as_ames.get(f"/cases/{rivera.pk}/members").json()["results"]
    shown = {m["first_name"]: m for m in listed}
    assert set(shown) == {"Maria", "Leo", "Ana"}
    assert shown["Maria"]["has_email"] is True
    assert "maria@example.org" not in str(listed)


def test_a_session_starts_with_who_attended_and_attendance_can_change(
    as_ames, rivera, maria, leo
):
    answer = as_ames.post(
        f"/cases/{rivera.pk}/sessions", {"date": "2026-11-02", "attended": [maria.pk]}
    )
    assert answer.status_code == 201, answer.json()
    session = answer.json()
    assert (session["number"], session["date"], session["attended"]) == (
        1,
        "2026-11-02",
        [maria.pk],
    )
    changed = as_ames.put(
        f"/sessions/{session['id']}/attendance", {"attended": [maria.pk, leo.pk]}
    )
    assert changed.json()["attended"] == sorted([maria.pk, leo.pk])
    assert Session.objects.get(pk=session["id"]).date == dt.date(2026, 11, 2)


def test_lists_come_in_pages_linked_by_a_cursor(as_ames, ames):
    from tether.care import services

    for n in range(3):
        services.create_case(ames, f"Case {n}", "individual")
    first = as_ames.get("/cases", page_size=2).json()
    assert [c["label"] for c in first["results"]] == ["Case 0", "Case 1"]
    assert first["previous"] is None
    second = as_ames.client.get(first["next"], headers=as_ames.headers).json()
    assert [c["label"] for c in second["results"]] == ["Case 2"]
    assert second["next"] is None


def test_cases_filter_by_status(as_ames, ames, rivera):
    from tether.care import services

    services.close_case(ames, rivera.pk)
    assert as_ames.get("/cases", status="open").json()["results"] == []
    assert len(as_ames.get("/cases", status="closed").json()["results"]) == 1
    assert as_ames.get("/cases", status="shut").status_code == 422


# ---- bad input: a clear answer naming the field, nothing written ---------------


def problems(answer):
    return {p["field"]: p["code"] for p in answer.json()["problems"]}


def test_false_is_not_a_case_kind_nor_text_and_nothing_is_written(as_ames):
    answer = as_ames.post("/cases", {"label": False, "kind": "family"})
    assert answer.status_code == 422
    assert problems(answer) == {"body.label": "string_type"}
    assert not Case.objects.exists()


def test_an_unknown_field_is_refused_by_name(as_ames):
    answer = as_ames.post(
        "/cases", {"label": "Lee family", "kind": "family", "secret_flag": 1}
    )
    assert answer.status_code == 422
    assert problems(answer) == {"body.secret_flag": "extra_forbidden"}


def test_a_number_as_text_is_not_a_number(as_ames, rivera, maria):
    answer = as_ames.post(f"/cases/{rivera.pk}/sessions", {"attended": [str(maria.pk)]})
    assert answer.status_code == 422
    assert problems(answer) == {"body.attended.0": "int_type"}


def test_a_blank_name_is_refused(as_ames):
    answer = as_ames.post("/cases", {"label": "   ", "kind": "family"})
    assert answer.status_code == 422
    assert "body.label" in problems(answer)


def test_malformed_json_is_a_400_saying_where(as_ames):
    answer = as_ames.post("/cases", raw='{"label": "Lee", ')
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("The body is not valid JSON: ")
    assert "line 1" in answer.json()["detail"]


def test_nan_is_not_json_and_is_refused(as_ames, rivera):
    answer = as_ames.post(f"/cases/{rivera.pk}/sessions", raw='{"attended": [NaN]}')
    assert answer.status_code == 400
    assert "NaN is not a number JSON allows" in answer.json()["detail"]


def test_an_oversized_body_is_a_413(as_ames):
    answer = as_ames.post("/cases", raw='{"label": "' + "x" * 300_000 + '"}')
    assert answer.status_code == 413
    assert not Case.objects.exists()


def test_the_service_problems_name_the_field(as_ames, api_as, sam):
    answer = api_as(sam).post("/cases", {"label": "Lee", "kind": "family"})
    assert answer.status_code == 403
