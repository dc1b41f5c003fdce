"""The measure plan page of a case: who answers which questionnaire, how
often (docs/architecture.md §Where each rule lives: care/plan.py decides)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User

from . import services
from .forms import add_problems
from .plan import plan_by_person, plan_rows, plans_for
from .plan_forms import PlanRowForm
from .selectors import can_write, get_case_for


@clinical_view
@require_http_methods(["GET", "POST"])
def case_plan(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = get_case_for(user, case_id, write=request.method == "POST")
    form = PlanRowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_to_plan(user, case.pk, **form.cleaned_data)
        except services.InvalidEntry as error:
            add_problems(form, error.problems)
        else:
            messages.success(request, _("Added to the measure plan."))
            return redirect("case-plan", case.pk)
    context = {"case": case, "form": form, "editable": can_write(user, case)}
    context["rows"] = plan_rows(case.measure_plans.order_by("pk"))
    context["default_rows"] = plan_rows(plans_for(case))
    context["people"] = plan_by_person(case)
    return render(request, "care/plan.html", context)


@clinical_view
@require_POST
def case_plan_remove(request: HttpRequest, case_id: int, plan_id: int) -> HttpResponse:
    try:
        services.remove_from_plan(request.user, case_id, plan_id)  # type: ignore[arg-type]
    except services.InvalidEntry as error:
        messages.error(request, str(error))
    return redirect("case-plan", case_id)


@clinical_view
@require_POST
def case_plan_default(request: HttpRequest, case_id: int) -> HttpResponse:
    services.adopt_default_plan(request.user, case_id)  # type: ignore[arg-type]
    messages.success(
        request, _("The default plan is now this case's own; edit it below.")
    )
    return redirect("case-plan", case_id)
