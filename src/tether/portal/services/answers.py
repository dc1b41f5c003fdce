"""A member's answers through a link: autosaved one at a time into an
in-progress response; `submit` hands them to care's store_response, which
scores and stores them and queues the case's recompute after commit."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tether.accounts.models import User
from tether.care.alerts import reopen_risk_alert
from tether.care.answers import check_answer
from tether.care.errors import Code, InvalidEntry, Problem
from tether.care.models import Case, Response
from tether.care.responses import (
    keep_answer,
    record_unsent_risk,
    start_response,
    store_response,
)
from tether.care.selectors import definition_named
from tether.care.services import submit_response
from tether.instruments import Definition

from .. import tasks
from ..models import Channel, Invitation
from .invitations import check_open, responses_of, sent_instruments


@dataclass(frozen=True, slots=True)
class SubmitResult:
    response: Response
    risk: bool
    """A risk item was endorsed: show the static crisis information at once
    (docs/clinical-rules.md §Risk items), and nothing that implies an assessment."""
    already_submitted: bool = False


# ---- tokens --------------------------------------------------------------------


def save_answer(
    invitation: Invitation,
    instrument: str,
    item_id: str,
    value: object,
) -> Response:
    """Autosave one answer (None: "prefer not to answer") into the in-progress
    response, created on the first answer. Saving the same answer again changes
    nothing; a refused answer leaves every saved one as it was."""
    definition = _listed(invitation, instrument)
    item_id = str(item_id)
    answer = check_answer(definition, item_id, value)
    is_risk_item = item_id in {item.id for item in definition.risk_items}
    with transaction.atomic():
        locked = _locked(invitation)
        check_open(locked)
        if is_risk_item:
            # The risk alert is written now: lock the case first, in the
            # order submit and paper entry use (link, case, response).
            _lock_case(locked)
        response = (
            responses_of(locked.session_id, locked.member, [definition.key])
            .select_for_update()
            .first()
        )
        if response is None:
            response = _start_response(locked, definition)
        elif response.status != Response.Status.IN_PROGRESS:
            raise InvalidEntry(
                [
                    Problem(
                        "",
                        Code.ALREADY_SENT,
                        gettext_lazy(
                            "%(instrument)s was already sent, so its answers can no longer be changed."
                        ),
                        {"instrument": definition.short_title},
                    )
                ]
            )
        # A risk answer is a risk the moment it is saved, sent or not.
        if (
            keep_answer(response, item_id, answer)
            and is_risk_item
            and record_unsent_risk(response, definition)
        ):
            _notify_risk_once(locked, response)
    return response


def _lock_case(invitation: Invitation) -> Case:
    return Case.objects.select_for_update().get(pk=invitation.session.case_id)


def _notify_risk_once(invitation: Invitation, response: Response) -> None:
    """The first risk answer of a link reopens a closed alert of the same
    person, questionnaire and session, and tells the case's clinicians, once
    per link however often it is saved again. `invitation` must be
    row-locked."""
    if invitation.risk_notified_at is not None:
        return
    reopen_risk_alert(response)
    invitation.risk_notified_at = timezone.now()
    invitation.save(update_fields=["risk_notified_at"])
    # Sent by the worker once this is stored, never while the member waits.
    transaction.on_commit(
        partial(
            tasks.email_risk_alert.enqueue, invitation.pk, invitation.session.case_id
        ),
        robust=True,
    )


def _listed(invitation: Invitation, instrument: str) -> Definition:
    definition = definition_named(instrument)
    if definition.key not in invitation.instruments:
        raise InvalidEntry(
            [
                Problem(
                    "instrument",
                    Code.NOT_ON_LINK,
                    gettext_lazy(
                        "%(instrument)s is not one of this link's questionnaires."
                    ),
                    {"instrument": definition.short_title},
                )
            ]
        )
    return definition


def _locked(invitation: Invitation) -> Invitation:
    """The invitation, re-read under a row lock (PostgreSQL; SQLite's IMMEDIATE
    transactions already serialize writers)."""
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("session__case", "member")
        .get(pk=invitation.pk)
    )


def _start_response(invitation: Invitation, definition: Definition) -> Response:
    return start_response(
        session_id=invitation.session_id,
        organization=invitation.organization,
        member=invitation.member,
        respondent=invitation.respondent,
        definition=definition,
        # The language its questions were read in: the link's, or English
        # for a questionnaire without text in it (the PCL-5 has no Spanish).
        language=definition.text_language(invitation.language),
        entered_by=invitation.created_by if invitation.member is None else None,
        detail={"invitation": invitation.pk, "source": _source(invitation)},
    )


def _source(invitation: Invitation) -> str:
    return "kiosk" if invitation.channel == Channel.KIOSK else "link"


# ---- submitting ----------------------------------------------------------------


def submit(invitation: Invitation, instrument: str) -> SubmitResult:
    """Send one instrument's autosaved answers (care's store_response scores
    and stores them, raises any risk alert and queues the case's recompute)
    and, when every listed instrument is in, close the link; all in one
    transaction. Submitting again returns the stored response unchanged."""
    definition = _listed(invitation, instrument)
    with transaction.atomic():
        locked = _locked(invitation)
        # Lock order of every writer: link, case, response.
        _lock_case(locked)
        response = (
            responses_of(locked.session_id, locked.member, [definition.key])
            .select_for_update()
            .first()
        )
        if response is not None and response.status != Response.Status.IN_PROGRESS:
            return SubmitResult(response, response.risk_endorsed, True)
        check_open(locked)
        if response is None:
            raise InvalidEntry(
                [
                    Problem(
                        "",
                        Code.NOTHING_TO_SEND,
                        gettext_lazy(
                            "Please answer at least one question of %(instrument)s before sending."
                        ),
                        {"instrument": definition.short_title},
                    )
                ]
            )
        stored = store_response(
            session=locked.session,
            member=locked.member,
            respondent=locked.respondent,
            definition=definition,
            source=_source(locked),
            answers=response.answers,
            response=response,
            detail={"invitation": locked.pk},
        )
        _complete_if_done(locked, timezone.now())
        if stored.risk:
            _notify_risk_once(locked, response)
    return SubmitResult(response, stored.risk)


def _complete_if_done(invitation: Invitation, now: dt.datetime) -> None:
    done = sent_instruments(
        invitation.session_id, invitation.member, invitation.instruments
    )
    if done >= set(invitation.instruments):
        invitation.completed_at = now
        invitation.save(update_fields=["completed_at"])


def submit_from_app(
    user: User,
    session_id: int,
    instrument: str,
    member_id: int | None,
    respondent: str,
    answers: Mapping[str, object],
) -> SubmitResult:
    """A questionnaire another app collected and sends whole (the API): stored
    through the same store_response as a link's, answered once like a link,
    and a risk answer tells the case's clinicians as a link's does."""
    stored = submit_response(
        user, session_id, instrument, member_id, respondent, answers, source="api"
    )
    if stored.risk:
        case_id = stored.response.session.case_id
        transaction.on_commit(
            partial(tasks.email_risk_alert.enqueue, None, case_id), robust=True
        )
    return SubmitResult(stored.response, stored.risk)
