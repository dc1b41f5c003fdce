from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tether.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session_lifetime import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="tether-sign-in-time")
