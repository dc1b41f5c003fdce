"""Writes: each service checks permission, runs in one transaction, and leaves
an audit event. Views and the API call these, never the models directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tether.accounts.models import Organization, User
from tether.audit.services import record
from tether.signals import SignalConfig
from tether.signals.alliance import SUBSYSTEMS, subsystem_of
from tether.signals.tunables import check_settings, default_of

from . import thresholds
from .alerts import add_note, recompute_case_signals, refit_organization
from .errors import FEEDBACK_CHOICE, TOO_LONG, Code, InvalidEntry, Problem, Text
from .models import (
    SENT,
    AgeBand,
    Case,
    CaseKind,
    Feedback,
    MeasurePlan,
    Member,
    MemberRole,
    Response,
    Session,
    Signal,
    Subsystem,
)
from .plan import MEMBER_ROLES, THERAPIST, answered_by, clinic_plan, plans_for
from .recompute import catch_up_overdue, request_refit
from .responses import Stored, store_response
from .selectors import (
    can_create_case,
    definition_named,
    get_case_for,
    get_case_to_assign,
    get_session_for,
)

__all__ = [
    "Code",
    "InvalidEntry",
    "Problem",
    "recompute_case_signals",
    "refit_organization",
]
"""Besides this module's own services: the error every care write raises with
its problems (care/errors.py), and the alert writes other apps and tests call
(care/alerts.py)."""

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
    problems = text_problems(
        Case,
        {"label": label, "trauma_focus": trauma_focus},
        required={"label": gettext_lazy("Give the case a name.")},
    )
    if kind not in CaseKind.values:
        problems.append(
            Problem(
                "kind",
                Code.NOT_A_CHOICE,
                gettext_lazy("Choose individual, couple or family."),
            )
        )
    chosen = list(clinicians) or ([user] if user.is_clinician else [])
    if not chosen:
        problems.append(
            Problem(
                "clinicians",
                Code.REQUIRED,
                gettext_lazy("Choose at least one clinician."),
            )
        )
    if problems:
        raise InvalidEntry(problems)
    _check_same_organization(user, chosen)
    with transaction.atomic():
        case = Case.objects.create(
            organization=user.organization,
            label=label.strip(),
            kind=kind,
            trauma_focus=trauma_focus.strip(),
        )
        case.clinicians.set(chosen)
        record(user, "create", "case", case.pk, detail={"kind": kind})
    return case


def text_problems(
    model: type[models.Model],
    texts: Mapping[str, str],
    required: Mapping[str, Text] | None = None,
) -> list[Problem]:
    """Problems with text for `model`'s fields: an empty one of `required`
    (with its message), one longer than the field keeps (refused, never
    cut; spaces around are not counted)."""
    required = required or {}
    problems = []
    for name, text in texts.items():
        text = text.strip()
        limit = model._meta.get_field(name).max_length
        if not text and name in required:
            problems.append(Problem(name, Code.REQUIRED, required[name]))
        elif limit is not None and len(text) > limit:
            values = {"show_value": len(text), "limit_value": limit}
            problems.append(Problem(name, Code.TOO_LONG, TOO_LONG, values))
    return problems


def _check_same_organization(user: User, others: Iterable[User]) -> None:
    foreign = [u for u in others if u.organization_id != user.organization_id]
    if foreign:
        raise InvalidEntry(
            Problem(
                "clinicians",
                Code.OTHER_ORGANIZATION,
                gettext_lazy(
                    "%(name)s is not in your organization, so cannot work on its cases."
                ),
                {"name": clinician.display},
            )
            for clinician in foreign
        )


def assign_clinicians(user: User, case_id: int, clinicians: Iterable[User]) -> Case:
    """The case's clinicians become `clinicians`: by one of them, or by an
    administrator."""
    case = get_case_to_assign(user, case_id)
    chosen = list(clinicians)
    if not chosen:
        raise InvalidEntry(
            [
                Problem(
                    "clinicians",
                    Code.REQUIRED,
                    gettext_lazy("Choose at least one clinician."),
                )
            ]
        )
    not_clinicians = [u for u in chosen if not u.is_clinician]
    if not_clinicians:
        raise InvalidEntry(
            Problem(
                "clinicians",
                Code.NOT_A_CHOICE,
                gettext_lazy(
                    "%(name)s does not have the clinician role, so cannot be given a case."
                ),
                {"name": person.display},
            )
            for person in not_clinicians
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
    problems = text_problems(
        Member,
        {"first_name": first_name, "email": email, "phone": phone},
        required={"first_name": gettext_lazy("Give the member's first name.")},
    )
    choices = {
        "role": (role, MemberRole.values, gettext_lazy("Choose a role from the list.")),
        "age_band": (
            age_band,
            AgeBand.values,
            gettext_lazy("Choose an age band from the list."),
        ),
        "language": (
            language,
            [code for code, _ in settings.LANGUAGES],
            gettext_lazy("Choose a language from the list."),
        ),
    }
    problems += [
        Problem(name, Code.NOT_A_CHOICE, text)
        for name, (value, allowed, text) in choices.items()
        if value not in allowed
    ]
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
            email=email.strip(),
            phone=phone.strip(),
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
    problems = text_problems(
        Subsystem,
        {"name": name},
        required={"name": gettext_lazy("Give the subsystem a name.")},
    )
    if problems:
        raise InvalidEntry(problems)
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
            case=case.pk,
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
        Problem(
            "members",
            Code.OTHER_SUBSYSTEM,
            gettext_lazy(
                "%(name)s is in the %(subsystem)s subsystem; take them out of it "
                "first (a member belongs to only one of caregivers, children and couple)."
            ),
            {"name": link.member.first_name, "subsystem": link.subsystem.name},
        )
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
        record(user, "update", "session", session.pk, case=session.case_id)
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
            raise InvalidEntry([NOT_IN_CASE])
    elif respondent == Response.Respondent.MEMBER:
        raise InvalidEntry(
            [Problem("member", Code.REQUIRED, gettext_lazy("Choose who answered."))]
        )
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


def submit_response(
    user: User,
    session_id: int,
    instrument: str,
    member_id: int | None,
    respondent: str,
    answers: Mapping[str, object],
    source: str,
) -> Stored:
    """A questionnaire sent whole from another app (the API), scored and stored
    as a link's is (responses.store_response: one transaction, the risk alert
    at once, the recompute after commit). Like a link, it is answered once:
    a person's second sending for the same session is refused, never written
    over (ALREADY_ANSWERED)."""
    session = get_session_for(user, session_id, write=True)
    definition = definition_named(instrument)
    if respondent not in answered_by(definition):
        raise InvalidEntry(
            [
                Problem(
                    "respondent",
                    Code.NOT_A_CHOICE,
                    gettext_lazy("%(instrument)s is not answered by this respondent."),
                    {"instrument": definition.short_title},
                )
            ]
        )
    member = None
    if member_id is not None:
        member = session.case.members.filter(pk=member_id, active=True).first()
        if member is None:
            raise InvalidEntry([NOT_IN_CASE])
    elif respondent == Response.Respondent.MEMBER:
        raise InvalidEntry(
            [Problem("member", Code.REQUIRED, gettext_lazy("Choose who answered."))]
        )
    answered = Response.objects.filter(
        session=session,
        respondent=respondent,
        member=member,
        instrument=definition.key,
        status__in=SENT,
    )
    if answered.exists():
        raise InvalidEntry([ALREADY_ANSWERED])
    return store_response(
        session=session,
        member=member,
        respondent=respondent,
        definition=definition,
        source=source,
        answers=answers,
        actor=user,
    )


ALREADY_ANSWERED = Problem(
    "",
    Code.ALREADY_ANSWERED,
    gettext_lazy("This person already answered this questionnaire for this session."),
)


NOT_IN_CASE = Problem(
    "member",
    Code.NOT_IN_CASE,
    gettext_lazy("This person is not a member of this case."),
)


def acknowledge_signal(
    user: User,
    signal_id: int,
    note: str = "",
    resolve: bool = False,
    feedback: str = "",
) -> Signal:
    """Acknowledge or resolve an alert, with a note and, if given, the one tap
    of feedback on it (useful, not useful, wrong: docs/reports.md §Alert
    feedback), kept with the alert and audited."""
    from .selectors import get_signal_for

    if feedback and feedback not in Feedback.values:
        raise InvalidEntry([Problem("feedback", Code.NOT_A_CHOICE, FEEDBACK_CHOICE)])
    signal = get_signal_for(user, signal_id, write=True)
    with transaction.atomic():
        _acknowledge(user, signal, note, resolve, feedback)
    return signal


def _acknowledge(
    user: User, signal: Signal, note: str, resolve: bool, feedback: str = ""
) -> None:
    now = timezone.now()
    signal.status = Signal.Status.RESOLVED if resolve else Signal.Status.ACKNOWLEDGED
    if note.strip():
        add_note(signal, note.strip())
    signal.acknowledged_by = user
    signal.acknowledged_at = now
    changed = ["status", "note", "acknowledged_by", "acknowledged_at"]
    if feedback:
        signal.feedback, signal.feedback_at = feedback, now
        changed += ["feedback", "feedback_at"]
    signal.save(update_fields=changed)
    record(
        user,
        "resolve" if resolve else "acknowledge",
        "signal",
        signal.pk,
        organization=signal.organization,
        case=signal.case_id,
        detail={"feedback": feedback} if feedback else None,
    )


# ---- the clinic's alert thresholds --------------------------------------------


def update_signal_settings(
    admin: User, values: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Set the organization's alert thresholds (administrators only). Every
    value is checked first (signals.tunables.check_settings) and the whole
    change refused, nothing written, with a problem naming each field that is
    wrong. A value equal to its published default is not kept, so the clinic
    follows the default; the others are kept in `signal_settings`. The change
    is audited with the old and new values; every later recompute reads it,
    and the clinic is refitted in the background at once (after commit).
    Returns what changed, by field: {"old": …, "new": …}."""
    organization = _administered(admin)
    values = dict(values)
    problems = check_settings(values)
    if problems:
        raise InvalidEntry([thresholds.as_problem(p, values) for p in problems])
    stored = dict(organization.signal_settings or {})
    current = SignalConfig.from_mapping(stored)
    changed = {
        name: {"old": getattr(current, name), "new": value}
        for name, value in values.items()
        if getattr(current, name) != value
    }
    if not changed:
        return {}
    merged = {**stored, **values}
    kept = {k: v for k, v in merged.items() if v != default_of(k)}
    with transaction.atomic():
        organization.signal_settings = kept
        organization.save(update_fields=["signal_settings"])
        record(
            admin,
            "update",
            "signal-settings",
            organization.pk,
            organization=organization,
            detail={
                "changed": sorted(changed),
                "old": {k: v["old"] for k, v in changed.items()},
                "new": {k: v["new"] for k, v in changed.items()},
            },
        )
        request_refit(organization.pk)
    return changed


