"""Writes: each service checks permission, runs in one transaction, and leaves
an audit event. Views and the API call these, never the models directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tether.accounts.models import User
from tether.audit.services import record
from tether.signals.alliance import SUBSYSTEMS, subsystem_of

from .alerts import add_note, recompute_case_signals, refit_organization
from .errors import InvalidEntry
from .models import (
    AgeBand,
    Case,
    CaseKind,
    Member,
    MemberRole,
    Response,
    Session,
    Signal,
    Subsystem,
)
from .recompute import catch_up_overdue
from .responses import store_response
from .selectors import (
    can_create_case,
    definition_named,
    get_case_for,
    get_case_to_assign,
    get_session_for,
)

__all__ = [
    "InvalidEntry",
    "recompute_case_signals",
    "refit_organization",
]
"""Besides this module's own services: the error every care write raises, and
the alert writes other apps and tests call (care/alerts.py)."""

CASE_UPKEEP: list[Callable[[Case], object]] = []
"""Catch-up work other apps register for a case (the portal keeps the unsent
answers of expired links as incomplete responses). `catch_up` runs it when the
case is read, until a background worker runs it on time."""


def catch_up(case: Case) -> None:
    for upkeep in CASE_UPKEEP:
        upkeep(case)
    catch_up_overdue(case)


# ---- cases and members ---------------------------------------------------------


def create_case(
    user: User,
    label: str,
    kind: str,
    clinicians: Iterable[User] = (),
    trauma_focus: str = "",
) -> Case:
    """A new case: a clinician's own by default; an administrator names its
    clinicians."""
    if not can_create_case(user):
        raise PermissionDenied("Supervisors have read-only access to cases.")
    if kind not in CaseKind.values:
        raise InvalidEntry(
            [f"kind: {kind!r} is not one of {', '.join(CaseKind.values)}"]
        )
    if not label.strip():
        raise InvalidEntry(["label: give the case a name"])
    chosen = list(clinicians) or ([user] if user.is_clinician else [])
    if not chosen:
        raise InvalidEntry(["clinicians: choose at least one clinician"])
    _check_same_organization(user, chosen)
    with transaction.atomic():
        case = Case.objects.create(
            organization=user.organization,
            label=label.strip(),
            kind=kind,
            trauma_focus=trauma_focus,
        )
        case.clinicians.set(chosen)
        record(user, "create", "case", case.pk, detail={"kind": kind})
    return case


def _check_same_organization(user: User, others: Iterable[User]) -> None:
    foreign = [u.username for u in others if u.organization_id != user.organization_id]
    if foreign:
        raise InvalidEntry(
            [f"clinicians: {', '.join(foreign)} is not in your organization"]
        )


def assign_clinicians(user: User, case_id: int, clinicians: Iterable[User]) -> Case:
    """The case's clinicians become `clinicians`: by one of them, or by an
    administrator."""
    case = get_case_to_assign(user, case_id)
    chosen = list(clinicians)
    if not chosen:
        raise InvalidEntry(["clinicians: choose at least one clinician"])
    not_clinicians = [u.username for u in chosen if not u.is_clinician]
    if not_clinicians:
        raise InvalidEntry(
            [
                f"clinicians: {', '.join(not_clinicians)} does not have the clinician role"
            ]
        )
    _check_same_organization(user, chosen)
    with transaction.atomic():
        case.clinicians.set(chosen)
        record(
            user,
            "assign",
            "case",
            case.pk,
            detail={"clinicians": [c.pk for c in chosen]},
        )
    return case


def close_case(user: User, case_id: int) -> Case:
    case = get_case_for(user, case_id, write=True)
    with transaction.atomic():
        case.status = Case.Status.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at"])
        record(user, "close", "case", case.pk)
    return case


def add_member(
    user: User,
    case_id: int,
    first_name: str,
    role: str,
    age_band: str = AgeBand.ADULT,
    language: str = "en",
    email: str = "",
    phone: str = "",
) -> Member:
    case = get_case_for(user, case_id, write=True)
    problems = []
    if not first_name.strip():
        problems.append("first_name: give the member's first name")
    if role not in MemberRole.values:
        problems.append(f"role: {role!r} is not one of {', '.join(MemberRole.values)}")
    if age_band not in AgeBand.values:
        problems.append(
            f"age_band: {age_band!r} is not one of {', '.join(AgeBand.values)}"
        )
    if problems:
        raise InvalidEntry(problems)
    with transaction.atomic():
        member = Member.objects.create(
            organization=case.organization,
            case=case,
            first_name=first_name.strip(),
            role=role,
            age_band=age_band,
            language=language,
            email=email,
            phone=phone,
        )
        derive_subsystems(case, [member])
        record(user, "create", "member", member.pk, detail={"case": case.pk})
    return member


def derive_subsystems(case: Case, members: Iterable[Member] | None = None) -> None:
    """Put members (by default every active one) in the subsystem their role
    places them in (docs/architecture.md §Records; `subsystem_of`, the rule the signals use): in a
    family case an adult identified client joins the caregivers. Only the
    members given are placed, so an edited subsystem keeps its members."""
    chosen = list(case.members.filter(active=True) if members is None else members)
    by_name: dict[str, list[Member]] = {}
    for member in chosen:
        band = "youth" if member.is_youth else "adult"
        name = subsystem_of(member.role, band, case.kind)
        if name is not None:
            by_name.setdefault(name, []).append(member)
    for name, belong in by_name.items():
        subsystem, _ = Subsystem.objects.get_or_create(
            organization=case.organization, case=case, name=name
        )
        subsystem.members.add(*belong)


def set_subsystem(
    user: User, case_id: int, name: str, member_ids: Iterable[int]
) -> Subsystem:
    case = get_case_for(user, case_id, write=True)
    members = list(case.members.filter(pk__in=list(member_ids)))
    if not name.strip():
        raise InvalidEntry(["name: give the subsystem a name"])
    _check_one_signal_subsystem(case, name.strip(), members)
    with transaction.atomic():
        subsystem, _ = Subsystem.objects.get_or_create(
            organization=case.organization, case=case, name=name.strip()
        )
        subsystem.members.set(members)
        record(
            user,
            "update",
            "subsystem",
            subsystem.pk,
            detail={"members": [m.pk for m in members]},
        )
    return subsystem


def _check_one_signal_subsystem(
    case: Case, name: str, members: Iterable[Member]
) -> None:
    """The signals count each member in one of caregivers, children and couple
    (docs/long-format.md): a member already in another of them is named."""
    if name not in SUBSYSTEMS:
        return
    others = Subsystem.members.through.objects.filter(
        subsystem__case=case,
        subsystem__name__in=[n for n in SUBSYSTEMS if n != name],
        member__in=list(members),
    ).select_related("member", "subsystem")
    problems = [
        f"members: {link.member.first_name} is in the {link.subsystem.name} "
        f"subsystem; take them out of it first (a member belongs to one of "
        f"{', '.join(SUBSYSTEMS)})"
        for link in others
    ]
    if problems:
        raise InvalidEntry(problems)


# ---- sessions and responses ----------------------------------------------------


def start_session(
    user: User, case_id: int, date: dt.date | None = None, attended: Iterable[int] = ()
) -> Session:
    case = get_case_for(user, case_id, write=True)
    with transaction.atomic():
        number = (
            case.sessions.order_by("-number").values_list("number", flat=True).first()
            or 0
        ) + 1
        session = Session.objects.create(
            organization=case.organization,
            case=case,
            number=number,
            date=date or timezone.localdate(),
        )
        session.attended.set(case.members.filter(pk__in=list(attended)))
        record(
            user,
            "create",
            "session",
            session.pk,
            detail={"case": case.pk, "number": number},
        )
    return session


def set_attendance(user: User, session_id: int, attended: Iterable[int]) -> Session:
    session = get_session_for(user, session_id, write=True)
    with transaction.atomic():
        session.attended.set(session.case.members.filter(pk__in=list(attended)))
        record(user, "update", "session", session.pk)
    return session


def enter_paper_response(
    user: User,
    session_id: int,
    instrument: str,
    member_id: int | None,
    respondent: str = Response.Respondent.MEMBER,
    answers: Mapping[str, object] | None = None,
    totals: Mapping[str, object] | None = None,
) -> Response:
    """Enter a questionnaire from paper, as items or as scale totals; stored
    like any sent questionnaire (responses.store_response)."""
    session = get_session_for(user, session_id, write=True)
    definition = definition_named(instrument)
    member = None
    if member_id is not None:
        member = session.case.members.filter(pk=member_id).first()
        if member is None:
            raise InvalidEntry([f"member: {member_id} is not a member of this case"])
    elif respondent == Response.Respondent.MEMBER:
        raise InvalidEntry(["member: choose who answered"])
    return store_response(
        session=session,
        member=member,
        respondent=respondent,
        definition=definition,
        source="paper",
        answers=answers,
        totals=totals,
        actor=user,
    ).response


def acknowledge_signal(
    user: User, signal_id: int, note: str = "", resolve: bool = False
) -> Signal:
    from .selectors import get_signal_for

    signal = get_signal_for(user, signal_id, write=True)
    with transaction.atomic():
        _acknowledge(user, signal, note, resolve)
    return signal


def _acknowledge(user: User, signal: Signal, note: str, resolve: bool) -> None:
    signal.status = Signal.Status.RESOLVED if resolve else Signal.Status.ACKNOWLEDGED
    if note.strip():
        add_note(signal, note.strip())
    signal.acknowledged_by = user
    signal.acknowledged_at = timezone.now()
    signal.save(update_fields=["status", "note", "acknowledged_by", "acknowledged_at"])
    record(
        user,
        "resolve" if resolve else "acknowledge",
        "signal",
        signal.pk,
        organization=signal.organization,
    )
