"""The clinician pages: caseload, case, sessions with paper entry, alerts, and
case and member management.

Each view parses its input with a form, calls one selector and at most one
service, and renders (docs/architecture.md §Layers). Permission is decided by the
selectors and services: a case the user may not see is a 404, a write a
supervisor attempts is a 403."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User
from tether.instruments import UnknownInstrument
from tether.signals import Signal as Event
from tether.signals import severity_rank
from tether.signals.catalogue import describe
from tether.signals.config import SignalConfig
from tether.signals.risk import RISK_ITEM

from . import services
from .caseload import counts, headline, sort_links
from .charts import case_charts
from .forms import (
    AcknowledgeForm,
    AssignCliniciansForm,
    AttendanceForm,
    CaseForm,
    CaseloadForm,
    ChooseEntryForm,
    MemberForm,
    PaperEntryForm,
    SessionForm,
    SubsystemForm,
    add_problems,
)
from .frames import library
from .models import SENT, Case, Feedback, Member, Response, Session, Signal
from .rule_results import NOT_COMPUTED, finding
from .selectors import (
    CaseloadRow,
    can_create_case,
    can_read,
    can_write,
    caseload_for,
    clinic_config,
    get_case_for,
    get_case_to_assign,
    get_session_for,
    get_signal_for,
)
from .services import InvalidEntry
from .sharing_views import sharing_panel
from .shown_scores import score_lines
from .summary import pcl5_change_rule, pcl5_rule_sentence

# ---- caseload ------------------------------------------------------------------


@clinical_view
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.sees_cases and user.is_org_admin:
        return redirect("case-assignments")  # no clinical data for them
    form = CaseloadForm(request.GET, user=user)
    query = form.query()
    rows = caseload_for(user, query)
    return render(request, "care/caseload.html", caseload_context(user, form, rows))


def caseload_context(
    user: User, form: CaseloadForm, rows: list[CaseloadRow]
) -> dict[str, Any]:
    query = form.query()
    today = timezone.localdate()
    shown = [caseload_row(row, today) for row in rows]
    return {
        "rows": shown,
        "form": form,
        "query": query,
        "sort": sort_links(query),
        "filtered": query.audited().keys() - {"sort", "descending"},
        "can_create": not user.is_supervisor,
        "shows_clinicians": user.is_supervisor or user.is_org_admin,
        "shows_alliance": any("session" in row["glance"] for row in shown),
        "pcl5_rule": pcl5_rule_sentence(pcl5_change_rule(clinic_config(user))),
    }


def caseload_row(row: CaseloadRow, today: dt.date) -> dict[str, Any]:
    """One caseload row for the template: its most urgent open alert in words,
    the counts as detail, member ids as first names."""
    names = {str(m.pk): m.first_name for m in row.members}
    glance = dict(row.glance)
    if "lowest_member" in glance:
        member, value = glance["lowest_member"]
        glance["lowest_member"] = {"name": names.get(member, member), "value": value}
    glance["subsystems"] = sorted(glance.get("subsystems", {}).items())
    pcl5 = dict(row.pcl5)
    if pcl5:
        pcl5["name"] = names.get(pcl5["member_id"], pcl5["member_id"])
    top = row.top
    return {
        "case": row.case,
        "members": row.members,
        "clinicians": [c.display for c in row.clinicians],
        "last_session": row.last_session,
        "top": None
        if top is None
        else {
            "pk": top.pk,
            "severity": top.severity,
            "risk": top.kind == RISK_ITEM,
            "words": headline(top, names, today),
        },
        "counts": list(counts(row.alerts).items()),
        "glance": glance,
        "pcl5": pcl5,
    }


# ---- the case page -------------------------------------------------------------


@clinical_view
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = get_case_for(user, case_id)
    services.catch_up(case)
    return render(request, "care/case.html", case_context(user, case))


def case_context(user: User, case: Case) -> dict[str, Any]:
    members = list(case.members.all())
    names = {str(m.pk): m.first_name for m in members}
    signals = list(case.signals.select_related("acknowledged_by"))
    open_or_noted = (Signal.Status.OPEN, Signal.Status.NOTED)
    open_signals = sorted(
        (s for s in signals if s.status == Signal.Status.OPEN),
        # Risk alerts are pinned first, whatever their session.
        key=lambda s: (
            s.kind != RISK_ITEM,
            -severity_rank(s.severity),
            -s.session_number,
            s.pk,
        ),
    )
    closed = sorted(
        (s for s in signals if s.status not in open_or_noted),
        key=lambda s: s.acknowledged_at or s.created_at,
        reverse=True,
    )
    # Good news and information that ask nothing: shown apart, never open.
    noted = sorted(
        (s for s in signals if s.status == Signal.Status.NOTED),
        key=lambda s: (-s.session_number, s.kind, s.pk),
    )
    sessions = case.sessions.prefetch_related("attended").annotate(
        answered=Count("responses", filter=Q(responses__status__in=SENT))
    )
    charts = case_charts(case, members, open_signals)
    config = SignalConfig.from_mapping(case.organization.signal_settings or {})
    return {
        "case": case,
        "editable": can_write(user, case),
        "members": members,
        "subsystems": case.subsystems.prefetch_related("members").order_by("name"),
        "clinicians": case.clinicians.all(),
        "alerts": [
            explain(s, names, config) | {"fell": charts.falls.get(s.pk, "")}
            for s in open_signals
        ],
        "noted_alerts": [explain(s, names, config) for s in noted],
        "closed_alerts": [explain(s, names, config) for s in closed],
        "sessions": sessions.order_by("-number"),
        "charts": charts,
        "sharing": sharing_panel(case, members, can_write(user, case)),
        "feedback_choices": Feedback.choices,
    }


def explain(
    signal: Signal, names: dict[str, str], config: SignalConfig
) -> dict[str, Any]:
    """A stored alert with its catalogue texts, member ids as first names, its
    rule stated with the clinic's settings (`config`)."""
    event = Event(
        signal.kind,
        signal.severity,
        str(signal.case_id),
        signal.subject,
        signal.session_number,
        signal.evidence,
        signal.state,
    )
    try:
        text = describe(event, names, config)
    except KeyError:  # a kind the catalogue does not know: show the bare facts
        text = None
    kind, _sep, ident = signal.subject.partition(":")
    subject = names.get(ident, ident) if kind == "member" else signal.subject
    return {"signal": signal, "text": text, "subject": subject}


