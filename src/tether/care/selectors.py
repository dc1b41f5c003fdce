"""Permission-checked reads. Every read of clinical data is audited; a case the
user may not see is a 404, never a hint that it exists (docs/architecture.md
§Privacy)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tether.accounts.models import User
from tether.audit.services import record
from tether.instruments import Definition, UnknownInstrument
from tether.signals import SignalConfig

from .caseload import (
    OFF_TRACK_KINDS,
    CaseloadQuery,
    OpenAlert,
    latest_session,
    most_urgent,
    sort_rows,
)
from .errors import Code, InvalidEntry, Problem
from .frames import library
from .models import SENT, Case, Member, Response, Score, Session, Signal


def cases_for(user: User) -> QuerySet[Case]:
    """The cases `user` may read: the whole organization's for a supervisor,
    the assigned ones for a clinician, none for an administrator who is
    neither (minimum necessary: accounts and settings need no clinical data;
    case assignments go through `get_case_to_assign`)."""
    if not user.is_authenticated or user.organization_id is None:
        return Case.objects.none()
    cases = Case.objects.filter(organization_id=user.organization_id)
    if user.is_supervisor:
        return cases
    if user.is_clinician:
        return cases.filter(clinicians=user)
    return Case.objects.none()


def can_read(user: User, case: Case) -> bool:
    return cases_for(user).filter(pk=case.pk).exists()


def can_write(user: User, case: Case) -> bool:
    """Clinical writes (sessions, answers, links, alerts, members, closing)
    are for the case's own clinicians, whatever else they are; supervisors
    and administrators only read or manage."""
    return user.is_clinician and case.clinicians.filter(pk=user.pk).exists()


def can_create_case(user: User) -> bool:
    """A clinician opens a case for themselves; an administrator opens one
    for the clinicians they choose. A supervisor alone only reads."""
    return user.is_clinician or user.is_org_admin


def get_case_for(user: User, case_id: int, write: bool = False) -> Case:
    """The case, if `user` may see it (404 otherwise, audited as denied);
    with `write`, also if they may change it (403 otherwise)."""
    case = cases_for(user).filter(pk=case_id).first()
    if case is None:
        record(user, "denied", "case", case_id)
        raise Http404("No such case.")
    if write and not can_write(user, case):
        record(user, "denied-write", "case", case_id, organization=case.organization)
        raise PermissionDenied("Only the case's clinicians change it.")
    record(user, "read", "case", case.pk, organization=case.organization)
    return case


def get_case_to_assign(user: User, case_id: int) -> Case:
    """The case, for choosing its clinicians: any case of the organization for
    an administrator, else one the user may change. The page shows its label
    and clinicians only; audited as a read for assignment."""
    if user.is_authenticated and user.is_org_admin and user.organization_id:
        case = Case.objects.filter(
            pk=case_id, organization_id=user.organization_id
        ).first()
        if case is None:
            record(user, "denied", "case", case_id)
            raise Http404("No such case.")
        record(
            user,
            "read",
            "case",
            case.pk,
            organization=case.organization,
            detail={"for": "assignment"},
        )
        return case
    return get_case_for(user, case_id, write=True)


def case_assignments(user: User, include_closed: bool = False) -> QuerySet[Case]:
    """An administrator's list of the organization's cases with their
    clinicians: labels and names only, nothing clinical. 403 for anyone else."""
    if not user.is_org_admin or user.organization_id is None:
        raise PermissionDenied("Only an administrator sees every case's clinicians.")
    cases = Case.objects.filter(organization_id=user.organization_id)
    if not include_closed:
        cases = cases.filter(status=Case.Status.OPEN)
    record(
        user,
        "read",
        "case-assignments",
        "",
        organization=user.organization,
        detail={"cases": cases.count()},
    )
    return cases.prefetch_related("clinicians").order_by("label", "pk")


def get_signal_for(user: User, signal_id: int, write: bool = False) -> Signal:
    signal = (
        Signal.objects.filter(pk=signal_id, case__in=cases_for(user))
        .select_related("case")
        .first()
    )
    if signal is None:
        record(user, "denied", "signal", signal_id)
        raise Http404("No such alert.")
    get_case_for(user, signal.case_id, write=write)
    return signal


@dataclass(frozen=True)
class CaseloadRow:
    case: Case
    members: list[Any]
    clinicians: list[Any]
    last_session: Any
    alerts: list[OpenAlert]
    """The case's open alerts."""
    top: OpenAlert | None
    """The most urgent of them."""
    glance: dict[str, Any]
    pcl5: dict[str, Any]


