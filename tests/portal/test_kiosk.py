"""Kiosk mode (docs/architecture.md §Privacy): one tablet, each attending member
answers in turn; no clinical page is reachable until the clinician's password
ends it."""

import hashlib
import json
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session as DjangoSession
from django.test import Client
from tests.visible import visible_text

from tether.audit.models import AuditEvent
from tether.care import services as care
from tether.care.models import MeasurePlan, Response
from tether.portal import services
from tether.portal.kiosk_lock import KioskLockMiddleware
from tether.portal.models import Channel, Invitation

MIDDLEWARE = f"{KioskLockMiddleware.__module__}.{KioskLockMiddleware.__name__}"
PASSWORD = "correct horse battery"
TAC_ANSWERS = {str(i): 3 for i in range(1, 14)}
"""TAC 1.1 (the default) in a family case: 13 items."""


@pytest.fixture(autouse=True)
def kiosk_lock(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


@pytest.fixture
def kiosk(sign_in, ames, first_session):
    """Dr. Ames's browser, in kiosk mode for the first session."""
    client = sign_in(ames)
    response = client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    assert response.status_code == 302
    assert response["Location"] == "/kiosk/"
    return client


def tap(client, member):
    return client.post(f"/kiosk/members/{member.pk}/")


def token_of(response):
    location = response["Location"]
    assert location.startswith("/q/")
    assert location.endswith("/")
    return location[len("/q/") : -1]


def test_starting_the_kiosk_lists_the_attending_members_by_first_name(
    kiosk, first_session
):
    assert kiosk.session["kiosk_session_id"] == first_session.pk
    assert AuditEvent.objects.filter(
        action="kiosk-start", object_id=str(first_session.pk)
    ).exists()
    page = kiosk.get("/kiosk/")
    assert page.status_code == 200
    shown = visible_text(page)
    assert "Maria" in shown
    assert "Leo" in shown
    for hidden in ("Rivera", "aregiver", "dentified", "13", "18+", "Ames", "TAC"):
        assert hidden not in shown


def test_starting_the_kiosk_clears_the_browsers_cache_and_changes_the_session_key(
    sign_in, ames, first_session
):
    client = sign_in(ames)
    before = client.cookies["sessionid"].value
    response = client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    assert response["Location"] == "/kiosk/"
    assert response["Clear-Site-Data"] == '"cache"'
    assert "no-store" in response["Cache-Control"]
    after = client.cookies["sessionid"].value
    assert after != before
    assert not DjangoSession.objects.filter(session_key=before).exists()
    # The new key carries the sign-in, the second factor and the kiosk.
    assert client.session["kiosk_session_id"] == first_session.pk
    assert client.get("/kiosk/").status_code == 200
    assert client.get("/cases/")["Location"] == "/kiosk/"
    # A copy of the old cookie opens nothing: it is signed out.
    old = Client()
    old.cookies["sessionid"] = before
    assert old.get("/cases/")["Location"].startswith("/accounts/login/")
    assert old.get("/kiosk/")["Location"].startswith("/accounts/login/")


def test_the_password_ends_the_kiosk_under_its_new_session_key(
    sign_in, ames, first_session
):
    client = sign_in(ames)
    client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    assert client.get(f"/sessions/{first_session.pk}/")["Location"] == "/kiosk/"
    response = client.post("/kiosk/exit/", {"password": PASSWORD})
    assert response["Location"] == f"/sessions/{first_session.pk}/"
    page = client.get(f"/sessions/{first_session.pk}/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    # And it can start again, under yet another key.
    key = client.cookies["sessionid"].value
    client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    assert client.cookies["sessionid"].value != key
    assert client.get("/cases/")["Location"] == "/kiosk/"


def test_tapping_a_name_opens_that_members_link_for_this_session(
    kiosk, first_session, leo
):
    response = tap(kiosk, leo)
    assert response.status_code == 302
    invitation = services.find_invitation(token_of(response))
    assert invitation.member == leo
    assert invitation.session == first_session
    assert invitation.channel == Channel.KIOSK
    # TAC (1.1, the default) for 13+, and PCL-5 for the identified client (its
    # text is loaded here).
    assert invitation.instruments == ["tac@1.1", "pcl-5@past-week"]


def test_the_case_measure_plan_chooses_the_questionnaires(
    sign_in, ames, rivera, first_session, maria, leo
):
    MeasurePlan.objects.create(
        organization=rivera.organization,
        case=rivera,
        instrument="phq-9",
        roles=["caregiver"],
    )
    client = sign_in(ames)
    client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    shown = visible_text(client.get("/kiosk/"))
    assert "Maria" in shown
    assert "Leo" not in shown  # nothing planned for him
    invitation = services.find_invitation(token_of(tap(client, maria)))
    assert invitation.instruments == ["phq-9@1.0"]
    assert tap(client, leo)["Location"] == "/kiosk/"


def test_a_measure_plan_naming_tac_1_0_gets_tac_1_1_on_the_tablet(
    sign_in, ames, rivera, first_session, maria
):
    MeasurePlan.objects.create(
        organization=rivera.organization,
        case=rivera,
        instrument="tac@1.0",
        roles=["caregiver"],
    )
    client = sign_in(ames)
    client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    invitation = services.find_invitation(token_of(tap(client, maria)))
    assert invitation.instruments == ["tac@1.1"]


def test_tapping_again_replaces_the_link_and_starts_afresh(kiosk, leo):
    first = token_of(tap(kiosk, leo))
    services.save_answer(services.find_invitation(first), "tac", "1", 3)
    second = token_of(tap(kiosk, leo))
    assert second != first
    with pytest.raises(services.LinkError):
        services.find_invitation(first)
    invitation = services.find_invitation(second)
    saved = services.save_answer(invitation, "tac", "2", 3)
    assert saved.answers == {"2": 3}
    earlier = Response.objects.get(member=leo, status=Response.Status.INCOMPLETE)
    assert earlier.answers == {"1": 3}


def test_with_the_kiosk_on_no_clinical_page_is_reachable(kiosk, rivera, first_session):
    for path in (
        "/cases/",
        f"/cases/{rivera.pk}/",
        f"/sessions/{first_session.pk}/",
        "/accounts/users/",
        "/",
    ):
        response = kiosk.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/kiosk/", path
    response = kiosk.post(f"/sessions/{first_session.pk}/kiosk/start/")
    assert response["Location"] == "/kiosk/"


def test_a_wrong_password_keeps_the_kiosk(kiosk, ames):
    response = kiosk.post("/kiosk/exit/", {"password": "wrong"})
    assert response.status_code == 200
    assert "That password is not right." in response.content.decode()
    assert "kiosk_session_id" in kiosk.session
    assert kiosk.get("/cases/")["Location"] == "/kiosk/"
    assert AccessAttempt.objects.filter(username=ames.username).exists()


def test_the_right_password_returns_to_the_session_page(kiosk, first_session, leo):
    token = token_of(tap(kiosk, leo))
    assert kiosk.get("/kiosk/exit/").status_code == 200
    response = kiosk.post("/kiosk/exit/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{first_session.pk}/"
    assert "kiosk_session_id" not in kiosk.session
    assert kiosk.get("/cases/").status_code == 200
    assert kiosk.get(f"/sessions/{first_session.pk}/").status_code == 200
    assert kiosk.get("/kiosk/")["Location"] == "/cases/"
    # The kiosk links left open are closed with the kiosk.
    with pytest.raises(services.LinkError):
        services.find_invitation(token)


def test_a_supervisor_cannot_start_a_kiosk(sign_in, sam, first_session):
    client = sign_in(sam)
    response = client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    assert response.status_code == 403
    assert "kiosk_session_id" not in client.session
    assert client.get("/cases/").status_code == 200


def test_starting_needs_a_post(sign_in, ames, first_session):
    client = sign_in(ames)
    assert client.get(f"/sessions/{first_session.pk}/kiosk/start/").status_code == 405
    assert "kiosk_session_id" not in client.session


def test_a_member_who_has_finished_cannot_start_again(kiosk, maria):
    invitation = services.find_invitation(token_of(tap(kiosk, maria)))
    assert invitation.instruments == ["tac@1.1"]
    for item, value in TAC_ANSWERS.items():
        services.save_answer(invitation, "tac", item, value)
    services.submit(invitation, "tac")
    html = kiosk.get("/kiosk/").content.decode()
    assert "Done" in html
    assert f"/kiosk/members/{maria.pk}/" not in html
    response = tap(kiosk, maria)
    assert response["Location"] == "/kiosk/"
    assert Invitation.objects.filter(member=maria).count() == 1


def test_three_members_in_a_row_each_get_their_own_link(
    sign_in, ames, rivera, first_session, maria, leo
):
    ana = care.add_member(ames, rivera.pk, "Ana", "sibling", "8-12")
    care.set_attendance(ames, first_session.pk, [maria.pk, leo.pk, ana.pk])
    client = sign_in(ames)
    client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    assert "Ana" in client.get("/kiosk/").content.decode()
    invitations = [
        services.find_invitation(token_of(tap(client, member)))
        for member in (maria, leo, ana)
    ]
    assert [i.member for i in invitations] == [maria, leo, ana]
    assert len({i.pk for i in invitations}) == 3
    assert invitations[2].instruments == ["tac-child@1.1"]


def test_too_many_wrong_passwords_end_the_kiosk_by_signing_out(
    kiosk, settings, first_session, leo
):
    settings.AXES_FAILURE_LIMIT = 2
    token = token_of(tap(kiosk, leo))
    assert kiosk.post("/kiosk/exit/", {"password": "nope"}).status_code == 200
    response = kiosk.post("/kiosk/exit/", {"password": "still wrong"})
    assert response.status_code == 429
    assert "kiosk_session_id" not in kiosk.session
    assert kiosk.get("/cases/")["Location"].startswith("/accounts/login/")
    with pytest.raises(services.LinkError):
        services.find_invitation(token)


# ---- one tablet, several people (issue "Safety first", items 5-7) ------------------


def answer_on_the_tablet(client, token, slug, answers):
    client.post(f"/q/{token}/", {"mode": "all"})
    data = {f"item-{item}": str(value) for item, value in answers.items()}
    return client.post(f"/q/{token}/{slug}/", data)


@pytest.fixture
def phq9_for_maria(rivera):
    """Maria answers PHQ-9 on the tablet and Leo TAC (ask for it before `kiosk`)."""
    for instrument, role in (("phq-9", "caregiver"), ("tac", "identified-client")):
        MeasurePlan.objects.create(
            organization=rivera.organization,
            case=rivera,
            instrument=instrument,
            roles=[role],
        )


def test_a_kiosk_turn_never_shows_earlier_unsent_answers(kiosk, leo, maria):
    token = token_of(tap(kiosk, leo))
    kiosk.post(f"/q/{token}/", {"mode": "one"})
    for number, value in ((1, 4), (2, 0), (3, 1)):
        kiosk.post(f"/q/{token}/tac/{number}/", {f"item-{number}": str(value)})
    # Somebody else taps Leo's name: a fresh start, nothing of Leo's on screen.
    again = token_of(tap(kiosk, leo))
    welcome = kiosk.get(f"/q/{again}/").content.decode()
    assert "Welcome back" not in welcome
    kiosk.post(f"/q/{again}/", {"mode": "all"})
    page = kiosk.get(f"/q/{again}/tac/").content.decode()
    assert "checked" not in page
    # Maria's turn shows nothing of Leo's either.
    mine = token_of(tap(kiosk, maria))
    kiosk.post(f"/q/{mine}/", {"mode": "all"})
    assert "checked" not in kiosk.get(f"/q/{mine}/tac/").content.decode()
    # Leo's earlier answers are kept, as an incomplete response.
    kept = Response.objects.get(member=leo, status=Response.Status.INCOMPLETE)
    assert kept.answers == {"1": 4, "2": 0, "3": 1}


def test_the_kiosk_welcome_promises_no_resuming_by_link(kiosk, leo):
    token = token_of(tap(kiosk, leo))
    text = kiosk.get(f"/q/{token}/").content.decode()
    assert "this same link brings you back" not in text
    assert "just give the tablet back" in text
    # Nor does any question page (seen on the child's one-per-screen page).
    kiosk.post(f"/q/{token}/", {"mode": "one"})
    for url in (f"/q/{token}/tac/1/", f"/q/{token}/tac/"):
        page = kiosk.get(url).content.decode()
        assert "this same link brings you back" not in page, url
        assert "just give the tablet back" in page, url


def test_after_a_kiosk_turn_the_tablet_shows_the_neutral_hand_over(kiosk, maria):
    token = token_of(tap(kiosk, maria))
    sent = answer_on_the_tablet(kiosk, token, "tac", TAC_ANSWERS)
    end = kiosk.get(sent["Location"])
    assert end["Location"] == "/kiosk/next/"
    handover = kiosk.get("/kiosk/next/")
    text = visible_text(handover)
    assert "Please give the tablet back, or to the next person." in text
    assert "close this page" not in text
    assert "988" not in text
    assert handover["Cache-Control"].startswith("max-age=0")


def test_a_risk_answer_on_the_tablet_shows_support_alone_then_the_same_hand_over(
    phq9_for_maria, kiosk, maria, leo
):
    token = token_of(tap(kiosk, maria))
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 2}
    sent = answer_on_the_tablet(kiosk, token, "phq-9", answers)
    support = kiosk.get(sent["Location"])
    text = support.content.decode()
    shown = visible_text(support)
    assert "988" in shown
    assert "press 2" in shown
    assert "close this page" not in shown
    assert "give the tablet" not in shown  # the support page is for Maria alone
    assert 'href="/kiosk/next/"' in text
    after_risk = kiosk.get("/kiosk/next/").content
    # The hand-over after someone else's plain turn looks exactly the same.
    plain = token_of(tap(kiosk, leo))
    answer_on_the_tablet(kiosk, plain, "tac", TAC_ANSWERS)
    assert kiosk.get("/kiosk/next/").content == after_risk


def test_the_tablet_forgets_earlier_links_so_back_shows_no_end_page(
    phq9_for_maria, kiosk, maria
):
    token = token_of(tap(kiosk, maria))
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 3}
    sent = answer_on_the_tablet(kiosk, token, "phq-9", answers)
    done_url = sent["Location"]
    assert "988" in kiosk.get(done_url).content.decode()
    kiosk.get("/kiosk/next/")
    kiosk.get("/kiosk/")
    for url in (done_url, f"/q/{token}/", f"/q/{token}/phq-9/"):
        page = kiosk.get(url)
        assert page.status_code == 410, url
        text = visible_text(page)
        assert "These questions have already been answered" in text
        assert "988" not in text


PHQ9_WORDS = (
    "Little interest or pleasure",
    "Feeling down",
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
)
"""Questions and answers of the PHQ-9 as the member read them."""


def test_going_back_in_a_finished_kiosk_turn_shows_a_neutral_page(
    phq9_for_maria, kiosk, maria
):
    """Maria ends on the support page; whoever presses Back after her finds
    the same neutral page on every earlier address of her link, and her
    support page is not reachable again."""
    token = token_of(tap(kiosk, maria))
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 2}
    done_url = answer_on_the_tablet(kiosk, token, "phq-9", answers)["Location"]
    assert done_url == f"/q/{token}/done/"
    assert "988" in visible_text(kiosk.get(done_url))
    shown = []
    for url in (f"/q/{token}/phq-9/", f"/q/{token}/", f"/q/{token}/support/"):
        page = kiosk.get(url)
        assert page.status_code == 410, url
        assert "no-store" in page["Cache-Control"], url
        text = visible_text(page)
        shown.append(text)
        assert "These questions are finished" in text, url
        assert "Please hand the tablet back." in text, url
        assert "Estas preguntas han terminado" in text, url
        for private in ("988", "Maria", "Thank you", "Northside", *PHQ9_WORDS):
            assert private not in text, (url, private)
        assert "checked" not in page.content.decode(), url
    # Forward again: her end page is closed on this tablet too.
    again = kiosk.get(done_url)
    assert again.status_code == 410
    shown.append(visible_text(again))
    # The same page for everyone and everywhere: it says nothing of whose.
    assert len(set(shown)) == 1
    # The list forgets every link seen, the closed ones with the rest.
    kiosk.get("/kiosk/")
    assert not [k for k in kiosk.session.keys() if k.startswith("portal:")]  # noqa: SIM118
    forgotten = kiosk.get(done_url)
    assert "These questions have already been answered" in visible_text(forgotten)
    assert "988" not in visible_text(forgotten)


