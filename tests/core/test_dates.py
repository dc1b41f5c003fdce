"""Dates read one way on every page (tether/formats/en/formats.py)."""

import datetime as dt
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import timezone

import tether

TEMPLATES = sorted(Path(tether.__file__).parent.glob("*/templates/**/*.html"))


def test_no_template_writes_a_date_format_of_its_own():
    own = {
        f"{path.name}: {found}"
        for path in TEMPLATES
        for found in re.findall(r'\|date:"([^"]*)"', path.read_text(encoding="utf-8"))
        if found not in ("DATE_FORMAT", "DATETIME_FORMAT")
    }
    assert own == set()


def test_a_day_and_a_moment_read_day_first_with_the_month_as_a_word():
    shown = Template('{{ day|date }} · {{ moment|date:"DATETIME_FORMAT" }}').render(
        Context(
            {
                "day": dt.date(2025, 4, 3),
                "moment": dt.datetime(2025, 4, 3, 14, 5, tzinfo=dt.UTC),
            }
        )
    )
    assert shown == "3 Apr 2025 · 3 Apr 2025, 14:05"
    assert timezone.get_current_timezone_name() == "UTC"
