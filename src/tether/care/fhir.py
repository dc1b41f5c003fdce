"""One session as a FHIR R4 Bundle, read with permission and audited: for
`tether export fhir --session ID` and the API's
`GET /api/v1/sessions/{id}/fhir` (docs/interop.md §Sessions).

The conversion itself is pure (`tether.interop.fhir_session`); this module
chooses what goes into it: the responses that count as answered (complete or
entered from paper; never in-progress or incomplete ones), their scale scores,
and people as identifiers in `TETHER_FHIR_IDENTIFIER_SYSTEM` — a member as
`member-<id>`, the whole family as `case-<id>`, a therapist as `user-<id>`,
the session as `session-<id>` — never a name, contact or note.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from tether.accounts.models import User
from tether.audit.services import record
from tether.interop.fhir_session import (
    Person,
    SessionRecord,
    SessionResponse,
    StoredScore,
)
from tether.interop.fhir_session import (
    session_bundle as bundle_of,
)

from .frames import library
from .models import SENT, Response, Session
from .selectors import get_session_for


class NoSuchSession(LookupError):
    """No session has this id (the command line's answer; a user who may
    not see a session gets the selectors' 404 instead)."""


def session_bundle(user: User | None, session_id: int) -> dict[str, Any]:
    """The session's answers and scores as a FHIR Bundle (a JSON-ready dict).
    With a user: only a session of a case they may read (404 otherwise, as
    every read); without one (the command line, run by whoever runs the
    server): any session. Audited as an export either way."""
    if user is not None:
        session = get_session_for(user, session_id)
    else:
        found = Session.objects.select_related("case").filter(pk=session_id).first()
        if found is None:
            raise NoSuchSession(f"no session with id {session_id}")
        session = found
    responses = list(
        session.responses.filter(status__in=SENT)
        .prefetch_related("scores")
        .order_by("pk")
    )
    bundle = bundle_of(
        _record(session, responses),
        library(),
        settings.TETHER_FHIR_IDENTIFIER_SYSTEM,
        timestamp=timezone.now().isoformat(timespec="seconds"),
    )
    record(
        user,
        "export",
        "session",
        session.pk,
        organization=session.organization,
        detail={"case": session.case_id, "for": "FHIR", "responses": len(responses)},
    )
    return bundle


def _record(session: Session, responses: list[Response]) -> SessionRecord:
    return SessionRecord(
        id=session.pk,
        date=session.date.isoformat(),
        responses=tuple(_response(session, r) for r in responses),
    )


def _response(session: Session, response: Response) -> SessionResponse:
    about = (
        Person("Patient", f"member-{response.member_id}")
        if response.member_id is not None
        else Person("Group", f"case-{session.case_id}")
    )
    if response.respondent == Response.Respondent.THERAPIST:
        author = (
            Person("Practitioner", f"user-{response.entered_by_id}")
            if response.entered_by_id is not None
            else None
        )
    else:
        author = about
    when = response.submitted_at
    return SessionResponse(
        id=response.pk,
        instrument=response.instrument,
        subject=about,
        author=author,
        authored=when.isoformat(timespec="seconds")
        if when
        else session.date.isoformat(),
        answers={
            str(item): float(value) if isinstance(value, int | float) else None
            for item, value in (response.answers or {}).items()
        },
        scores=tuple(
            StoredScore(score.scale, float(score.value), score.prorated)
            for score in response.scores.all()
            if score.value is not None and not score.scale.startswith("item:")
        ),
    )
