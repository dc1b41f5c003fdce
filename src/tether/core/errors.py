"""Error pages in Tether's own style, each with a way back (403, 404, 405,
500, and a form whose security token expired). Django calls the handlers named
in tether/urls.py; `FriendlyNotAllowed` gives a page to a GET on an address
that only takes a form (Django's own 405 has no body)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PAGES = {
    400: (
        gettext_lazy("This request could not be read"),
        gettext_lazy("Something in the address or the form was not as expected."),
    ),
    403: (
        gettext_lazy("You do not have access to this page"),
        gettext_lazy(
            "Your account cannot open it. If you think it should, ask your "
            "clinic's administrator."
        ),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy(
            "Nothing is at this address. It may have been mistyped, or what it "
            "showed has been removed."
        ),
    ),
    405: (
        gettext_lazy("This address only accepts a form"),
        gettext_lazy(
            "It is reached by pressing a button on a page, not by opening it "
            "directly. Go back to the page and use its button."
        ),
    ),
    500: (
        gettext_lazy("Something went wrong on our side"),
        gettext_lazy(
            "The problem has been logged. Nothing you had already saved is lost; "
            "please try again in a moment."
        ),
    ),
}
CSRF_EXPIRED = (
    gettext_lazy("This form has expired"),
    gettext_lazy(
        "For your security, a form stops working after a while or after "
        "signing in again. Go back, reload the page and send it again; "
        "answers already saved are kept."
    ),
)


def error_page(
    request: HttpRequest | None, status: int, exception: object = None
) -> HttpResponse:
    heading, explanation = PAGES[status]
    context = {"status": status, "heading": heading, "explanation": explanation}
    if status == 500 or request is None:
        # No request context: the page must render even when what failed was
        # a context processor or the database.
        html = loader.get_template("error.html").render(context)
        return HttpResponse(html, status=status)
    return render(request, "error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(None, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    heading, explanation = CSRF_EXPIRED
    context = {
        "status": 403,
        "heading": heading,
        "explanation": explanation,
        "back_label": _("Back to the start"),
    }
    return render(request, "error.html", context, status=403)


class FriendlyNotAllowed:
    """A 405 without a body (require_POST, a view's http_method_names) becomes
    the error page, keeping the response's headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = error_page(request, 405)
        # Keep what the view said of itself: Allow, and a private page's
        # no-store, no-referrer and noindex headers.
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                page[header] = value
        return page
