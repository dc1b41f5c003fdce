from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "tether.care"
    label = "care"
