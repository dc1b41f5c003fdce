from django.urls import include, path

from tether.api.main import api

handler400 = "tether.core.errors.bad_request"
handler403 = "tether.core.errors.permission_denied"
handler404 = "tether.core.errors.page_not_found"
handler500 = "tether.core.errors.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("tether.accounts.urls")),
    path("", include("tether.core.urls")),
    path("", include("tether.care.urls")),
    path("", include("tether.reports.urls")),
    path("", include("tether.portal.urls")),
    path("", include("tether.portal.kiosk_urls")),
]
