"""The clinic analytics page (docs/analytics.md): supervisors and
administrators of the organization, their own organization only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tether.accounts.decorators import clinical_view

from .analytics import clinic_analytics_for
from .analytics_page import page_context


@clinical_view
@require_GET
def clinic_analytics(request: HttpRequest) -> HttpResponse:
    analytics = clinic_analytics_for(request.user)  # type: ignore[arg-type]
    return render(request, "reports/analytics.html", page_context(analytics))
