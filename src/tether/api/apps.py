from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tether.api"
    label = "api"
