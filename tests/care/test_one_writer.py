"""Responses and scores are written in one module, care/responses.py, and
every front door stores a sent questionnaire through `store_response`."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from tests.orm_writes import write_calls

import tether
from tether.care import responses, services
from tether.portal import services as portal

SOURCE = Path(tether.__file__).resolve().parent
THE_WRITER = SOURCE / "care" / "responses.py"
MODELS = {"Response", "Score"}


def writes_in(path):
    """`Response.objects…create/update/delete` and the like, and `.save()` of
    a variable named like a response or score, with their line numbers."""
    found = []
    for node, root in write_calls(path):
        method, receiver = node.func.attr, node.func.value
        by_model = method != "save" and root in MODELS
        saved = (
            method == "save"
            and isinstance(receiver, ast.Name)
            and receiver.id.lower().rstrip("s") in {"response", "score"}
        )
        if by_model or saved:
            found.append((path.name, node.lineno, ast.unparse(node.func)))
    return found


def test_only_care_responses_writes_responses_and_scores():
    modules = [
        path
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and path != THE_WRITER
    ]
    assert [w for path in modules for w in writes_in(path)] == []


def test_the_writer_check_sees_a_write():
    """The check above can fail: it finds the writes of responses.py itself."""
    kinds = {call for *_, call in writes_in(THE_WRITER)}
    assert {"Response.objects.create", "Score.objects.bulk_create"} <= kinds
    assert "response.save" in kinds


@pytest.fixture
def calls(monkeypatch):
    """Every call of store_response, by source, through the name each front
    door imported."""
    seen = []
    real = responses.store_response

    def spy(**kwargs):
        seen.append(kwargs["source"])
        return real(**kwargs)

    for module in (services, portal.answers):
        monkeypatch.setattr(module, "store_response", spy)
    return seen


def test_paper_entry_stores_through_store_response(ames, first_session, leo, calls):
    services.enter_paper_response(
        ames, first_session.pk, "tac", leo.pk, totals={"self": 3.0}
    )
    assert calls == ["paper"]


def test_a_link_and_a_kiosk_turn_store_through_store_response(
    ames, first_session, leo, maria, calls
):
    from tether.portal.models import Channel

    for member, channel in ((leo, Channel.LINK), (maria, Channel.KIOSK)):
        invitation, _ = portal.issue_invitation(
            ames,
            first_session.pk,
            member.pk,
            ["phq-9"],
            channel=channel,
            expires_in=dt.timedelta(hours=2),
        )
        for item in range(1, 10):
            portal.save_answer(invitation, "phq-9", str(item), 0)
        portal.submit(invitation, "phq-9")
    assert calls == ["link", "kiosk"]
