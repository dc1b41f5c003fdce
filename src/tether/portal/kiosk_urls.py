"""Kiosk mode (portal/kiosk.py). The kiosk pages live under /kiosk/, which
KioskLockMiddleware (portal/kiosk_lock.py) leaves open; starting one is a clinical page of a session."""

from django.urls import path

from . import kiosk

urlpatterns = [
    path(
        "sessions/<int:session_id>/kiosk/start/",
        kiosk.kiosk_start,
        name="kiosk-start",
    ),
    path("kiosk/", kiosk.kiosk_home, name="kiosk-home"),
    path("kiosk/members/<int:member_id>/", kiosk.kiosk_open, name="kiosk-open"),
    path("kiosk/exit/", kiosk.kiosk_exit, name="kiosk-exit"),
    path("kiosk/next/", kiosk.kiosk_handover, name="kiosk-handover"),
]