# ---- the measure plan ----------------------------------------------------------

MAX_EVERY_N = 12


def add_to_plan(
    user: User,
    case_id: int,
    instrument: str,
    roles: Iterable[str],
    cadence: str = MeasurePlan.Cadence.EVERY_SESSION,
    every_n: int = 1,
) -> MeasurePlan:
    """Ask `instrument` of these roles at this cadence. A case with no plan
    follows the clinic's default; its first row starts from that plan, so
    adding one questionnaire never silently drops the others."""
    case = get_case_for(user, case_id, write=True)
    return _add_row(user, case.organization, case, instrument, roles, cadence, every_n)


def add_to_clinic_plan(
    user: User,
    instrument: str,
    roles: Iterable[str],
    cadence: str = MeasurePlan.Cadence.EVERY_SESSION,
    every_n: int = 1,
) -> MeasurePlan:
    """The same for the clinic's default plan (administrators only); its
    first row starts from Tether's default. Choosing the plan is reviewing it
    (the first-run checklist's item)."""
    organization = _administered(user)
    plan = _add_row(user, organization, None, instrument, roles, cadence, every_n)
    _mark_plan_reviewed(organization)
    return plan


def _add_row(
    user: User,
    organization: Organization,
    case: Case | None,
    instrument: str,
    roles: Iterable[str],
    cadence: str,
    every_n: int,
) -> MeasurePlan:
    definition = definition_named(instrument)
    chosen = list(dict.fromkeys(roles))
    problems = []
    if not chosen:
        problems.append(
            Problem("roles", Code.REQUIRED, gettext_lazy("Choose who answers it."))
        )
    if any(r not in (*MEMBER_ROLES, THERAPIST) for r in chosen):
        problems.append(
            Problem(
                "roles",
                Code.NOT_A_CHOICE,
                gettext_lazy("Choose among the roles a case has."),
            )
        )
    if cadence not in MeasurePlan.Cadence.values:
        problems.append(
            Problem(
                "cadence",
                Code.NOT_A_CHOICE,
                gettext_lazy("Choose every session, every few sessions or monthly."),
            )
        )
    if cadence == MeasurePlan.Cadence.EVERY_N and not 2 <= every_n <= MAX_EVERY_N:
        problems.append(
            Problem(
                "every_n",
                Code.OUT_OF_RANGE,
                gettext_lazy("Choose every 2 to %(most)s sessions."),
                {"most": MAX_EVERY_N},
            )
        )
    if problems:
        raise InvalidEntry(problems)
    with transaction.atomic():
        rows = _rows_of(organization, case)
        if not rows.exists():
            _write_plan(user, organization, case)
        if rows.filter(instrument=definition.id).exists():
            raise InvalidEntry(
                [
                    Problem(
                        "instrument",
                        Code.ALREADY_IN_PLAN,
                        gettext_lazy(
                            "%(name)s is already in the plan; remove it first to "
                            "change who answers it or how often."
                        ),
                        {"name": definition.short_title},
                    )
                ]
            )
        return _plan_row(
            user,
            organization,
            case,
            definition.id,
            chosen,
            cadence,
            every_n if cadence == MeasurePlan.Cadence.EVERY_N else 1,
        )


