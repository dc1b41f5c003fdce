"""The instrument library pages: every bundled instrument and one page each."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
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
