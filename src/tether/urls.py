from django.urls import include, path

urlpatterns = [
    path("accounts/", include("tether.accounts.urls")),
    path("", include("tether.core.urls")),
    path("", include("tether.care.urls")),
    path("", include("tether.portal.urls")),
    path("", include("tether.portal.kiosk_urls")),
]
