"""Mounted at the site's root, beside care's pages: each report adds its own
paths here."""

from django.urls import URLPattern, path

from . import analytics_views, case_report_views, dashboard_views, family_view

urlpatterns: list[URLPattern] = [
    # The printable case report (docs/reports.md §Case report)
    path(
        "cases/<int:case_id>/report.pdf",
        case_report_views.case_report,
        name="case-report",
    ),
    # Clinic analytics (docs/analytics.md)
    path(
        "clinic/analytics/", analytics_views.clinic_analytics, name="clinic-analytics"
    ),
    # The family view (docs/reports.md §Family view)
    path(
        "cases/<int:case_id>/family-view/",
        family_view.family_view,
        name="family-view",
    ),
    # The supervisor's dashboard and the figures per alert rule (docs/reports.md).
    path("clinic/dashboard/", dashboard_views.dashboard, name="supervisor-dashboard"),
    path("clinic/alert-rules/", dashboard_views.alert_rules, name="alert-rules"),
]
