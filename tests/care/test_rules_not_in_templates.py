"""Each rule a page shows lives once, in the domain: the caseload's PCL-5
tags follow the clinic's change rule, severities are named and ordered once,
and a link's state is the same for the clinician and for the person who
opens it."""

import datetime as dt

import pytest
from tests.visible import visible_text

from tether.care import services
from tether.care.templatetags.care import severity_label
from tether.portal import services as portal
from tether.portal.services import LinkError
from tether.signals import SEVERITIES, severity_rank


def client_pcl5(ames, rivera, leo, totals):
    for number, total in enumerate(totals, start=1):
        session = services.start_session(ames, rivera.pk, dt.date(2026, 11, number))
        services.enter_paper_response(
            ames, session.pk, "pcl-5", leo.pk, totals={"total": total}
        )


def test_a_12_point_rise_is_meaningfully_worse_under_the_default_rule(
    ames, rivera, leo, sign_in
):
    client_pcl5(ames, rivera, leo, [40, 52])
    page = visible_text(sign_in(ames).get("/cases/").content.decode())
    assert "meaningfully worse" in page
    assert (
        "a change of 10 points or more since intake is a clinically meaningful change"
        in page
    )


def test_with_the_clinics_reliable_change_rule_12_points_is_no_tag_and_16_is(
    ames, rivera, leo, sign_in, northside
):
    northside.signal_settings = {"change_alert_rule": "reliable-change"}
    northside.save()
    client_pcl5(ames, rivera, leo, [40, 52])
    page = sign_in(ames).get("/cases/").content.decode()
    # The cases themselves; the filter menu above them names every alert kind.
    cases = visible_text(page[page.index('<table class="grid caseload">') :])
    assert "worse" not in cases
    assert "a change of 15 points or more since intake is a reliable change" in (
        visible_text(page)
    )
    client_pcl5(ames, rivera, leo, [40, 56])
    assert "reliably worse" in visible_text(
        sign_in(ames).get("/cases/").content.decode()
    )


def test_severities_have_one_order_and_one_name():
    assert sorted(SEVERITIES, key=severity_rank) == ["info", "green", "yellow", "red"]
    assert severity_rank("unknown") < severity_rank("info")
    assert [str(severity_label(s)) for s in ("red", "yellow", "green", "info")] == [
        "Red",
        "Yellow",
        "Good news",
        "For information",
    ]


def test_a_closed_cases_link_is_closed_for_the_clinician_and_the_client(
    ames, first_session, leo, rivera, sign_in
):
    _, token = portal.issue_invitation(ames, first_session.pk, leo.pk, ["phq-9"])
    services.close_case(ames, rivera.pk)
    page = visible_text(
        sign_in(ames).get(f"/sessions/{first_session.pk}/links/").content.decode()
    )
    assert "closed" in page
    assert " open " not in f" {page} "
    with pytest.raises(LinkError) as refused:
        portal.find_invitation(token)
    assert refused.value.reason == LinkError.REVOKED
