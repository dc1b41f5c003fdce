from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tether.audit"
    label = "audit"