def caseload_for(user: User, query: CaseloadQuery | None = None) -> list[CaseloadRow]:
    """Every visible case the query asks for, with what a therapist needs at a
    glance, in the query's order (by default the most urgent open alert
    first: care/caseload.py). A fixed number of queries, whatever the number
    of cases. Audited, with what was asked."""
    query = query or CaseloadQuery()
    rows = caseload_rows(filtered_cases(user, query), clinic_config(user))
    record(
        user,
        "read",
        "caseload",
        "",
        organization=user.organization,
        detail={"cases": len(rows), **query.audited()},
    )
    return sort_rows(rows, query)


def caseload_rows(cases: QuerySet[Case], config: SignalConfig) -> list[CaseloadRow]:
    """A caseload row for each of `cases` (in no particular order), PCL-5
    change judged by the clinic's rule (`config`). A fixed number of queries,
    whatever the number of cases. Neither checks permission nor audits: the
    caller passes cases from `cases_for` and audits its read (the caseload
    above, the supervisor's dashboard)."""
    from .glance import glances_of
    from .summary import pcl5_change_rule, pcl5_verdict

    alerts = open_alerts(cases)
    cases_list = list(cases.prefetch_related("members", "clinicians"))
    glances = glances_of(cases_list)
    glance = {case_id: alliance for case_id, (alliance, _) in glances.items()}
    pcl5 = {case_id: dict(found) for case_id, (_, found) in glances.items() if found}
    rule = pcl5_change_rule(config)
    for found in pcl5.values():
        found["verdict"] = pcl5_verdict(found["change"], rule)
    return [
        CaseloadRow(
            case=case,
            members=list(case.members.all()),
            clinicians=list(case.clinicians.all()),
            last_session=case.last_session,  # type: ignore[attr-defined]
            alerts=alerts.get(case.pk, []),
            top=most_urgent(alerts.get(case.pk, [])),
            glance=glance.get(case.pk, {}),
            pcl5=pcl5.get(case.pk, {}),
        )
        for case in cases_list
    ]


def filtered_cases(user: User, query: CaseloadQuery) -> QuerySet[Case]:
    """The visible cases the query's search and filters leave, each with the
    date of its last session."""
    cases = cases_for(user).annotate(last_session=Max("sessions__date"))
    if query.status != "all":
        cases = cases.filter(status=query.status)
    if query.search:
        named = Member.objects.filter(
            organization_id=user.organization_id,
            first_name__icontains=query.search,
        ).values("case_id")
        cases = cases.filter(Q(label__icontains=query.search) | Q(pk__in=named))
    if query.kind:
        cases = cases.filter(kind=query.kind)
    if query.clinician is not None:
        cases = cases.filter(
            pk__in=Case.clinicians.through.objects.filter(
                user_id=query.clinician
            ).values("case_id")
        )
    open_signals = Signal.objects.filter(status=Signal.Status.OPEN)
    if query.alert:
        cases = cases.filter(
            pk__in=open_signals.filter(kind=query.alert).values("case_id")
        )
    if query.off_track:
        cases = cases.filter(
            pk__in=open_signals.filter(kind__in=OFF_TRACK_KINDS).values("case_id")
        )
    if query.quiet_weeks is not None:
        since = timezone.localdate() - dt.timedelta(weeks=query.quiet_weeks)
        cases = cases.filter(Q(last_session__lt=since) | Q(last_session__isnull=True))
    return cases


