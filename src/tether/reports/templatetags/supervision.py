"""How the clinic's figures read on the supervisor's pages: a share as
"67% (2 of 3)", no share of nothing."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from ..alert_rules import Share

register = template.Library()


@register.filter
def share(value: Share) -> str:
    """A share in words; a dash where there is nothing to share out."""
    if value.percent is None:
        return "—"
    return gettext("%(percent)d%% (%(part)d of %(whole)d)") % {
        "percent": value.percent,
        "part": value.part,
        "whole": value.whole,
    }