def test_the_tablet_remembers_links_by_a_hash_and_logs_no_token(
    phq9_for_maria, kiosk, maria, caplog
):
    """What the session keeps of the links seen and closed, the audit trail
    and the request log hold a hash at most, never the token."""
    token = token_of(tap(kiosk, maria))
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 1}
    done_url = answer_on_the_tablet(kiosk, token, "phq-9", answers)["Location"]
    kiosk.get(done_url)
    with caplog.at_level(logging.INFO):
        assert kiosk.get(f"/q/{token}/").status_code == 410  # logged as "Gone"
    stored = DjangoSession.objects.get(session_key=kiosk.session.session_key)
    data = json.dumps(stored.get_decoded())
    secret = token.split(".", 1)[0]
    assert hashlib.sha256(token.encode()).hexdigest() in data
    assert secret not in data
    assert token not in data
    details = json.dumps([event.detail for event in AuditEvent.objects.all()])
    assert secret not in details
    assert "Gone: /q/[redacted]" in caplog.text
    assert secret not in caplog.text


def test_a_form_sent_again_after_a_finished_kiosk_turn_shows_the_neutral_page(
    phq9_for_maria, kiosk, maria
):
    token = token_of(tap(kiosk, maria))
    answers = {str(i): 0 for i in range(1, 10)} | {"9": 1}
    answer_on_the_tablet(kiosk, token, "phq-9", answers)
    data = {f"item-{item}": str(value) for item, value in answers.items()}
    resent = kiosk.post(f"/q/{token}/phq-9/", data)
    assert resent.status_code == 410
    text = visible_text(resent)
    assert "These questions are finished" in text
    assert "988" not in text


