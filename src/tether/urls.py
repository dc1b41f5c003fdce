from django.urls import include, path

urlpatterns = [
    path("", include("tether.core.urls")),
]
