"""Invitation links: issuing, opening, answering, submitting (docs/architecture.md §Privacy)."""

import dataclasses
import datetime as dt
import hashlib
import json
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.forms.models import model_to_dict

from tether.audit.models import AuditEvent
from tether.care.models import Response, Score
from tether.care.services import InvalidEntry, start_session
from tether.portal import services
from tether.portal.models import Invitation
from tether.portal.services import LinkError

TAC_ANSWERS = {str(i): 3 for i in range(1, 14)}
"""TAC 1.1 (the default) in a family case: 13 items."""
PHQ9_ANSWERS = {str(i): 0 for i in range(1, 10)}


def answer_all(invitation, instrument, answers):
    for item, value in answers.items():
        services.save_answer(invitation, instrument, item, value)


def secret_of(token):
    return token.split(".", 1)[0]


@pytest.fixture
def maria_link(ames, first_session, maria):
    return services.issue_invitation(ames, first_session.pk, maria.pk, ["tac"])


# ---- tokens --------------------------------------------------------------------


def test_the_token_is_stored_only_as_a_hash(maria_link):
    invitation, token = maria_link
    stored = json.dumps(model_to_dict(Invitation.objects.get()), default=str)
    assert token not in stored
    assert secret_of(token) not in stored
    digest = hashlib.sha256(secret_of(token).encode()).hexdigest()
    assert invitation.token_hash == digest
    assert services.find_invitation(token) == invitation


def test_it_rejects_a_tampered_link(maria_link):
    _, token = maria_link
    secret, signature = token.split(".", 1)
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B") + "." + signature
    with pytest.raises(LinkError) as error:
        services.find_invitation(tampered)
    assert error.value.reason == "invalid"
    assert str(error.value) == (
        "This link is not valid. Please ask your therapist for a new one."
    )
    assert token not in str(error.value)
    assert error.value.__cause__ is None
    assert error.value.__suppress_context__


@pytest.mark.parametrize("token", ["", "nonsense", "a.b.c", "x" * 500])
def test_it_rejects_a_malformed_link(db, token):
    with pytest.raises(LinkError, match="This link is not valid"):
        services.find_invitation(token)


def test_it_rejects_a_signed_link_it_never_issued(maria_link):
    invitation, token = maria_link
    Invitation.objects.filter(pk=invitation.pk).delete()
    with pytest.raises(LinkError, match="This link is not valid") as error:
        services.find_invitation(token)
    assert error.value.reason == "unknown"


def test_it_rejects_an_expired_link(maria_link):
    _, token = maria_link
    with (
        time_machine.travel(dt.timedelta(hours=73)),
        pytest.raises(LinkError) as error,
    ):
        services.find_invitation(token)
    assert str(error.value) == (
        "This link has expired. Please ask your therapist for a new one."
    )


def test_it_rejects_a_used_link(maria_link):
    invitation, token = maria_link
    answer_all(invitation, "tac", TAC_ANSWERS)
    services.submit(invitation, "tac")
    with pytest.raises(LinkError) as error:
        services.find_invitation(token)
    assert str(error.value) == "These questions have already been answered. Thank you."


def test_it_rejects_a_revoked_link(ames, maria_link):
    invitation, token = maria_link
    services.revoke_invitation(ames, invitation.pk)
    with pytest.raises(LinkError) as error:
        services.find_invitation(token)
    assert str(error.value) == (
        "This link is no longer active. Please ask your therapist for a new one."
    )
    with pytest.raises(LinkError, match="no longer active"):
        services.save_answer(invitation, "tac", "1", 3)


def test_a_supervisor_cannot_issue_a_link(sam, first_session, maria):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.issue_invitation(sam, first_session.pk, maria.pk, ["tac"])


# ---- what may be sent to whom ----------------------------------------------------


def test_a_licensed_instrument_without_text_cannot_be_sent(ames, first_session, maria):
    with pytest.raises(InvalidEntry) as error:
        services.issue_invitation(ames, first_session.pk, maria.pk, ["wai-sr"])
    assert [p.message for p in error.value.problems] == [
        "WAI-SR has no licensed text loaded, so it cannot be sent as a link; enter it from paper."
    ]
    assert error.value.codes == {"not-sendable"}
    assert not Invitation.objects.exists()


