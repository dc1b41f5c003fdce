"""Enrolment codes (accounts/services.py): issued, stored only as a hash,
spent once, refused when expired or replaced, every step audited without the
code (docs/security.md §Second-factor enrolment)."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.accounts import services
from tether.accounts.models import EnrolmentCode
from tether.audit.models import AuditEvent

Refused = services.EnrolmentCodeRefused


def reason(user, typed):
    with pytest.raises(Refused) as caught:
        services.redeem_enrolment_code(user, typed)
    return caught.value.reason


def test_only_the_sha256_of_the_code_is_stored(ada, ames):
    issued = services.issue_enrolment_code(ada, ames)
    stored = EnrolmentCode.objects.get(user=ames)
    plain = issued.code.replace("-", "")
    assert len(plain) == 16
    assert stored.code_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in stored.code_hash
    assert (stored.issued_by, stored.via) == (ada, "admin")
    assert stored.expires_at == issued.expires_at


def test_a_code_lasts_three_days(ada, ames):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        issued = services.issue_enrolment_code(ada, ames)
    assert issued.expires_at == start + dt.timedelta(days=3)
    with time_machine.travel(issued.expires_at, tick=False):
        assert reason(ames, issued.code) == Refused.EXPIRED
    with time_machine.travel(issued.expires_at - dt.timedelta(seconds=1), tick=False):
        assert services.redeem_enrolment_code(ames, issued.code).used_at is not None


def test_a_code_works_once(ada, ames):
    code = services.issue_enrolment_code(ada, ames).code
    services.redeem_enrolment_code(ames, code)
    assert reason(ames, code) == Refused.USED


@pytest.mark.parametrize(
    "typed", ["{code}", "{lower}", " {plain} ", "{spaced}", "{misread}"]
)
def test_a_code_is_read_whatever_its_case_spaces_dashes_and_look_alike_letters(
    ada, ames, typed
):
    code = services.issue_enrolment_code(ada, ames).code
    plain = code.replace("-", "")
    forms = {
        "code": code,
        "lower": code.lower(),
        "plain": plain,
        "spaced": " ".join(code.split("-")),
        "misread": plain.replace("0", "O").replace("1", "l"),
    }
    assert services.redeem_enrolment_code(ames, typed.format(**forms))


def test_a_new_code_replaces_the_earlier_one(ada, ames):
    first = services.issue_enrolment_code(ada, ames).code
    second = services.issue_enrolment_code(ada, ames).code
    assert reason(ames, first) == Refused.WRONG
    assert services.redeem_enrolment_code(ames, second)
    assert EnrolmentCode.objects.filter(user=ames).count() == 1


def test_a_code_is_only_its_holders(ada, ames, baker):
    code = services.issue_enrolment_code(ada, baker).code
    assert reason(ames, code) == Refused.WRONG
    assert reason(ames, "") == Refused.WRONG


def test_issue_use_and_refusal_are_audited_without_the_code(ada, ames):
    code = services.issue_enrolment_code(ada, ames).code
    reason(ames, "AAAA-AAAA-AAAA-AAAA")
    services.redeem_enrolment_code(ames, code)
    events = AuditEvent.objects.filter(object_id=str(ames.pk)).order_by("pk")
    assert [(e.user, e.action, e.detail.get("reason")) for e in events] == [
        (ada, "enrolment-code-issued", None),
        (ames, "enrolment-code-refused", "wrong"),
        (ames, "enrolment-code-used", None),
    ]
    assert events[0].detail["via"] == "admin"
    plain = code.replace("-", "")
    for event in events:
        assert code not in str(event.detail)
        assert plain not in str(event.detail)


def test_a_reset_removes_the_devices_and_issues_a_code(ada, ames):
    TOTPDevice.objects.create(user=ames, name="app", confirmed=True)
    StaticDevice.objects.create(user=ames, name="backup", confirmed=True)
    issued = services.reset_second_factor(ada, ames)
    assert not TOTPDevice.objects.filter(user=ames).exists()
    assert not StaticDevice.objects.filter(user=ames).exists()
    assert services.redeem_enrolment_code(ames, issued.code)


def test_finishing_enrolment_spends_the_code(ada, ames):
    code = services.issue_enrolment_code(ada, ames).code
    services.redeem_enrolment_code(ames, code)
    device = services.start_enrolment(ames)
    services.finish_enrolment(ames, device)
    assert not EnrolmentCode.objects.filter(user=ames).exists()
    assert reason(ames, code) == Refused.WRONG
