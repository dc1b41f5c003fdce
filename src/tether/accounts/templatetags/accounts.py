"""`{% first_run_checklist %}`: a new clinic's first steps, shown to its
administrators until done (computed by `selectors.first_run_checklist`)."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import first_run_checklist as checklist_for

register = template.Library()


@register.inclusion_tag("accounts/_first_run.html", takes_context=True)
def first_run_checklist(context: template.Context) -> dict[str, Any]:
    user = context.get("user")
    return {"steps": checklist_for(user) if user is not None else None}
