"""Text messages through a pluggable backend, chosen by the setting
TETHER_SMS_BACKEND (a dotted path; default: print to the console).

To use a real provider, subclass BaseSMSBackend, implement `send`, and point the
setting at the class, e.g. in the environment of the settings module::

    TETHER_SMS_BACKEND = "myclinic.sms.ProviderBackend"

Read the provider's credentials in `__init__` from settings or the environment
(never hard-code them), raise SMSError when the provider refuses a message, and
keep the provider's own logging free of message bodies: a body holds a live link.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

from tether.core.mail import shows_whole_messages, withheld

DEFAULT_BACKEND = "tether.portal.sms.ConsoleSMSBackend"


class SMSError(RuntimeError):
    """The provider did not accept the message."""


class BaseSMSBackend(ABC):
    """Send one text message. `to` is the number as entered for the member;
    normalising it (E.164) is the provider backend's job."""

    @abstractmethod
    def send(self, to: str, body: str) -> None:
        """Deliver `body` to `to`, or raise SMSError."""


class ConsoleSMSBackend(BaseSMSBackend):
    """Development: print the message to standard output, as Tether's console
    email backend does (core/mail.py): whole in debug and demo mode, and
    elsewhere without the number and the body, which holds a live link."""

    def send(self, to: str, body: str) -> None:
        stream = sys.stdout
        if shows_whole_messages():
            stream.write(f"SMS to {to}\n{body}\n")
        else:
            stream.write(withheld("SMS", 1, body))
        stream.write(f"{'-' * 40}\n")
        stream.flush()


class LocMemSMSBackend(BaseSMSBackend):
    """Tests: keep messages in `LocMemSMSBackend.outbox` as (to, body)."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> None:
        type(self).outbox.append((to, body))


def get_sms_backend() -> BaseSMSBackend:
    path = getattr(settings, "TETHER_SMS_BACKEND", DEFAULT_BACKEND)
    backend = import_string(path)()
    if not isinstance(backend, BaseSMSBackend):
        raise TypeError(f"TETHER_SMS_BACKEND {path!r} is not a BaseSMSBackend")
    return backend