def remove_from_plan(user: User, case_id: int, plan_id: int) -> None:
    case = get_case_for(user, case_id, write=True)
    _remove_row(user, case.organization, case, plan_id)


def remove_from_clinic_plan(user: User, plan_id: int) -> None:
    """Remove a row of the clinic's default plan (administrators only). The
    last row removed brings back Tether's default."""
    organization = _administered(user)
    _remove_row(user, organization, None, plan_id)
    _mark_plan_reviewed(organization)


def _remove_row(
    user: User, organization: Organization, case: Case | None, plan_id: int
) -> None:
    with transaction.atomic():
        plan = _rows_of(organization, case).filter(pk=plan_id).first()
        if plan is None:
            raise InvalidEntry(
                [
                    Problem(
                        "",
                        Code.NOT_IN_PLAN,
                        gettext_lazy("This questionnaire is no longer in the plan."),
                    )
                ]
            )
        plan.delete()
        record(
            user,
            "delete",
            "measure-plan",
            plan_id,
            organization=organization,
            detail={"case": case.pk if case else None, "instrument": plan.instrument},
        )


def adopt_default_plan(user: User, case_id: int) -> list[MeasurePlan]:
    """Write the plan the case follows (the clinic's default, or Tether's) as
    the case's own, to edit from there."""
    case = get_case_for(user, case_id, write=True)
    with transaction.atomic():
        if case.measure_plans.exists():
            return list(case.measure_plans.all())
        return _write_plan(user, case.organization, case)


