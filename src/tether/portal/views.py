"""The questionnaire pages a member opens from a link (`/q/<token>/…`); the
clinician's pages that issue, send and revoke those links are in
clinician_views.py.

Member pages work as plain HTML forms; htmx only adds autosave per answer,
and portal.js moves on when an answer is tapped (one question per screen).
Every `/q/` response is private (`portal_page`): no referrer, no caching, no
indexing. The token is never logged (core/redaction.py) and never stored;
the session remembers the invitation by its id, and a finished link by a hash
of the token."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tether.accounts.crisis_lines import crisis_lines
from tether.care.errors import Code, InvalidEntry, Problem
from tether.care.frames import library
from tether.care.models import SENT, Response
from tether.instruments import PICTURES, Definition, Item, text_in

from . import services
from .csrf import link_csrf_protect
from .models import Channel, Invitation
from .services import LinkError

# ---- page text -----------------------------------------------------------------
# Every text of these pages goes through gettext (locale/es/LC_MESSAGES): the
# member pages are shown in the link's language, the clinician pages in
# English (no LocaleMiddleware; see docs/translating.md).

GONE = {LinkError.EXPIRED, LinkError.COMPLETED, LinkError.REVOKED}
SKIP = "skip"
MODES = ("one", "all")
SEEN_KEY = "portal:links"
CLOSED_KEY = "portal:closed"
"""Finished kiosk links whose end page this tablet no longer shows (by the
hash of the token, as SEEN_KEY)."""
LANG_KEY = "portal:lang"
STATE_PREFIX = "portal:"
ONLY_IN = {
    "en": gettext_lazy("(only in English)"),
    "es": gettext_lazy("(only in Spanish)"),
}
"""After a questionnaire's title, where its questions are not in the page's
language (the PCL-5 has no Spanish text that may be bundled)."""
ONLY_AVAILABLE_IN = {
    "en": gettext_lazy("The questionnaire “%(title)s” is only available in English."),
    "es": gettext_lazy("The questionnaire “%(title)s” is only available in Spanish."),
}
"""The same, said on the welcome page."""


# ---- privacy of every /q/ response ---------------------------------------------


def private(response: HttpResponse) -> HttpResponse:
    """No referrer (the URL holds the token), no caching, no indexing."""
    add_never_cache_headers(response)  # includes no-store
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A `/q/` page: a link problem or a missing page becomes a calm page with
    the right status, and every response, a CSRF refusal included, is private.
    CSRF is checked here rather than in the middleware for that reason."""
    protected = link_csrf_protect(view)

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> Any:
        # The language of the browser until the link says otherwise (`speak`);
        # the override puts the server's language back after the response.
        with translation.override(request_language(request)):
            try:
                response = protected(request, token, *args, **kwargs)
            except LinkError as error:
                response = link_problem(request, token, error)
            except Http404:
                response = not_found(request)
        return private(response)

    return csrf_exempt(wrapped)


@csrf_exempt  # it changes nothing, and a CSRF refusal would not be private
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    lang = request_language(request)
    with translation.override(lang):
        message = _(
            "This page does not exist. Please check the link, or ask your therapist for a new one."
        )
        context = {"lang": lang, "message": message}
        response = render(request, "portal/message.html", context, status=404)
    return private(response)


def link_problem(request: HttpRequest, token: str, error: LinkError) -> HttpResponse:
    if error.reason == LinkError.COMPLETED:
        finished = request.session.get(SEEN_KEY, {}).get(token_key(token))
        if finished is not None:
            return finished_link(request, token, finished)
    status = 410 if error.reason in GONE else 404
    speak(request_language(request, fallback=error.language or "en"))
    context = {"lang": translation.get_language(), "message": error.message}
    return render(request, "portal/message.html", context, status=status)


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def request_language(request: HttpRequest, fallback: str = "en") -> str:
    """For pages shown before (or without) an open invitation: ?lang=, else
    the last language this browser read here, else `fallback` (the language
    of the link, when it is known), else English."""
    known = dict(settings.LANGUAGES)
    for asked in (request.GET.get("lang"), request.session.get(LANG_KEY), fallback):
        if asked in known:
            return str(asked)
    return "en"


