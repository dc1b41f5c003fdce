"""The instrument library pages (every bundled instrument and one page each)
and the short help pages, one per screen."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tether.instruments import UnknownInstrument, load_library

from .presenters import instrument_summary, instrument_view


@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    library = load_library(settings.DATA_DIR)
    rows = [instrument_summary(definition) for definition in library]
    return render(request, "core/instrument_list.html", {"instruments": rows})


@require_GET
def instrument_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        definition = load_library(settings.DATA_DIR).get(key)
    except UnknownInstrument as error:
        raise Http404(str(error)) from error
    language = request.GET.get("lang", "en")
    if language not in definition.languages:
        language = definition.languages[0] if definition.languages else "en"
    context = {"i": instrument_view(definition, language)}
    return render(request, "core/instrument_detail.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


HELP_TOPICS = {
    "caseload": _("The caseload"),
    "case": _("A case"),
    "sending": _("Sending questionnaires"),
    "kiosk": _("Kiosk mode"),
    "clinic": _("Setting up a clinic"),
}
"""One short help page per screen (core/templates/core/help/<topic>.html),
linked from the screen's title."""


@require_GET
def help_page(request: HttpRequest, topic: str = "") -> HttpResponse:
    topic = topic or "caseload"
    if topic not in HELP_TOPICS:
        raise Http404("No such help page.")
    context = {"topic": topic, "title": HELP_TOPICS[topic], "topics": HELP_TOPICS}
    return render(request, f"core/help/{topic}.html", context)
