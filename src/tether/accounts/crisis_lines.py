"""The national crisis lines a member sees after a risk answer, by the
organization's country (`Organization.crisis_region`), before the clinic's own
contacts (docs/clinical-rules.md §Risk items).

Each line has its wording (through gettext: members read it in their own
language), the buttons that call or text it, and the page it was checked
against. The same numbers, sources and the date they were checked are listed
in docs/crisis-lines.md; `tests/accounts/test_crisis_lines.py` checks that the
two agree. Check them again before each release: numbers and options change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import CrisisRegion

CHECKED = dt.date(2026, 12, 7)
"""When every number, option and source below was last checked."""


@dataclass(frozen=True)
class Action:
    """A button: `href` is a `tel:` or `sms:` address."""

    label: str | Promise
    href: str


@dataclass(frozen=True)
class Line:
    text: str | Promise
    actions: tuple[Action, ...]
    source: str
    """The service's own page the number and wording were checked against."""


def call(number: str, label: str | Promise) -> Action:
    return Action(label, "tel:" + "".join(c for c in number if c.isdigit()))


def text(number: str, label: str | Promise) -> Action:
    return Action(label, "sms:" + "".join(c for c in number if c.isdigit()))


US = (
    Line(
        _(
            "Call or text 988, the Suicide & Crisis Lifeline. For Spanish, press 2 "
            "(para español, marque 2). You can also chat at 988lifeline.org."
        ),
        (call("988", _("Call 988")), text("988", _("Text 988"))),
        "https://988lifeline.org/",
    ),
    Line(
        _(
            "Veterans and their families: call 988 and press 1, or text 838255 "
            "(Veterans Crisis Line)."
        ),
        (text("838255", _("Text 838255")),),
        "https://www.veteranscrisisline.net/",
    ),
    Line(
        _("If you or someone else is in danger right now, call 911."),
        (call("911", _("Call 911")),),
        "https://www.911.gov/",
    ),
)

GB = (
    Line(
        _("Samaritans: call 116 123, free from any phone, any time of day or night."),
        (call("116 123", _("Call 116 123")),),
        "https://www.samaritans.org/how-we-can-help/contact-samaritan/",
    ),
    Line(
        _(
            "Shout: text SHOUT to 85258 to write to a trained volunteer, free, any "
            "time of day or night."
        ),
        (text("85258", _("Text 85258")),),
        "https://giveusashout.org/",
    ),
    Line(
        _(
            "In England, for urgent help with your mental health, call NHS 111 and "
            "choose the mental health option."
        ),
        (call("111", _("Call 111")),),
        "https://www.nhs.uk/nhs-services/mental-health-services/where-to-get-urgent-help-for-mental-health/",
    ),
    Line(
        _("If you or someone else is in danger right now, call 999."),
        (call("999", _("Call 999")),),
        "https://www.nhs.uk/nhs-services/mental-health-services/where-to-get-urgent-help-for-mental-health/",
    ),
)

CA = (
    Line(
        _(
            "Call or text 9-8-8, the Suicide Crisis Helpline: free, any time of day "
            "or night, in English or French."
        ),
        (call("988", _("Call 988")), text("988", _("Text 988"))),
        "https://988.ca/",
    ),
    Line(
        _(
            "Children and young people: call Kids Help Phone at 1-800-668-6868, or "
            "text CONNECT to 686868, any time."
        ),
        (
            call("1-800-668-6868", _("Call 1-800-668-6868")),
            text("686868", _("Text 686868")),
        ),
        "https://kidshelpphone.ca/",
    ),
    Line(
        _("If you or someone else is in danger right now, call 911."),
        (call("911", _("Call 911")),),
        "https://988.ca/",
    ),
)

LINES: dict[str, tuple[Line, ...]] = {
    CrisisRegion.US: US,
    CrisisRegion.GB: GB,
    CrisisRegion.CA: CA,
}
"""Every region an organization may choose, with its lines; emergency last."""


def crisis_lines(region: str) -> tuple[Line, ...]:
    """The lines of `region`; the United States' for a region Tether does not
    know (a value stored before a region was removed), never none."""
    return LINES.get(region, US)
