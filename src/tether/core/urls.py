from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="caseload"), name="home"),
    path("instruments/", views.instrument_list, name="instrument-list"),
    path("instruments/<str:key>/", views.instrument_detail, name="instrument-detail"),
    path("help/", views.help_page, name="help"),
    path("help/<slug:topic>/", views.help_page, name="help-page"),
    path("favicon.ico", views.favicon),
]
