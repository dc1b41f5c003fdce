"""Mounted at the site's root, beside care's pages: each report adds its own
paths here."""

from django.urls import URLPattern, path

from . import dashboard_views

urlpatterns: list[URLPattern] = [
    # The supervisor's dashboard and the figures per alert rule (docs/reports.md).
    path("clinic/dashboard/", dashboard_views.dashboard, name="supervisor-dashboard"),
    path("clinic/alert-rules/", dashboard_views.alert_rules, name="alert-rules"),
]