def test_a_therapist_form_cannot_be_sent_to_a_member(ames, first_session, maria):
    with pytest.raises(InvalidEntry, match="TAC-T is a therapist form"):
        services.issue_invitation(ames, first_session.pk, maria.pk, ["tac-t"])


def test_a_member_form_cannot_be_sent_to_the_therapist(ames, first_session):
    with pytest.raises(InvalidEntry, match="TAC is not a therapist form"):
        services.issue_invitation(ames, first_session.pk, None, ["tac"])
    invitation, _ = services.issue_invitation(ames, first_session.pk, None, ["tac-t"])
    assert invitation.respondent == "therapist"


def test_a_new_link_asks_tac_1_1_and_tac_1_0_is_refused_by_name(
    ames, first_session, maria
):
    invitation, _ = services.issue_invitation(ames, first_session.pk, maria.pk, ["tac"])
    assert invitation.instruments == ["tac@1.1"]
    with pytest.raises(InvalidEntry) as error:
        services.issue_invitation(ames, first_session.pk, maria.pk, ["tac@1.0"])
    assert str(error.value) == (
        "TAC 1.0 is replaced by version 1.1, so it is no longer sent; "
        "send version 1.1 (answers given on 1.0 keep their version)."
    )


def test_a_child_form_is_not_sent_to_an_adult(ames, first_session, maria):
    with pytest.raises(InvalidEntry, match="TAC-C is not meant for Maria"):
        services.issue_invitation(ames, first_session.pk, maria.pk, ["tac-child"])


def test_a_member_of_another_case_cannot_be_invited(ames, first_session, rivera):
    from tether.care import services as care

    other = care.create_case(ames, "Other family", "family")
    stranger = care.add_member(ames, other.pk, "Zoe", "caregiver")
    with pytest.raises(InvalidEntry, match="is not a member of this case"):
        services.issue_invitation(ames, first_session.pk, stranger.pk, ["tac"])


def test_a_second_open_link_for_the_same_questions_is_refused(
    ames, first_session, maria, maria_link
):
    with pytest.raises(InvalidEntry, match="already has an open link"):
        services.issue_invitation(ames, first_session.pk, maria.pk, ["tac"])
    services.revoke_invitation(ames, maria_link[0].pk)
    services.issue_invitation(ames, first_session.pk, maria.pk, ["tac"])


# ---- answering -----------------------------------------------------------------


def test_an_answer_outside_the_options_names_the_item_and_keeps_earlier_ones(
    maria_link,
):
    invitation, _ = maria_link
    services.save_answer(invitation, "tac", "1", 4)
    services.save_answer(invitation, "tac", "2", "2")
    with pytest.raises(InvalidEntry) as error:
        services.save_answer(invitation, "tac", "3", 7)
    [problem] = error.value.problems
    assert (problem.field, problem.code) == ("item_3", "not-allowed")
    assert problem.message == "Please choose an answer from 0 to 4."
    with pytest.raises(InvalidEntry) as error:
        services.save_answer(invitation, "tac", "3", "lots")
    assert error.value.codes == {"not-a-number"}
    assert "lots" not in str(error.value)
    assert Response.objects.get().answers == {"1": 4, "2": 2}


def test_saving_the_same_answer_again_changes_nothing(maria_link):
    invitation, _ = maria_link
    first = services.save_answer(invitation, "tac", "1", 4)
    again = services.save_answer(invitation, "tac", "1", 4)
    assert first.pk == again.pk
    assert Response.objects.get().answers == {"1": 4}
    assert first.history.count() == 2  # created, then the one change


def test_declining_is_allowed_where_the_instrument_prorates(maria_link):
    invitation, _ = maria_link
    response = services.save_answer(invitation, "tac", "5", None)
    assert response.answers == {"5": None}


@pytest.fixture
def tac_without_prorating(monkeypatch):
    """TAC as if it allowed no prorating (the bundled instruments that allow
    none, SRS, ORS and SOFTA-s, ship without text)."""
    from tether.care.selectors import definition_named

    def strict(instrument):
        definition = definition_named(instrument)
        if definition.id == "tac":
            return dataclasses.replace(definition, allow_skip=False)
        return definition

    for module in (services.invitations, services.answers):
        monkeypatch.setattr(module, "definition_named", strict)