def speak(lang: str) -> None:
    """Show the rest of this `/q/` response in `lang`. Only inside
    `portal_page`, whose `translation.override` restores the language after
    the response, so the next request served by this thread is not affected."""
    translation.activate(lang)


# ---- one visit to a link -------------------------------------------------------


@dataclass
class Visit:
    request: HttpRequest
    token: str
    invitation: Invitation
    definitions: list[Definition]
    languages: list[str]
    lang: str = "en"

    @property
    def state(self) -> dict[str, Any]:
        key = f"{STATE_PREFIX}{self.invitation.pk}"
        return self.request.session.setdefault(key, {})  # type: ignore[no-any-return]

    def remember(self, **values: Any) -> None:
        self.state.update(values)
        self.request.session.modified = True

    @property
    def mode(self) -> str:
        return str(self.state.get("mode", "one"))

    def definition(self, slug: str) -> Definition:
        for definition in self.definitions:
            if definition.id == slug:
                return definition
        raise Http404("Not an instrument of this link.")

    @property
    def case_kind(self) -> str:
        return str(self.invitation.session.case.kind)

    def items(self, definition: Definition) -> list[Item]:
        kind = self.case_kind
        return [item for item in definition.items if kind in item.applies_to]

    def responses(self) -> dict[str, Response]:
        return {r.instrument: r for r in link_responses(self.invitation)}

    def context(self, **extra: Any) -> dict[str, Any]:
        names = dict(settings.LANGUAGES)
        return {
            "lang": self.lang,
            "token": self.token,
            "languages": [(code, names.get(code, code)) for code in self.languages],
            # On the shared tablet a turn cannot be resumed by its link.
            "pause": _("You can stop at any time: just give the tablet back.")
            if is_kiosk(self.invitation)
            else _(
                "You can stop at any time. Your answers are saved as you go, and this same link brings you back to where you stopped."
            ),
            **extra,
        }


def link_responses(invitation: Invitation) -> list[Response]:
    """The responses that count for this link's person, session and
    questionnaires."""
    return list(
        services.responses_of(
            invitation.session_id, invitation.member, invitation.instruments
        )
    )


def open_visit(request: HttpRequest, token: str) -> Visit:
    invitation = services.find_invitation(token)
    lib = library()
    definitions = [lib.get(key) for key in invitation.instruments]
    # Every language at least one of its questionnaires has: the others are
    # shown in English, and say so (ONLY_IN).
    languages = [
        code
        for code, _name in settings.LANGUAGES
        if any(d.speaks(code) for d in definitions)
    ]
    visit = Visit(request, token, invitation, definitions, languages)
    # This browser may show the end page once the link is done (a reload, a
    # double tap, a retry racing the first submission): keyed by a hash.
    seen = request.session.get(SEEN_KEY, {})
    if seen.get(token_key(token)) != invitation.pk:
        request.session[SEEN_KEY] = {**seen, token_key(token): invitation.pk}
    asked = request.GET.get("lang")
    if asked in languages and asked != invitation.language:
        # Kept on the link: it opens in this language on any device.
        services.choose_language(invitation, str(asked))
    fallback = languages[0] if languages else "en"
    visit.lang = invitation.language if invitation.language in languages else fallback
    # Remembered for the pages that come without an open link (it expires, a
    # wrong address): they then speak as this one did.
    if request.session.get(LANG_KEY) != visit.lang:
        request.session[LANG_KEY] = visit.lang
    speak(visit.lang)
    return visit


def is_sent(response: Response | None) -> bool:
    return response is not None and response.status in SENT


def from_paper(response: Response | None) -> bool:
    """Entered by the clinician from a paper form: not answered on this link."""
    return response is not None and response.status == Response.Status.PAPER