def open_alerts(cases: QuerySet[Case]) -> dict[int, list[OpenAlert]]:
    """The open alerts of `cases`, by case id, each with the date of the
    session it was last seen in. Two queries."""
    rows = list(
        Signal.objects.filter(case__in=cases.values("pk"), status=Signal.Status.OPEN)
        .values_list(
            "pk",
            "case_id",
            "kind",
            "severity",
            "subject",
            "instrument",
            "session_number",
            "evidence",
            "state",
        )
        .order_by("pk")
    )
    dates = {
        (case_id, number): date
        for case_id, number, date in Session.objects.filter(
            case__in=cases.values("pk")
        ).values_list("case_id", "number", "date")
    }
    out: dict[int, list[OpenAlert]] = {}
    for (
        pk,
        case_id,
        kind,
        severity,
        subject,
        instrument,
        number,
        evidence,
        state,
    ) in rows:
        last = latest_session(evidence or {}, number)
        out.setdefault(case_id, []).append(
            OpenAlert(
                pk=pk,
                kind=kind,
                severity=severity,
                subject=subject,
                instrument=instrument or str((evidence or {}).get("instrument", "")),
                session=last,
                date=dates.get((case_id, last)),
                state=state,
            )
        )
    return out


def get_session_for(user: User, session_id: int, write: bool = False) -> Session:
    """The session, if its case is reachable by `user` (404 otherwise, audited)."""
    session = (
        Session.objects.select_related("case")
        .filter(pk=session_id, organization_id=user.organization_id)
        .first()
    )
    if session is None:
        record(user, "denied", "session", session_id)
        raise Http404("No such session.")
    get_case_for(user, session.case_id, write=write)
    return session


def definition_named(instrument: str) -> Definition:
    """The instrument named `id` or `id@version`; InvalidEntry otherwise (the
    name came from a form or a link)."""
    try:
        return library().get(instrument)
    except UnknownInstrument as error:
        problem = Problem(
            "instrument",
            Code.UNKNOWN_INSTRUMENT,
            gettext_lazy("This questionnaire is not in the library."),
        )
        raise InvalidEntry([problem]) from error


def clinic_config(user: User) -> SignalConfig:
    """The signal settings of the user's clinic."""
    organization = user.organization
    return SignalConfig.from_mapping(
        (organization.signal_settings if organization else None) or {}
    )


# ---- lists for the API (each read audited, as the pages' are) --------------------


def members_of(user: User, case_id: int) -> QuerySet[Member]:
    return get_case_for(user, case_id).members.all()


def sessions_of(user: User, case_id: int) -> QuerySet[Session]:
    return get_case_for(user, case_id).sessions.prefetch_related("attended")


def responses_of_session(user: User, session_id: int) -> QuerySet[Response]:
    session = get_session_for(user, session_id)
    return session.responses.prefetch_related("scores")


def get_response_for(user: User, response_id: int) -> Response:
    """The response, if its case is reachable by `user` (404 otherwise, audited)."""
    response = (
        Response.objects.filter(pk=response_id, organization_id=user.organization_id)
        .select_related("session")
        .first()
    )
    if response is None:
        record(user, "denied", "response", response_id)
        raise Http404("No such response.")
    get_case_for(user, response.session.case_id)
    return response


def scores_of_case(user: User, case_id: int) -> QuerySet[Score]:
    """Every stored score of the case's sent responses."""
    case = get_case_for(user, case_id)
    return Score.objects.filter(
        response__session__case=case, response__status__in=SENT
    ).select_related("response", "response__session")


def signals_for(
    user: User,
    case_id: int | None = None,
    status: str | None = None,
    severity: str | None = None,
    kind: str | None = None,
) -> QuerySet[Signal]:
    """The alerts of the cases `user` may read, filtered; the read is audited
    with its filters."""
    if case_id is not None:
        signals = get_case_for(user, case_id).signals.all()
    else:
        signals = Signal.objects.filter(case__in=cases_for(user))
    filters = {"status": status, "severity": severity, "kind": kind}
    signals = signals.filter(**{k: v for k, v in filters.items() if v is not None})
    record(
        user,
        "read",
        "signals",
        "",
        organization=user.organization,
        detail={"case": case_id, **{k: v for k, v in filters.items() if v}},
    )
    return signals
