"""The member's questionnaire pages under /q/ (services.LINK_PATH) and the
clinician's link pages under /sessions/<id>/links/."""

from django.urls import path

from . import clinician_views, views

urlpatterns = [
    path("q/<str:token>/", views.start, name="portal-start"),
    path("q/<str:token>/support/", views.support, name="portal-support"),
    path("q/<str:token>/done/", views.done, name="portal-done"),
    path("q/<str:token>/<slug:instrument>/", views.page, name="portal-page"),
    path(
        "q/<str:token>/<slug:instrument>/save/", views.autosave, name="portal-autosave"
    ),
    path("q/<str:token>/<slug:instrument>/<int:n>/", views.item, name="portal-item"),
    # Anything else under /q/ is a calm, private 404.
    path("q/<path:rest>", views.not_found, name="portal-missing"),
    path(
        "sessions/<int:session_id>/links/",
        clinician_views.session_links,
        name="portal-links",
    ),
    path(
        "sessions/<int:session_id>/links/everyone/",
        clinician_views.links_everyone,
        name="portal-links-everyone",
    ),
    path(
        "sessions/<int:session_id>/links/<int:invitation_id>/send/",
        clinician_views.link_send,
        name="portal-link-send",
    ),
    path(
        "sessions/<int:session_id>/links/<int:invitation_id>/revoke/",
        clinician_views.link_revoke,
        name="portal-link-revoke",
    ),
]
