"""The error every write raises for input it cannot save, and the problems it
carries.

A `Problem` is a value, never a sentence to parse: the form field it belongs
to, a stable `code` that callers test (`Code`), and a message for people, a
gettext text put into the language of the page only when it is shown. Forms
put each problem on its field by name (care/forms.py `add_problems`); the
member's pages choose their own words by code (portal/views.py `plain`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

Text = str | Promise
"""A message: a `gettext_lazy` text, translated when shown."""


class Code(StrEnum):
    """What was wrong, as callers test it; the words are the message's."""

    REQUIRED = "required"
    """Nothing was given where something is needed."""
    NOT_A_CHOICE = "not-a-choice"
    """A value that is not one of the choices offered."""
    TOO_LONG = "too-long"
    """Text longer than the record keeps: refused, never cut."""
    NOT_IN_CASE = "not-in-case"
    """A member that is not (or no longer) one of the case's active members."""
    OTHER_ORGANIZATION = "other-organization"
    """A clinician of another organization."""
    OTHER_SUBSYSTEM = "other-subsystem"
    """A member already in another of caregivers, children and couple."""
    CASE_CLOSED = "case-closed"
    """The case is closed."""
    UNKNOWN_INSTRUMENT = "unknown-instrument"
    """No questionnaire of that name in the library."""
    NOT_SENDABLE = "not-sendable"
    """An instrument that cannot go to this person as a link (care/plan.py)."""
    NOT_ON_LINK = "not-on-link"
    """An instrument that is not one of the link's."""
    NOT_AN_ITEM = "not-an-item"
    """An answer to an item the instrument does not have (scoring)."""
    NOT_A_NUMBER = "not-a-number"
    """An answer or total that is not a number (scoring)."""
    NOT_ALLOWED = "not-allowed"
    """An answer that is not one of the allowed values (scoring)."""
    OUT_OF_RANGE = "out-of-range"
    """A paper total outside its scale's range."""
    NOT_A_SCALE = "not-a-scale"
    """A paper total for a scale the instrument does not have."""
    NOT_ANSWERED = "not-answered"
    """A question left unanswered where the instrument needs every answer."""
    SKIP_NOT_ALLOWED = "skip-not-allowed"
    """"Prefer not to answer" where the instrument needs every answer."""
    NOT_A_RISK_ITEM = "not-a-risk-item"
    """An item answer given with paper totals that is not a risk item's."""
    ALREADY_SENT = "already-sent"
    """The answers were already sent and can no longer change."""
    NOTHING_TO_SEND = "nothing-to-send"
    """Sending before answering anything."""
    ALREADY_ANSWERED = "already-answered"
    """The person already answered this questionnaire for the session."""
    OPEN_LINK = "open-link"
    """The person already has an open link for this questionnaire."""
    LINK_CLOSED = "link-closed"
    """The link is no longer open (answered, revoked or expired)."""
    WRONG_LINK = "wrong-link"
    """A token that is not the link of this invitation."""
    NO_ADDRESS = "no-address"
    """No email address or mobile number to send a link to."""
    EXPIRY = "expiry"
    """A link's lifetime outside what is allowed."""
    ALREADY_IN_PLAN = "already-in-plan"
    """An instrument the case's measure plan already has."""
    NOT_IN_PLAN = "not-in-plan"
    """A measure plan row that is not (or no longer) the case's."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an entry.

    `field` names the form field it belongs to ("" for the entry as a whole;
    an item's answer is `item_<id>`, a paper total `total_<scale id>`), `code`
    says what was wrong, and `text` is the message for people: a
    `gettext_lazy` text whose `%(name)s` placeholders are filled from
    `values` when it is shown (a value may itself be a lazy text)."""

    field: str
    code: Code
    text: Text
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message in the active language."""
        text = str(self.text)
        if not self.values:
            return text
        return text % {name: str(value) for name, value in self.values.items()}

    def __str__(self) -> str:
        return self.message


class InvalidEntry(ValueError):
    """Input that cannot be saved; `problems` says what, field by field."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(*self.problems)

    @property
    def codes(self) -> set[Code]:
        return {problem.code for problem in self.problems}

    def __str__(self) -> str:
        return "; ".join(problem.message for problem in self.problems)


FEEDBACK_CHOICE = gettext_lazy(
    "Say whether the alert was useful, not useful or wrong, or leave it."
)
"""A feedback tap that is not one of the three (docs/reports.md §Alert feedback)."""


TOO_LONG = gettext_lazy(
    "This is %(show_value)s characters long; keep it to %(limit_value)s characters at most."
)
"""Text longer than its field keeps, for forms and services alike (the
placeholders are those of Django's max_length check)."""


def item_field(item_id: str) -> str:
    """The field an item's answer is entered in (and its problems land on)."""
    return f"item_{item_id}"


def total_field(scale_id: str) -> str:
    """The field a paper scale total is entered in."""
    return f"total_{scale_id}"
