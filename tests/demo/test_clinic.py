"""The demo clinic: 40 simulated cases over three clinicians, every kind of
alert, and the Rivera family's open red rupture."""

from itertools import pairwise

import pytest

from tether.accounts.models import Organization, Role, User
from tether.care.models import AgeBand, Case, Member, Response, Session, Signal
from tether.demo.clinic import (
    DEMO_PASSWORD,
    REQUIRED_ALERTS,
    DemoSeedError,
    choose_showcase,
    missing_alert_kinds,
    plant_unrepaired_rupture,
    seed_demo_clinic,
    withhold,
)
from tether.instruments import load_library
from tether.signals import check_scores, compute_signals
from tether.simulate import simulate_cohort

pytestmark = pytest.mark.django_db


class TestTheDemoClinic:
    def test_forty_cases_are_spread_over_the_three_clinicians(self, clinic):
        cases = Case.objects.filter(organization=clinic.organization)
        assert cases.count() == 40
        owners = {
            username: cases.filter(clinicians__username=username).count()
            for username in ("dr.ames", "dr.baker", "dr.chen")
        }
        assert sum(owners.values()) == 40
        assert min(owners.values()) >= 12
        assert clinic.organization.name == "Northside Clinic (demo)"

    def test_every_kind_of_alert_is_open_somewhere_in_the_clinic(self, clinic):
        kinds = set(
            Signal.objects.filter(
                organization=clinic.organization, status=Signal.Status.OPEN
            ).values_list("kind", flat=True)
        )
        for names in REQUIRED_ALERTS:
            assert kinds.intersection(names), f"no {' or '.join(names)} alert"
        assert missing_alert_kinds(clinic.organization) == []
        assert set(clinic.alert_counts) == kinds

    def test_the_low_alliance_alert_comes_from_a_paper_srs_below_36(self, clinic):
        signal = Signal.objects.get(
            organization=clinic.organization, kind="low-alliance"
        )
        assert signal.evidence["instrument"].startswith("srs@")
        assert signal.evidence["score"] < 36
        paper = Response.objects.get(
            session__case=signal.case, status=Response.Status.PAPER
        )
        assert paper.instrument.startswith("srs@")
        assert paper.member.age_band == AgeBand.ADULT

    def test_the_rivera_family_is_dr_ames_case_with_an_open_red_teen_rupture(
        self, clinic
    ):
        rivera = Case.objects.get(
            organization=clinic.organization, label="Rivera family"
        )
        assert rivera.pk == clinic.showcase_case_id
        assert rivera.kind == "family"
        assert [u.username for u in rivera.clinicians.all()] == ["dr.ames"]
        ruptures = rivera.signals.filter(
            kind="rupture",
            severity="red",
            status=Signal.Status.OPEN,
            state="unrepaired",
        )
        assert ruptures.exists()
        teens = {
            f"member:{m.pk}": m for m in rivera.members.filter(age_band=AgeBand.TEEN)
        }
        assert any(r.subject in teens for r in ruptures)
        # Unrepaired by the latest session: nothing after the rupture brought it back.
        last = rivera.sessions.order_by("-number").first()
        rupture = next(r for r in ruptures if r.subject in teens)
        assert rupture.session_number < last.number
        assert rupture.evidence["repaired_session"] is None

    def test_sessions_are_a_week_apart_and_attendance_follows_the_answers(self, clinic):
        rivera = Case.objects.get(pk=clinic.showcase_case_id)
        dates = list(rivera.sessions.values_list("date", flat=True))
        assert all((b - a).days == 7 for a, b in pairwise(dates))
        session = rivera.sessions.first()
        answered = set(
            Response.objects.filter(
                session=session,
                respondent=Response.Respondent.MEMBER,
                status=Response.Status.COMPLETE,
            ).values_list("member_id", flat=True)
        )
        assert set(session.attended.values_list("pk", flat=True)) == answered

    def test_an_unanswered_invitation_is_kept_with_empty_scores(self, clinic):
        unanswered = Response.objects.filter(
            organization=clinic.organization, status=Response.Status.IN_PROGRESS
        )
        assert unanswered.exists()
        response = unanswered.first()
        assert response.submitted_at is None
        assert all(score.value is None for score in response.scores.all())
        assert (
            not Session.objects.get(pk=response.session_id)
            .attended.filter(pk=response.member_id)
            .exists()
        )

    def test_members_have_names_and_youths_have_their_age_band(self, clinic):
        members = Member.objects.filter(organization=clinic.organization)
        assert all(m.first_name for m in members)
        assert members.filter(age_band=AgeBand.CHILD).exists()
        assert members.filter(age_band=AgeBand.TEEN).exists()
        child = members.filter(age_band=AgeBand.CHILD).first()
        assert not Response.objects.filter(member=child, instrument__startswith="tac@")
        assert Response.objects.filter(
            member=child, instrument__startswith="tac-child@"
        )

    def test_the_demo_accounts_are_marked_and_share_the_demo_password(self, clinic):
        users = User.objects.filter(organization=clinic.organization)
        assert set(users.values_list("username", flat=True)) == {
            "dr.ames",
            "dr.baker",
            "dr.chen",
            "sam.supervisor",
            "ada.admin",
        }
        assert all(u.is_demo_account for u in users)
        assert all(u.check_password(DEMO_PASSWORD) for u in users)
        assert all(u.password.startswith("argon2") for u in users)
        assert users.get(username="dr.ames").display == "Dr. Ames"
        assert users.get(username="sam.supervisor").roles == {Role.SUPERVISOR}
        assert users.get(username="ada.admin").roles == {Role.ADMIN}
        assert users.get(username="dr.chen").roles == {Role.CLINICIAN, Role.ADMIN}
        assert users.get(username="dr.ames").roles == {Role.CLINICIAN}
        assert clinic.password == DEMO_PASSWORD == "tether-demo"

    def test_seeding_twice_in_one_database_is_refused(self, clinic):
        with pytest.raises(DemoSeedError, match="already in this database"):
            seed_demo_clinic(cases=40, seed=2026)
        assert Organization.objects.filter(name="Northside Clinic (demo)").count() == 1


def test_a_clinic_missing_a_kind_of_alert_is_refused_and_nothing_is_saved():
    with pytest.raises(DemoSeedError, match="low-support, disengagement"):
        seed_demo_clinic(cases=10, seed=2026)
    assert not Organization.objects.exists()
    assert not User.objects.exists()


def test_without_a_simulated_teen_rupture_one_is_planted_and_detected():
    cohort = simulate_cohort(40, 2026)
    scores = withhold(cohort.scores)
    truth = cohort.truth[cohort.truth["event"] != "rupture"]
    showcase = choose_showcase(scores, truth)
    assert showcase.planted_from is not None
    planted = plant_unrepaired_rupture(
        scores, showcase.case_id, showcase.member_id, showcase.planted_from
    )
    library = load_library()
    raw = planted.assign(
        score=planted["score"].map(lambda v: "" if v != v else repr(float(v)))
    )
    signals = compute_signals(check_scores(raw.fillna(""), library), library).signals
    rupture = signals[
        (signals["case_id"] == showcase.case_id)
        & (signals["signal"] == "rupture")
        & (signals["subject"] == f"member:{showcase.member_id}")
    ]
    assert list(rupture["state"]) == ["unrepaired"]
    assert list(rupture["session"]) == [showcase.planted_from]