# ---- alerts --------------------------------------------------------------------


@clinical_view
@require_POST
def alert_acknowledge(request: HttpRequest, signal_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        signal = get_signal_for(user, signal_id, write=True)
        return alert_response(request, signal, form)
    note, resolve = form.cleaned_data["note"], form.resolve
    feedback = form.cleaned_data["feedback"]
    signal = services.acknowledge_signal(user, signal_id, note, resolve, feedback)
    if request.htmx:  # type: ignore[attr-defined]
        return alert_response(request, signal, AcknowledgeForm())
    messages.success(request, RESOLVED if resolve else ACKNOWLEDGED)
    url = reverse("case-detail", args=[signal.case_id])
    return redirect(f"{url}#attention")


ACKNOWLEDGED = gettext_lazy("Alert acknowledged.")
RESOLVED = gettext_lazy("Alert resolved.")


def alert_response(
    request: HttpRequest, signal: Signal, form: AcknowledgeForm, status: int = 200
) -> HttpResponse:
    names = {str(m.pk): m.first_name for m in signal.case.members.all()}
    config = SignalConfig.from_mapping(signal.organization.signal_settings or {})
    context = {
        "alert": explain(signal, names, config),
        "editable": True,
        "form": form,
        "feedback_choices": Feedback.choices,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "care/_alert.html", context, status=status)
    return render(request, "care/alert.html", context, status=status)


# ---- sessions and paper entry --------------------------------------------------


@clinical_view
@require_http_methods(["GET", "POST"])
def session_start(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = get_case_for(user, case_id, write=True)
    form = SessionForm(case, posted(request))
    if form.is_bound and form.is_valid():
        attended = [m.pk for m in form.cleaned_data["attended"]]
        session = services.start_session(
            user, case.pk, form.cleaned_data["date"], attended
        )
        messages.success(request, STARTED % {"number": session.number})
        return redirect("session-detail", session_id=session.pk)
    return render(request, "care/session_start.html", {"case": case, "form": form})


STARTED = gettext_lazy("Session %(number)s started.")


@clinical_view
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = get_session_for(user, session_id)
    services.catch_up(session.case)
    chosen = request.GET if "instrument" in request.GET else None
    context = session_context(user, session, ChooseEntryForm(session, chosen))
    template = "care/_entry.html" if request.htmx else "care/session.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@clinical_view
@require_POST
def session_enter(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = get_session_for(user, session_id)
    choose = ChooseEntryForm(session, request.POST)
    context = session_context(user, session, choose, request.POST)
    entry: PaperEntryForm | None = context["entry"]
    if entry is None or not entry.is_valid():
        return render(request, "care/session.html", context)
    chosen = choose.cleaned_data
    who = (chosen["definition"].key, chosen["member_id"], chosen["respondent"])
    try:
        services.enter_paper_response(user, session.pk, *who, **entry.entered())
    except InvalidEntry as error:
        add_problems(entry, error.problems)
        return render(request, "care/session.html", context)
    messages.success(request, SAVED % {"name": entry_title(chosen)})
    return redirect(reverse("case-detail", args=[session.case_id]) + "#charts")


SAVED = gettext_lazy("%(name)s saved.")


def session_context(
    user: User,
    session: Session,
    choose: ChooseEntryForm,
    data: QueryDict | None = None,
) -> dict[str, Any]:
    case = session.case
    entry, chosen = None, {}
    if choose.is_bound and choose.is_valid():
        chosen = choose.cleaned_data
        entry = PaperEntryForm(
            chosen["definition"],
            chosen["mode"],
            case.kind,
            chosen["member"],
            chosen["respondent"],
            data,
        )
    attended = list(session.attended.all())
    responses = titled(
        session.responses.select_related("member")
        .prefetch_related("scores")
        .order_by("pk")
    )
    found = [r.finding for r in responses if r.finding]  # type: ignore[attr-defined]
    return {
        "session": session,
        "case": case,
        "editable": can_write(user, case),
        "attended": attended,
        "attendance": AttendanceForm(case, initial={"attended": attended}),
        "responses": responses,
        "cautions": list(dict.fromkeys(f.caution for f in found if f.computed)),
        "not_computed": NOT_COMPUTED if any(not f.computed for f in found) else "",
        "choose": choose,
        "entry": entry,
        "chosen": chosen,
        "title": entry_title(chosen) if chosen else "",
        "switch": switch_query(chosen) if chosen else "",
    }


def titled(responses: Iterable[Response]) -> list[Response]:
    """Responses with the instrument's name as people read it (`title`) and,
    once sent, what the instrument's own scoring rule found (`finding`)."""
    lib = library()
    shown = list(responses)
    for response in shown:
        response.finding = None  # type: ignore[attr-defined]
        response.score_lines = []  # type: ignore[attr-defined]
        try:
            definition = lib.get(response.instrument)
        except UnknownInstrument:
            response.title = response.instrument  # type: ignore[attr-defined]
            continue
        response.title = definition.short_title  # type: ignore[attr-defined]
        response.score_lines = score_lines(definition, response.scores.all())  # type: ignore[attr-defined]
        if response.status in SENT:
            response.finding = finding(definition.id, response.rule_results)  # type: ignore[attr-defined]
    return shown


def entry_title(chosen: dict[str, Any]) -> str:
    definition, member = chosen["definition"], chosen["member"]
    values = {"title": definition.short_title}
    if chosen["respondent"] != "therapist":
        values["name"] = member.first_name
        return _("%(title)s: %(name)s's answers") % values
    if member is None:
        return _("%(title)s: the therapist's rating of the family") % values
    values["name"] = member.first_name
    return _("%(title)s: the therapist's rating of %(name)s") % values


def switch_query(chosen: dict[str, Any]) -> str:
    """The query string of the same entry in the other mode (items or totals)."""
    member = chosen["member"]
    who = f"{chosen['respondent']}:{member.pk if member else 'family'}"
    mode = "totals" if chosen["mode"] == "items" else "items"
    return urlencode({"instrument": chosen["definition"].key, "who": who, "mode": mode})


@clinical_view
@require_POST
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = get_session_for(user, session_id)
    form = AttendanceForm(session.case, request.POST)
    if form.is_valid():
        attended = [m.pk for m in form.cleaned_data["attended"]]
        services.set_attendance(user, session.pk, attended)
        messages.success(request, _("Attendance saved."))
    else:
        reasons = " ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, NOT_SAVED % {"reasons": reasons})
    return redirect("session-detail", session_id=session.pk)


NOT_SAVED = gettext_lazy("Attendance not saved: %(reasons)s")

# ---- case and member management -------------------------------------------------


@clinical_view
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not can_create_case(user):
        raise PermissionDenied("Supervisors have read-only access to cases.")
    form = CaseForm(user, posted(request))
    if form.is_bound and form.is_valid():
        try:
            case = services.create_case(user, **form.cleaned_data)
        except InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            messages.success(request, CREATED % {"label": case.label})
            return redirect(case_home(user, case))
    return render(request, "care/case_form.html", {"form": form})


CREATED = gettext_lazy("%(label)s created. Add its members next.")


def case_home(user: User, case: Case) -> str:
    """Where a case's page is for `user`: the case itself, or for an
    administrator without clinical access the list of case assignments."""
    if can_read(user, case):
        return reverse("case-detail", args=[case.pk])
    return reverse("case-assignments")


@clinical_view
@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        case = services.close_case(user, case_id)
        messages.success(request, _("%(label)s is closed.") % {"label": case.label})
        return redirect("caseload")
    case = get_case_for(user, case_id, write=True)
    return render(request, "care/case_close.html", {"case": case})


@clinical_view
@require_http_methods(["GET", "POST"])
def case_clinicians(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = AssignCliniciansForm(user, posted(request))
    if form.is_bound and form.is_valid():
        try:
            case = services.assign_clinicians(
                user, case_id, form.cleaned_data["clinicians"]
            )
        except InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            messages.success(request, _("Clinicians updated."))
            return redirect(case_home(user, case))
    case = get_case_to_assign(user, case_id)
    form.initial = {"clinicians": list(case.clinicians.all())}
    context = {"case": case, "form": form, "back_url": case_home(user, case)}
    return render(request, "care/clinicians_form.html", context)


@clinical_view
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = MemberForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            member = services.add_member(user, case_id, **form.cleaned_data)
        except InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            messages.success(
                request, _("%(name)s added.") % {"name": member.first_name}
            )
            return redirect(reverse("case-detail", args=[case_id]) + "#members")
    case = get_case_for(user, case_id, write=True)
    return render(request, "care/member_form.html", {"case": case, "form": form})


@clinical_view
@require_http_methods(["GET", "POST"])
def subsystem_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = get_case_for(user, case_id, write=True)
    initial = subsystem_initial(case, request.GET.get("name", ""))
    form = SubsystemForm(case, posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        chosen = [m.pk for m in form.cleaned_data["members"]]
        try:
            services.set_subsystem(user, case.pk, form.cleaned_data["name"], chosen)
        except InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            name = form.cleaned_data["name"]
            messages.success(request, SUBSYSTEM_SAVED % {"name": name})
            return redirect(reverse("case-detail", args=[case.pk]) + "#members")
    context = {"case": case, "form": form, "subsystems": case.subsystems.all()}
    return render(request, "care/subsystem_form.html", context)


SUBSYSTEM_SAVED = gettext_lazy("Subsystem “%(name)s” saved.")


def subsystem_initial(case: Case, name: str) -> dict[str, Any]:
    subsystem = case.subsystems.filter(name=name).first() if name else None
    if subsystem is None:
        return {}
    members: list[Member] = list(subsystem.members.all())
    return {"name": subsystem.name, "members": members}


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data on a POST, so an empty submission is still a bound form."""
    return request.POST if request.method == "POST" else None