def test_the_finished_kiosk_turn_without_a_risk_answer_goes_to_the_hand_over(
    kiosk, maria
):
    token = token_of(tap(kiosk, maria))
    sent = answer_on_the_tablet(kiosk, token, "tac", TAC_ANSWERS)
    assert kiosk.get(sent["Location"])["Location"] == "/kiosk/next/"
    # Back before the hand-over showed: the neutral page, not Maria's welcome.
    page = kiosk.get(f"/q/{token}/")
    assert page.status_code == 410
    assert "These questions are finished" in visible_text(page)
    assert "Maria" not in visible_text(page)


def test_the_kiosk_list_alone_forgets_the_links_seen(kiosk, maria):
    token = token_of(tap(kiosk, maria))
    sent = answer_on_the_tablet(kiosk, token, "tac", TAC_ANSWERS)
    assert kiosk.get(sent["Location"]).status_code == 302
    kiosk.get("/kiosk/")
    session = kiosk.session
    assert not [key for key in session.keys() if key.startswith("portal:")]  # noqa: SIM118
    assert kiosk.get(f"/q/{token}/done/").status_code == 410


def test_an_unfinished_turn_is_closed_when_the_list_shows_again(kiosk, leo):
    token = token_of(tap(kiosk, leo))
    kiosk.post(f"/q/{token}/", {"mode": "one"})
    kiosk.post(f"/q/{token}/tac/1/", {"item-1": "4"})
    # Leo hands the tablet back halfway; the list shows for the next person.
    kiosk.get("/kiosk/")
    for url in (f"/q/{token}/", f"/q/{token}/tac/1/"):
        page = kiosk.get(url)
        assert page.status_code == 410, url
        assert "checked" not in page.content.decode()
    kept = Response.objects.get(member=leo, status=Response.Status.INCOMPLETE)
    assert kept.answers == {"1": 4}


