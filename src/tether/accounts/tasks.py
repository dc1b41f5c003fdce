"""The accounts' background work (django-tasks; `tether worker` runs it): the
password-reset email (docs/security.md §Password reset).

The reset page answers every address alike and at the same speed: it only
queues `send_password_reset`, and this task, after the response, looks the
address up and sends a link only if it belongs to an account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from tether.audit.services import record

SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"
EMAIL_TEMPLATE = "accounts/password_reset_email.txt"


class AuditedPasswordResetForm(PasswordResetForm):
    """Django's reset form (which accounts get a link, the link's token), whose
    email is recorded in the audit trail once sent. Unlike Django's, a failure
    to send is raised, not only logged: the task then fails where the worker
    shows it, and the audit trail holds no email that never left."""

    sent = 0

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = render_to_string(subject_template_name, context)
        body = render_to_string(email_template_name, context)
        # A subject holds no line breaks (as Django's form makes sure too).
        subject = "".join(subject.splitlines())
        EmailMessage(subject, body, from_email, [to_email]).send()
        user = context["user"]
        organization = getattr(user, "organization", None)
        record(None, "password-reset-sent", "user", user.pk, organization)
        self.sent += 1


@task()
def send_password_reset(email: str, language: str, site_url: str) -> int:
    """Email a reset link to each active account with this address (none for
    an unknown one), in `language`, pointing to `site_url`; returns how many
    were sent."""
    form = AuditedPasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    scheme, _, domain = site_url.rstrip("/").partition("://")
    with translation.override(language):
        form.save(
            domain_override=domain,
            use_https=scheme == "https",
            subject_template_name=SUBJECT_TEMPLATE,
            email_template_name=EMAIL_TEMPLATE,
        )
    return form.sent
