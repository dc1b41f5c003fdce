"""The supervisor's dashboard and the clinic's figures per alert rule.

Thin views, as care's: a form for the GET parameters, one selector (which
decides who may see what and audits the read), a render. The case rows are
put into words by the caseload's own presenter (care.views.caseload_row), so
a case reads the same on both pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User
from tether.care.caseload import sort_links
from tether.care.views import caseload_row

from .alert_rules import alert_rules_for, window_params
from .dashboard import CONCERNS, Dashboard, DashboardQuery, dashboard_for
from .dashboard_forms import DashboardForm, WindowForm


@clinical_view
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = DashboardForm(request.GET, user=user)
    query = form.query()
    shown = dashboard_for(user, query)
    return render(
        request, "reports/dashboard.html", dashboard_context(form, query, shown)
    )


def dashboard_context(
    form: DashboardForm, query: DashboardQuery, shown: Dashboard
) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "form": form,
        "query": query,
        "dashboard": shown,
        "rows": [
            # A red alert shows as the row's top alert, tagged red: the
            # other concerns are named beside it.
            caseload_row(case.row, today)
            | {"concerns": [(k, CONCERNS[k]) for k in case.concerns if k != "red"]}
            for case in shown.cases
        ],
        "sort": sort_links(query),  # type: ignore[arg-type]
        "concerns": [
            {
                "key": key,
                "label": label,
                "count": shown.concern_counts.get(key, 0),
                "url": "?" + query.params(concern=key),
                "current": query.concern == key,
            }
            for key, label in CONCERNS.items()
        ],
        "clear_url": "?" + query.params(concern="", clinician=None, kind=""),
        "rules_url": reverse("alert-rules") + window_params(query.days),
    }


@clinical_view
@require_GET
def alert_rules(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = WindowForm(request.GET)
    figures = alert_rules_for(user, form.window())
    context = {"form": form, "alert_rules": figures}
    return render(request, "reports/alert_rules.html", context)