def confirm_clinic_plan(user: User) -> None:
    """An administrator says the clinic's default plan, as it is, suits the
    clinic (the first-run checklist's item)."""
    organization = _administered(user)
    _mark_plan_reviewed(organization)
    record(user, "confirm", "measure-plan", organization=organization)


def _administered(user: User) -> Organization:
    """The organization `user` administers, or PermissionDenied."""
    if not user.is_org_admin or user.organization is None:
        raise PermissionDenied("Only an administrator changes the clinic's plan.")
    return user.organization


def _mark_plan_reviewed(organization: Organization) -> None:
    if organization.measure_plan_reviewed_at is None:
        organization.measure_plan_reviewed_at = timezone.now()
        organization.save(update_fields=["measure_plan_reviewed_at"])


def _rows_of(
    organization: Organization, case: Case | None
) -> models.QuerySet[MeasurePlan]:
    """A case's own plan rows, or (case None) the clinic's default rows."""
    if case is not None:
        return case.measure_plans.all()
    return MeasurePlan.objects.filter(organization=organization, case__isnull=True)


def _write_plan(
    user: User, organization: Organization, case: Case | None
) -> list[MeasurePlan]:
    """Save the plan one level up as this level's own: for a case, the
    clinic's default (or Tether's); for the clinic, Tether's."""
    source = plans_for(case) if case is not None else clinic_plan(organization.pk)
    return [
        _plan_row(
            user,
            organization,
            case,
            plan.instrument,
            list(plan.roles),
            plan.cadence,
            plan.every_n,
        )
        for plan in source
    ]


def _plan_row(
    user: User,
    organization: Organization,
    case: Case | None,
    instrument: str,
    roles: list[str],
    cadence: str,
    every_n: int,
) -> MeasurePlan:
    plan = MeasurePlan.objects.create(
        organization=organization,
        case=case,
        instrument=instrument,
        roles=roles,
        cadence=cadence,
        every_n=every_n,
    )
    record(
        user,
        "create",
        "measure-plan",
        plan.pk,
        organization=organization,
        detail={
            "case": case.pk if case else None,
            "instrument": instrument,
            "roles": roles,
            "cadence": cadence,
            "every_n": every_n,
        },
    )
    return plan
