"""The printable case report from the case page: the PDF of one case, shown
inline (docs/reports.md §Case report). The case is read through care's
selector (404 for a case the user may not see; the read audited), the PDF's
making audited as an export; where WeasyPrint cannot run, a page says what
the server lacks and the case page keeps working."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from tether.accounts.decorators import clinical_view
from tether.accounts.models import User
from tether.care import services
from tether.care.selectors import get_case_for

from .case_report import PdfUnavailable, case_report_pdf


@clinical_view
@require_GET
def case_report(request: HttpRequest, case_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = get_case_for(user, case_id)
    services.catch_up(case)
    try:
        report, pdf = case_report_pdf(case, user)
    except PdfUnavailable as error:
        context = {"case": case, "problem": str(error)}
        return render(
            request, "reports/case_report_unavailable.html", context, status=503
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    # Inline, named by the case's id only; never kept by a browser or proxy.
    response["Content-Disposition"] = f'inline; filename="{report.filename}"'
    add_never_cache_headers(response)
    return response