def answered_here(visit: Visit, responses: Mapping[str, Response]) -> list[Definition]:
    """The questionnaires this person answers on the link: all of them but
    those entered from paper meanwhile."""
    return [d for d in visit.definitions if not from_paper(responses.get(d.key))]


def next_url(visit: Visit) -> str:
    """The first screen not yet answered: resume where the person stopped."""
    responses = visit.responses()
    for definition in visit.definitions:
        response = responses.get(definition.key)
        if is_sent(response):
            continue
        if visit.mode == "all":
            return reverse("portal-page", args=[visit.token, definition.id])
        saved = response.answers if response else {}
        items = visit.items(definition)
        numbers = (n for n, item in enumerate(items, 1) if item.id not in saved)
        number = next(numbers, len(items))
        return reverse("portal-item", args=[visit.token, definition.id, number])
    return reverse("portal-done", args=[visit.token])


def after_sending(visit: Visit, definition: Definition, risk: bool) -> HttpResponse:
    """Where to go once an instrument is sent: the end page when the link is
    done (it shows the support lines after a risk answer), the support page
    at once after a risk answer not yet followed by it, else onwards."""
    invitation = visit.invitation
    invitation.refresh_from_db(fields=["completed_at"])
    if invitation.completed_at is not None:
        return redirect("portal-done", visit.token)
    if risk and first_support(visit, definition):
        return redirect("portal-support", visit.token)
    return redirect(next_url(visit))


def support_due(visit: Visit, definition: Definition) -> bool:
    """A risk answer is saved in this instrument (sent or not), and the
    support page has not yet followed it on this link."""
    response = visit.responses().get(definition.key)
    return (
        response is not None
        and response.risk_endorsed
        and first_support(visit, definition)
    )


def first_support(visit: Visit, definition: Definition) -> bool:
    """True the first time the support page follows this instrument."""
    shown = list(visit.state.get("support_for", []))
    if definition.key in shown:
        return False
    visit.remember(support_for=[*shown, definition.key])
    return True


def send(visit: Visit, definition: Definition) -> HttpResponse | list[Problem]:
    """Submit one instrument; its problems if it cannot be sent yet."""
    try:
        result = services.submit(visit.invitation, definition.key)
    except InvalidEntry as error:
        return error.problems
    return after_sending(visit, definition, result.risk)


# ---- answers -------------------------------------------------------------------


def posted(data: Mapping[str, str], item: Item) -> tuple[bool, str | None]:
    """(answered, value); value None means "prefer not to answer"."""
    raw = (data.get(f"item-{item.id}") or "").strip()
    if raw == SKIP or data.get(f"skip-{item.id}"):
        return True, None
    return (raw != ""), (raw or None)


def plain(visit: Visit, definition: Definition, problem: Problem) -> str:
    """A problem with an answer in the words of the member's page, chosen by
    its code, in the page's language."""
    if problem.code == Code.ALREADY_SENT:
        return _("These answers were already sent, so they cannot be changed.")
    if problem.code == Code.SKIP_NOT_ALLOWED:
        return problem.message
    if definition.value_range is not None:
        low, high = definition.answer_bounds
        return _("Please enter a number from %(min)s to %(max)s.") % {
            "min": number(low),
            "max": number(high),
        }
    return _("This answer could not be saved. Please choose one of the answers shown.")


def missing_text(visit: Visit, definition: Definition) -> str:
    if definition.allow_skip:
        return _("Please choose an answer, or “Prefer not to answer”.")
    return _("Please choose an answer.")