def test_declining_is_refused_where_prorating_is_not_allowed(
    tac_without_prorating, maria_link
):
    invitation, _ = maria_link
    services.save_answer(invitation, "tac", "1", 2)
    with pytest.raises(InvalidEntry, match="“Prefer not to answer” is not available"):
        services.save_answer(invitation, "tac", "2", None)
    with pytest.raises(InvalidEntry, match="Not answered yet") as error:
        services.submit(invitation, "tac")
    assert {p.field for p in error.value.problems} >= {"item_2"}
    assert Response.objects.get().answers == {"1": 2}
    assert Response.objects.get().status == "in-progress"


# ---- submitting ----------------------------------------------------------------


def test_submitting_twice_stores_one_response_and_one_set_of_scores(maria_link):
    invitation, _ = maria_link
    answer_all(invitation, "tac", TAC_ANSWERS)
    first = services.submit(invitation, "tac")
    scores = list(Score.objects.order_by("pk").values_list("pk", "scale", "value"))
    second = services.submit(invitation, "tac")
    assert (first.already_submitted, second.already_submitted) == (False, True)
    assert second.response.pk == first.response.pk
    assert Response.objects.get().status == "complete"
    assert Response.objects.get().submitted_at is not None
    assert scores
    assert list(Score.objects.order_by("pk").values_list("pk", "scale", "value")) == (
        scores
    )


def test_the_invitation_is_completed_after_its_last_instrument(
    ames, first_session, maria
):
    invitation, token = services.issue_invitation(
        ames, first_session.pk, maria.pk, ["tac", "gad-7"]
    )
    answer_all(invitation, "tac", TAC_ANSWERS)
    services.submit(invitation, "tac")
    invitation.refresh_from_db()
    assert invitation.completed_at is None
    assert services.find_invitation(token) == invitation
    answer_all(invitation, "gad-7", {str(i): 1 for i in range(1, 8)})
    services.submit(invitation, "gad-7")
    invitation.refresh_from_db()
    assert invitation.completed_at is not None
    with pytest.raises(LinkError, match="already been answered"):
        services.find_invitation(token)


def test_a_risk_item_makes_a_red_signal_and_emails_each_clinician_plainly(
    ames, first_session, leo, rivera, django_capture_on_commit_callbacks
):
    invitation, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(invitation, "phq-9", PHQ9_ANSWERS | {"9": 1})
        result = services.submit(invitation, "phq-9")
    assert result.risk
    signal = rivera.signals.get(kind="risk-item")
    assert (signal.severity, signal.status, signal.subject) == (
        "red",
        "open",
        f"member:{leo.pk}",
    )
    assert Score.objects.get(scale="item:9").value == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ames@northside.example",
        "baker@northside.example",
    ]
    assert all(len(m.to) == 1 for m in mail.outbox)
    for message in mail.outbox:
        text = (message.subject + "\n" + message.body).lower()
        for clinical in ("phq", "patient health", "leo", "rivera", "item", "risk"):
            assert clinical not in text
        assert message.body.startswith(
            "A questionnaire in one of your cases needs your attention today. "
            "Sign in to Tether to see it."
        )
        assert "http://127.0.0.1:8000" in message.body
    # A repeat submission neither stores nor sends anything new.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.submit(invitation, "phq-9")
    assert again.risk
    assert again.already_submitted
    assert len(mail.outbox) == 2


