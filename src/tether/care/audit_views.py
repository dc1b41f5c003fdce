"""The administrators' audit log: a page of their organization's events, and
the same events as a CSV file (docs/security.md §Audit trail). Thin, as in
views.py: a form, one selector, a render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import defusedcsv.csv as safe_csv  # spreadsheet-safe cells (formula injection)
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tether.accounts.decorators import admin_view
from tether.accounts.models import User

from .audit_forms import AuditFilterForm
from .audit_selectors import AuditRow, audit_log_export, audit_log_page


@admin_view
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    form = AuditFilterForm(request.GET, admin=admin)
    page, rows = audit_log_page(admin, form.query(), request.GET.get("page"))
    context = {"form": form, "page": page, "rows": rows}
    return render(request, "care/audit_log.html", context)


@admin_view
@require_GET
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    form = AuditFilterForm(request.GET, admin=admin)
    rows = audit_log_export(admin, form.query())
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


class _Line:
    """A file that hands back what is written to it: the csv writer's line."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[AuditRow]) -> Iterator[str]:
    writer = safe_csv.writer(_Line())
    yield writer.writerow(
        [
            _("Entry"),
            _("When (UTC)"),
            _("Who"),
            _("Action"),
            _("Record"),
            _("Case"),
            _("Details"),
            _("Address"),
            _("Browser"),
        ]
    )
    for row in rows:
        yield writer.writerow(
            [
                row.sequence if row.sequence is not None else "",
                row.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                row.who,
                row.action,
                row.about,
                row.case,
                row.details,
                row.ip_address,
                row.user_agent,
            ]
        )
