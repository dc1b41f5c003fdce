"""Tether's console email backend, also keeping each message it is given, so
a test can follow a link that the console withholds."""

from tether.core.mail import ConsoleEmailBackend

outbox = []


class Backend(ConsoleEmailBackend):
    def send_messages(self, email_messages):
        outbox.extend(email_messages)
        return super().send_messages(email_messages)