def test_no_email_without_a_risk_item(
    ames, first_session, leo, django_capture_on_commit_callbacks
):
    invitation, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    answer_all(invitation, "phq-9", PHQ9_ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.submit(invitation, "phq-9").risk
    assert mail.outbox == []


# ---- sending -------------------------------------------------------------------


def test_an_email_invitation_holds_a_greeting_the_link_and_the_expiry(maria_link):
    invitation, token = maria_link
    services.send_invitation(invitation, token, via="email")
    (message,) = mail.outbox
    assert message.to == ["maria@example.org"]
    assert message.body.startswith("Hello Maria,")
    assert f"http://127.0.0.1:8000/q/{token}/" in message.body
    assert "The link works until" in message.body
    # The link's token is random: only the words around it count.
    words = message.body.replace(services.link_url(token), "")
    assert "TAC" not in words
    assert "Alliance" not in words
    invitation.refresh_from_db()
    assert invitation.channel == "email"


def test_in_development_an_sms_is_printed_whole(maria_link, capsys, settings):
    settings.TETHER_SMS_BACKEND = "tether.portal.sms.ConsoleSMSBackend"
    settings.DEBUG = True
    invitation, token = maria_link
    services.send_invitation(invitation, token, via="sms")
    printed = capsys.readouterr().out
    assert "SMS to +1 555 0100" in printed
    assert services.link_url(token) in printed
    assert "Hello Maria," in printed
    assert "TAC" not in printed.replace(services.link_url(token), "")
    invitation.refresh_from_db()
    assert invitation.channel == "sms"


def test_a_member_without_a_phone_number_gets_a_plain_refusal(ames, first_session, leo):
    invitation, token = services.issue_invitation(
        ames, first_session.pk, leo.pk, ["tac"]
    )
    with pytest.raises(InvalidEntry, match="Leo has no mobile number"):
        services.send_invitation(invitation, token, via="sms")


def test_the_link_can_be_shown_as_a_qr_code(maria_link):
    _, token = maria_link
    svg = services.qr_svg(services.link_url(token))
    assert svg.startswith("<svg")
    assert token not in svg


def test_the_token_never_appears_in_the_audit_events(ames, maria_link, capsys):
    invitation, token = maria_link
    services.send_invitation(invitation, token, via="email", user=ames)
    services.send_invitation(invitation, token, via="sms", user=ames)
    services.find_invitation(token)
    answer_all(invitation, "tac", TAC_ANSWERS)
    services.submit(invitation, "tac")
    events = list(AuditEvent.objects.values())
    assert {e["action"] for e in events} >= {"issue", "send", "start", "submit"}
    dumped = json.dumps(events, default=str)
    assert secret_of(token) not in dumped
    assert token.split(".", 1)[1] not in dumped


# ---- concurrency ---------------------------------------------------------------


def run_in_threads(count, work):
    errors, results = [], []
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            results.append(work(index))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def many_links(ames, rivera, maria, leo, count):
    links = []
    while len(links) < count:
        session = start_session(ames, rivera.pk, dt.date(2026, 11, 2))
        for member in (maria, leo)[: count - len(links)]:
            invitation, _ = services.issue_invitation(
                ames, session.pk, member.pk, ["tac"]
            )
            answer_all(invitation, "tac", TAC_ANSWERS)
            links.append(invitation)
    return links


def thread_count(postgres, sqlite):
    """SQLite serializes writers through one lock; a waiter gives up after the
    busy timeout (30 s in settings), and each submission holds the lock about
    0.2 s while the case's signals are recomputed."""
    if connection.vendor == "postgresql":
        return postgres
    if connection.is_in_memory_db():
        pytest.skip(
            "SQLite's shared in-memory test database cannot wait for a lock; "
            "run with a file test database (tests/settings.py sets one)"
        )
    return sqlite


@pytest.mark.django_db(transaction=True)
def test_fifty_people_submitting_at_once_give_fifty_complete_responses(
    ames, rivera, maria, leo
):
    count = thread_count(postgres=50, sqlite=50)
    links = many_links(ames, rivera, maria, leo, count)
    results = run_in_threads(count, lambda i: services.submit(links[i], "tac"))
    assert len(results) == count
    assert Response.objects.filter(status="complete").count() == count
    assert Invitation.objects.filter(completed_at__isnull=False).count() == count


@pytest.mark.django_db(transaction=True)
def test_ten_submissions_of_the_same_link_give_one_response(ames, first_session, maria):
    thread_count(postgres=10, sqlite=10)
    invitation, _ = services.issue_invitation(ames, first_session.pk, maria.pk, ["tac"])
    answer_all(invitation, "tac", TAC_ANSWERS)
    results = run_in_threads(10, lambda i: services.submit(invitation, "tac"))
    assert sum(not r.already_submitted for r in results) == 1
    assert {r.response.pk for r in results} == {Response.objects.get().pk}
    scales = list(Score.objects.values_list("scale", flat=True))
    assert len(scales) == len(set(scales))
    assert AuditEvent.objects.filter(action="submit").count() == 1


def test_a_sent_phq9_keeps_the_syndrome_its_algorithm_found(ames, first_session, leo):
    invitation, _ = services.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    # Core item 1 and items 3-6 at 2: five counted items, one of them core.
    answer_all(
        invitation, "phq-9", PHQ9_ANSWERS | {"1": 2, "3": 2, "4": 2, "5": 2, "6": 2}
    )
    result = services.submit(invitation, "phq-9")
    result.response.refresh_from_db()
    assert result.response.rule_results == {"syndrome": "major depressive syndrome"}
