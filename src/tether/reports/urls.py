"""Mounted at the site's root, beside care's pages: each report adds its own
paths here."""

from django.urls import URLPattern, path

from . import analytics_views, family_view

urlpatterns: list[URLPattern] = [
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
]
