"""`tether createadmin`: the first administrator of a new install (and their
clinic), or a new enrolment code for an administrator who lost their phone
when no other administrator can reset it.

It prints a temporary password and an enrolment code, each once: the
administrator signs in with the password, enters the code, and only then sets
up an authenticator app (docs/security.md §Second-factor enrolment). Nothing
printed here is stored in the clear or written to any log."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import formats, timezone

from tether.accounts import services
from tether.accounts.models import User

INPUT_ERROR = 2


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--organization",
            help="the clinic's name; created when no clinic of that name exists",
        )
        parser.add_argument("--email", default="", help="for password resets")
        parser.add_argument(
            "--new-code",
            action="store_true",
            help="for an existing administrator: remove their authenticator and "
            "backup codes and print a new enrolment code",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_code"]:
            self._new_code(options["username"])
            return
        if not options["organization"]:
            raise CommandError(
                "give the clinic's name: --organization 'Riverside Clinic'",
                returncode=INPUT_ERROR,
            )
        try:
            account = services.create_first_admin(
                options["organization"], options["username"], options["email"]
            )
        except ValueError as error:
            raise CommandError(str(error), returncode=INPUT_ERROR) from error
        user = account.user
        self.stdout.write(
            f"{user.username} is an administrator of {user.organization}."
        )
        self.stdout.write(f"Temporary password (shown only now): {account.password}")
        self._show(account.enrolment_code)

    def _new_code(self, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_org_admin:
            raise CommandError(
                f"{username!r} is not an administrator; another user gets a new "
                "enrolment code from the Users page",
                returncode=INPUT_ERROR,
            )
        issued = services.reset_second_factor(None, user)
        self.stdout.write(
            f"{user.username}'s authenticator and backup codes were removed."
        )
        self._show(issued)

    def _show(self, issued: services.IssuedCode) -> None:
        until = formats.date_format(
            timezone.localtime(issued.expires_at), "DATETIME_FORMAT"
        )
        zone = timezone.get_current_timezone_name()
        self.stdout.write(
            f"Enrolment code (shown only now; it works once, until {until} {zone}): "
            f"{issued.code}"
        )
        sign_in = str(settings.TETHER_BASE_URL or "").rstrip("/") + reverse("login")
        self.stdout.write(
            f"Sign in at {sign_in}, enter the enrolment code, then set up an "
            "authenticator app."
        )