@pytest.mark.django_db(transaction=True)
def test_leaving_the_kiosk_with_an_unfinished_turn_keeps_its_answers(
    kiosk, first_session, leo
):
    """Outside a test transaction, as in production: on PostgreSQL a row lock
    outside a transaction is an error."""
    invitation = services.find_invitation(token_of(tap(kiosk, leo)))
    services.save_answer(invitation, "tac", "1", 2)
    response = kiosk.post("/kiosk/exit/", {"password": PASSWORD})
    assert response["Location"] == f"/sessions/{first_session.pk}/"
    kept = Response.objects.get(member=leo)
    assert (kept.status, kept.answers) == (Response.Status.INCOMPLETE, {"1": 2})
    assert not [k for k in kiosk.session.keys() if k.startswith("portal:")]  # noqa: SIM118


def test_the_browsers_own_fetches_do_not_end_a_turn_in_progress(kiosk, leo):
    """Seen in chromium: the favicon request, sent to the kiosk list by the
    lock, closed the turn the person had just started."""
    token = token_of(tap(kiosk, leo))
    favicon = kiosk.get("/favicon.ico", headers={"Sec-Fetch-Dest": "image"})
    assert favicon.status_code == 404
    kiosk.get("/kiosk/", headers={"Sec-Fetch-Dest": "image"})
    assert services.find_invitation(token).member == leo
    assert kiosk.post(f"/q/{token}/", {"mode": "one"}).status_code == 302
    # A page the person opens is still sent to the list.
    page = kiosk.get("/cases/", headers={"Sec-Fetch-Dest": "document"})
    assert page["Location"] == "/kiosk/"


def test_a_child_identified_client_is_not_given_the_adult_pcl5(
    sign_in, ames, rivera, first_session, maria
):
    """Seen walking the demo: an 8-year-old identified client was asked the
    PCL-5, an adult measure (for 7-13 CATS or CPSS-5 are preferred)."""
    oscar = care.add_member(ames, rivera.pk, "Oscar", "child", "8-12")
    oscar.role = "identified-client"
    oscar.save()
    care.set_attendance(ames, first_session.pk, [maria.pk, oscar.pk])
    client = sign_in(ames)
    client.post(f"/sessions/{first_session.pk}/kiosk/start/")
    invitation = services.find_invitation(token_of(tap(client, oscar)))
    assert invitation.instruments == ["tac-child@1.1"]
    with pytest.raises(care.InvalidEntry, match="not meant for Oscar's age band"):
        services.issue_invitation(ames, first_session.pk, oscar.pk, ["pcl-5"])
