"""Mounted at the site's root, beside care's pages: each report adds its own
paths here."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
