"""An administrator's pages in care: which clinicians each case has (labels
and names only, nothing clinical), and the clinic settings (the country of the
crisis lines, the clinic's own contacts, the alert thresholds) and the
clinic's default measure plan, which every case without a plan of its own
follows.

Thin views, as in views.py: a form, one selector or service, a render. The
settings are the organization's (accounts), shown here beside the default
measure plan, which is care's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tether.accounts import services as accounts
from tether.accounts.crisis_lines import crisis_lines
from tether.accounts.decorators import admin_view
from tether.accounts.forms import ClinicSettingsForm
from tether.accounts.models import Organization, User
from tether.signals import SignalConfig

from . import services
from .forms import add_problems
from .plan import clinic_plan, plan_rows
from .plan_forms import PlanRowForm
from .selectors import case_assignments as assignments_for
from .threshold_forms import ThresholdsForm


@admin_view
@require_GET
def case_assignments(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    include_closed = request.GET.get("closed") == "1"
    cases = assignments_for(user, include_closed)
    context = {"cases": cases, "include_closed": include_closed}
    return render(request, "care/case_assignments.html", context)


@admin_view
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organization = user.organization
    assert organization is not None  # admin_view: an organization's administrator
    form = ClinicSettingsForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if accounts.update_clinic_settings(user, **form.cleaned_data):
            messages.success(request, gettext("The clinic settings were saved."))
        return redirect("clinic-settings")
    if not form.is_bound:
        form.initial = ClinicSettingsForm.initial_for(organization)
    context = settings_context(organization, form, thresholds_form(organization))
    return render(request, "care/clinic_settings.html", context)


def settings_context(
    organization: Organization, form: ClinicSettingsForm, thresholds: ThresholdsForm
) -> dict[str, Any]:
    return {
        "form": form,
        "organization": organization,
        "lines": crisis_lines(organization.crisis_region),
        "plan": plan_rows(clinic_plan(organization.pk)),
        "thresholds": thresholds,
    }


def thresholds_form(organization: Organization, data: Any = None) -> ThresholdsForm:
    config = SignalConfig.from_mapping(organization.signal_settings or {})
    return ThresholdsForm(data, config=config)


@admin_view
@require_POST
def clinic_thresholds(request: HttpRequest) -> HttpResponse:
    """The alert thresholds, changed from the clinic settings page."""
    user: User = request.user  # type: ignore[assignment]
    organization: Organization = user.organization  # type: ignore[assignment]
    form = thresholds_form(organization, request.POST)
    if form.is_valid():
        try:
            changed = services.update_signal_settings(user, form.values())
        except services.InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            if changed:
                messages.success(request, THRESHOLDS_SAVED)
            return redirect(reverse("clinic-settings") + "#thresholds")
    settings = ClinicSettingsForm(initial=ClinicSettingsForm.initial_for(organization))
    context = settings_context(organization, settings, form)
    return render(request, "care/clinic_settings.html", context, status=400)


THRESHOLDS_SAVED = gettext_lazy(
    "The alert thresholds were saved. Every case's alerts are being recomputed "
    "with them in the background."
)


@admin_view
@require_http_methods(["GET", "POST"])
def clinic_plan_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PlanRowForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.add_to_clinic_plan(user, **form.cleaned_data)
        except services.InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            messages.success(request, gettext("Added to the clinic's default plan."))
            return redirect("clinic-plan")
    assert user.organization_id is not None  # admin_view
    rows = plan_rows(clinic_plan(user.organization_id))
    context = {"form": form, "rows": rows, "organization": user.organization}
    return render(request, "care/clinic_plan.html", context)


@admin_view
@require_POST
def clinic_plan_remove(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        services.remove_from_clinic_plan(request.user, plan_id)  # type: ignore[arg-type]
    except services.InvalidEntry as error:
        messages.error(request, str(error))
    return redirect("clinic-plan")


@admin_view
@require_POST
def clinic_plan_confirm(request: HttpRequest) -> HttpResponse:
    services.confirm_clinic_plan(request.user)  # type: ignore[arg-type]
    messages.success(request, gettext("The default measure plan is confirmed."))
    return redirect("clinic-plan")
