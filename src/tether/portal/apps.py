from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tether.portal"
    label = "portal"

    def ready(self) -> None:
        from tether.care.frames import ROW_SOURCES
        from tether.care.services import CASE_UPKEEP

        from .services import settle_expired_links
        from .unanswered import unanswered_invitation_rows

        if unanswered_invitation_rows not in ROW_SOURCES:
            ROW_SOURCES.append(unanswered_invitation_rows)
        if settle_expired_links not in CASE_UPKEEP:
            CASE_UPKEEP.append(settle_expired_links)