def save(
    visit: Visit, definition: Definition, items: list[Item], data: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Save each answer given; (the saved answers, problems by item id)."""
    saved: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in items:
        answered, value = posted(data, item)
        if not answered:
            continue
        try:
            response = services.save_answer(
                visit.invitation, definition.key, item.id, value
            )
        except InvalidEntry as error:
            errors[item.id] = plain(visit, definition, error.problems[0])
        else:
            saved = dict(response.answers)
    return saved, errors


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def item_view(
    visit: Visit,
    definition: Definition,
    item: Item,
    saved: Mapping[str, Any],
    error: str = "",
) -> dict[str, Any]:
    answer = saved.get(item.id)
    shown_in = definition.text_language(visit.lang)
    view: dict[str, Any] = {
        "id": item.id,
        # The wording for this case, e.g. "my partner" in a couple case.
        "text": text_in(item.text_for(visit.case_kind), shown_in),
        "error": error,
        "can_skip": definition.allow_skip,
        "skipped": item.id in saved and answer is None,
    }
    if definition.value_range is not None:
        r = definition.value_range
        view["range"] = {
            "min": number(r.minimum),
            "max": number(r.maximum),
            "step": number(r.step),
            "value": "" if answer is None else number(answer),
            "label": _("Your answer: a number from %(min)s to %(max)s")
            % {"min": number(r.minimum), "max": number(r.maximum)},
        }
        return view
    view["options"] = [
        {
            "value": number(option.value),
            "label": text_in(option.label, shown_in),
            "picture": f"portal/faces/{option.picture}.svg"
            if option.picture in PICTURES
            else "",
            "checked": answer is not None and float(answer) == option.value,
        }
        for option in definition.options
    ]
    return view


def instrument_context(
    visit: Visit, definition: Definition, responses: Mapping[str, Response]
) -> dict[str, Any]:
    # "Questionnaire 2 of 2" counts only what this person answers here.
    counted = answered_here(visit, responses)
    position = counted.index(definition) + 1 if definition in counted else 1
    shown_in = definition.text_language(visit.lang)
    return visit.context(
        definition=definition,
        slug=definition.id,
        heading=definition.title_for_members(shown_in),
        # Its own language where the page speaks another (lang attributes).
        content_lang=shown_in if shown_in != visit.lang else "",
        only_in=ONLY_IN.get(shown_in, "") if shown_in != visit.lang else "",
        instructions=text_in(definition.instructions, shown_in)
        if definition.instructions
        else "",
        stem=text_in(definition.stem, shown_in) if definition.stem else "",
        pictures=any(option.picture for option in definition.options),
        trauma=definition.trauma_content,
        questionnaire=_("Questionnaire %(n)s of %(total)s")
        % {"n": position, "total": len(counted)}
        if len(counted) > 1
        else "",
    )


def only_available_in(visit: Visit, definitions: list[Definition]) -> list[str]:
    """For the welcome page: which questionnaires are not in its language."""
    notes = []
    for definition in definitions:
        shown_in = definition.text_language(visit.lang)
        if shown_in != visit.lang and shown_in in ONLY_AVAILABLE_IN:
            title = definition.title_for_members(shown_in)
            notes.append(ONLY_AVAILABLE_IN[shown_in] % {"title": title})
    return notes


# ---- member pages --------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, token: str) -> HttpResponse:
    visit = open_visit(request, token)
    if request.method == "POST":
        mode = request.POST.get("mode")
        visit.remember(mode=mode if mode in MODES else "one")
        return redirect(next_url(visit))
    responses = visit.responses()
    waiting = [d for d in visit.definitions if not is_sent(responses.get(d.key))]
    context = visit.context(
        name=visit.invitation.member.first_name if visit.invitation.member else "",
        size=questions_size(sum(len(visit.items(d)) for d in waiting)),
        trauma=any(d.trauma_content for d in waiting),
        can_skip=any(d.allow_skip for d in waiting),
        # Answers of their own on this link, not a paper form's.
        resuming=any(r.answers for r in responses.values() if not from_paper(r)),
        only_in=only_available_in(visit, waiting),
        mode=visit.mode,
    )
    return render(request, "portal/welcome.html", context)


def questions_size(count: int) -> str:
    return ngettext(
        "About %(n)s question. It takes a few minutes.",
        "About %(n)s questions. It takes a few minutes.",
        count,
    ) % {"n": count}


@portal_page
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str, instrument: str) -> HttpResponse:
    """All the questions of one instrument on one page."""
    visit = open_visit(request, token)
    definition = visit.definition(instrument)
    responses = visit.responses()
    response = responses.get(definition.key)
    if is_sent(response):
        assert response is not None
        return after_sending(visit, definition, response.risk_endorsed)
    items = visit.items(definition)
    saved = dict(response.answers) if response else {}
    errors: dict[str, str] = {}
    problem = ""
    if request.method == "POST":
        saved_now, errors = save(visit, definition, items, request.POST)
        saved.update(saved_now)
        for item in items:
            if item.id not in saved and item.id not in errors:
                errors[item.id] = missing_text(visit, definition)
        if not errors:
            visit.remember(mode="all")
            sent = send(visit, definition)
            if isinstance(sent, HttpResponse):
                return sent
            problem = _(
                "Your answers are saved, but they could not be sent yet. Please look at the questions marked below."
            )
        elif support_due(visit, definition):
            return redirect("portal-support", visit.token)
        else:
            problem = _(
                "Please look at the questions marked below. Your other answers are saved."
            )
    context = instrument_context(visit, definition, responses)
    context["items"] = [
        item_view(visit, definition, item, saved, errors.get(item.id, ""))
        for item in items
    ]
    context["problem"] = problem
    return render(request, "portal/page.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def item(request: HttpRequest, token: str, instrument: str, n: int) -> HttpResponse:
    """One question per screen."""
    visit = open_visit(request, token)
    definition = visit.definition(instrument)
    responses = visit.responses()
    response = responses.get(definition.key)
    if is_sent(response):
        assert response is not None
        return after_sending(visit, definition, response.risk_endorsed)
    items = visit.items(definition)
    if not 1 <= n <= len(items):
        raise Http404("No such question.")
    saved = dict(response.answers) if response else {}
    error = ""
    if request.method == "POST":
        saved_now, errors = save(visit, definition, [items[n - 1]], request.POST)
        saved.update(saved_now)
        error = errors.get(items[n - 1].id, "")
        if not error and items[n - 1].id not in saved:
            error = missing_text(visit, definition)
        if not error:
            visit.remember(mode="one")
            return onwards(visit, definition, items, saved, n)
    context = instrument_context(visit, definition, responses)
    context["item"] = item_view(visit, definition, items[n - 1], saved, error)
    context["progress"] = _("Question %(n)s of %(total)s") % {
        "n": n,
        "total": len(items),
    }
    context["n"] = n
    context["last"] = n == len(items)
    # The instructions and the trauma notice once, on the first screen.
    context["trauma"] = context["trauma"] and n == 1
    context["instructions"] = context["instructions"] if n == 1 else ""
    return render(request, "portal/item.html", context)


def onwards(
    visit: Visit,
    definition: Definition,
    items: list[Item],
    saved: Mapping[str, Any],
    n: int,
) -> HttpResponse:
    if n < len(items):
        # Only a risk item can make the support page due: no lookup otherwise.
        if items[n - 1].risk is not None and support_due(visit, definition):
            return redirect("portal-support", visit.token)
        return redirect("portal-item", visit.token, definition.id, n + 1)
    unanswered = [i for i, it in enumerate(items, 1) if it.id not in saved]
    if unanswered:
        return redirect("portal-item", visit.token, definition.id, unanswered[0])
    sent = send(visit, definition)
    if isinstance(sent, HttpResponse):
        return sent
    # Not sendable (e.g. an answer the instrument cannot score): show the page.
    return redirect("portal-page", visit.token, definition.id)


@portal_page
@require_POST
def autosave(request: HttpRequest, token: str, instrument: str) -> HttpResponse:
    """htmx: save the one answer just chosen; a fragment saying so."""
    visit = open_visit(request, token)
    definition = visit.definition(instrument)
    chosen = [i for i in visit.items(definition) if i.id == request.POST.get("item")]
    if not chosen:
        raise Http404("No such question.")
    if not getattr(request, "htmx", False):
        return redirect(next_url(visit))
    answered, _value = posted(request.POST, chosen[0])
    message, error = "", ""
    if answered:
        _saved, errors = save(visit, definition, chosen, request.POST)
        error = errors.get(chosen[0].id, "")
        message = "" if error else _("Saved")
    context = {"message": message, "error": error}
    return render(request, "portal/_saved.html", context)


@portal_page
@require_http_methods(["GET"])
def support(request: HttpRequest, token: str) -> HttpResponse:
    """Shown at once after a risk answer when more questions follow."""
    visit = open_visit(request, token)
    organization = visit.invitation.organization
    context = visit.context(
        organization=organization,
        crisis_lines=crisis_lines(organization.crisis_region),
        next_url=next_url(visit),
    )
    return render(request, "portal/support.html", context)


@portal_page
@require_http_methods(["GET"])
def done(request: HttpRequest, token: str) -> HttpResponse:
    """The end page. While the link is still open there is more to answer;
    once it is done, `portal_page` shows this browser the end page (or, on
    the kiosk tablet, the neutral page: `finished_link`)."""
    visit = open_visit(request, token)
    onwards = next_url(visit)
    if onwards == request.path:
        # Everything is in (e.g. entered from paper meanwhile) but the link
        # is still open: the end page, not a redirect to itself.
        return end_page(request, visit.invitation)
    return redirect(onwards)


def finished_link(request: HttpRequest, token: str, invitation_id: int) -> HttpResponse:
    """A page of a link this browser saw finished. On a member's own device,
    the end page again (a reload, a double tap, Back). On the kiosk tablet
    the end page shows at its own address only, for the person who has just
    finished; any other page of the link finds a neutral page instead, and
    from then on the end page too, so that nobody after them reaches it and
    its support lines by Back and Forward."""
    invitation = Invitation.objects.select_related("organization").get(pk=invitation_id)
    if not is_kiosk(invitation):
        return end_page(request, invitation)
    closed = list(request.session.get(CLOSED_KEY, []))
    key = token_key(token)
    if at_end_page(request) and key not in closed:
        return end_page(request, invitation)
    if key not in closed:
        request.session[CLOSED_KEY] = [*closed, key]
    return questions_finished(request)


def at_end_page(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name == "portal-done"


def questions_finished(request: HttpRequest) -> HttpResponse:
    """Said in every language, the same for everyone: nothing on it tells
    whose questions they were, or what was answered."""
    languages = [code for code, _name in settings.LANGUAGES]
    context = {"spoken": languages, "lang": languages[0]}
    return render(request, "portal/kiosk_finished.html", context, status=410)


def end_page(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """Thanks, with the support lines after a risk answer. On a kiosk tablet
    the support page is for the person alone, then the neutral hand-over.
    Nothing the person answered is on it, only whether support is shown."""
    risk = any(r.risk_endorsed for r in link_responses(invitation) if is_sent(r))
    kiosk = is_kiosk(invitation)
    if kiosk and not risk:
        return redirect("kiosk-handover")
    # The language chosen on the link's pages is kept on the link.
    lang = invitation.language
    lang = lang if lang in dict(settings.LANGUAGES) else "en"
    speak(lang)
    context = {
        "lang": lang,
        "risk": risk,
        "organization": invitation.organization,
        "crisis_lines": crisis_lines(invitation.organization.crisis_region),
        "kiosk": kiosk,
    }
    return render(request, "portal/done.html", context)


def is_kiosk(invitation: Invitation) -> bool:
    """A link answered on the clinic's shared tablet."""
    return invitation.channel == Channel.KIOSK


def forget_links(request: HttpRequest) -> None:
    """Forget every link this browser has seen: on a shared tablet an earlier
    person's pages must answer as used links do, not show their end page."""
    # SessionBase has keys() but no __iter__.
    for key in [k for k in request.session.keys() if k.startswith(STATE_PREFIX)]:  # noqa: SIM118
        del request.session[key]
