"""The audit trail in words, for the administrators' audit log: each action and
kind of record as people read them, and the details worth showing (never an
internal id). tests/audit/test_words.py checks that every action the code
records has its words here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS: dict[str, Promise] = {
    "read": _("Viewed"),
    "denied": _("Refused: out of reach"),
    "denied-write": _("Refused: may not change"),
    "create": _("Created"),
    "update": _("Changed"),
    "delete": _("Removed"),
    "close": _("Closed"),
    "assign": _("Chose the clinicians"),
    "import": _("Imported answers"),
    "start": _("Began answering"),
    "submit": _("Sent answers"),
    "incomplete": _("Kept unsent answers as incomplete"),
    "acknowledge": _("Acknowledged"),
    "resolve": _("Resolved"),
    "reopen": _("Reopened"),
    "confirm": _("Confirmed"),
    "alert-email": _("Emailed the risk alert"),
    "issue": _("Created a link"),
    "send": _("Sent a link"),
    # A questionnaire link or an API token: the record's kind says which.
    "revoke": _("Revoked"),
    "choose-language": _("Chose a language"),
    "kiosk-start": _("Started kiosk mode"),
    "kiosk-exit": _("Left kiosk mode"),
    "kiosk-exit-failed": _("Wrong password to leave kiosk mode"),
    "kiosk-signed-out": _("Signed out of kiosk mode"),
    "sign-in": _("Signed in with a password"),
    "sign-in-failed": _("Failed to sign in"),
    "sign-out": _("Signed out"),
    "2fa-setup": _("Set up the second factor"),
    "2fa-verify": _("Entered the second factor"),
    "2fa-failed": _("Entered a wrong second-factor code"),
    "2fa-reset": _("Reset the second factor"),
    "enrolment-code-issued": _("Gave an enrolment code"),
    "enrolment-code-used": _("Set up an authenticator with an enrolment code"),
    "enrolment-code-refused": _("Entered a wrong enrolment code"),
    "unlock": _("Cleared failed sign-ins"),
    "deactivate": _("Deactivated"),
    "reactivate": _("Reactivated"),
    "password-reset-sent": _("Sent a password reset email"),
    "password-reset": _("Chose a new password"),
    "export": _("Exported"),
    "analyze": _("Analysed the clinic's data"),
    "prune": _("Deleted events past the retention period"),
}
"""Every action recorded, in words."""

RECORDS: dict[str, Promise] = {
    "case": _("Case"),
    "member": _("Family member"),
    "subsystem": _("Subsystem"),
    "session": _("Session"),
    "response": _("Questionnaire answers"),
    "signal": _("Alert"),
    "measure-plan": _("Measure plan"),
    "invitation": _("Questionnaire link"),
    "user": _("User account"),
    "organization": _("Clinic settings"),
    "caseload": _("Caseload"),
    "case-assignments": _("Case assignments"),
    "demo-clinic": _("Demo clinic"),
    "score-history": _("Score history (a file imported)"),
    "audit-log": _("Audit log"),
    "api-token": _("Personal API token"),
    "research-export": _("Research export (de-identified)"),
    "redcap-export": _("REDCap export"),
    "member-sharing": _("Family view choice"),
    "family-view": _("Family view"),
    "signals": _("Alerts (a list, through the API)"),
    "clinic-analytics": _("Clinic analytics"),
    "dashboard": _("Supervisor dashboard"),
    "alert-rules": _("Figures per alert rule"),
    "signal-settings": _("Alert thresholds"),
}
"""Every kind of record an event is about, in words."""

DETAILS: dict[str, Promise] = {
    "instrument": _("instrument"),
    "instruments": _("instruments"),
    "source": _("source"),
    "reason": _("reason"),
    "kind": pgettext_lazy("case kind", "kind"),
    "method": _("method"),
    "step": _("step"),
    "via": _("sent by"),
    "channel": _("channel"),
    "language": _("language"),
    "for": _("for"),
    "changed": _("changed"),
    "crisis_region": _("crisis lines of"),
    "number": _("session number"),
    "cases": _("cases"),
    "responses": _("responses"),
    "devices": _("devices"),
    "attempts": _("failed attempts"),
    "locked": _("locked out"),
    "username": _("user name typed"),
    "revoked_links": _("links closed"),
    "revoked_tokens": _("API tokens revoked"),
    "scope": _("scope"),
    "days": _("days valid"),
    "events": _("events"),
    "before": _("before"),
    "rows": _("rows"),
    "page": _("page"),
    "whose": _("whose choice"),
    "alliance": _("alliance shared"),
    "outcome": _("progress shared"),
    "asked": _("asked the person"),
    "alliance_shared": _("members sharing alliance"),
    "outcome_shared": _("members sharing progress"),
    "feedback": _("feedback"),
    "window_days": _("figures over (days)"),
    "figures_only": _("clinicians' figures only"),
}
"""The details shown, and their names; the others hold internal ids."""

YES, NO = _("yes"), _("no")


BY_A_MEMBER = frozenset({"start", "submit", "choose-language"})
"""Actions recorded without a signed-in user because a family member did them,
on their own link or at the kiosk."""
BY_TETHER = frozenset(
    {
        "resolve",
        "reopen",
        "incomplete",
        "alert-email",
        "password-reset-sent",
        "prune",
        "export",
        "import",
        "analyze",
    }
)
"""Actions recorded without a signed-in user because Tether did them (the
background worker's recompute, its emails, `tether audit prune`, the
exports of `tether export`, `tether import scores` and the demo's seeding)."""


def nobody_words(action: str) -> str:
    """Who did an action recorded without a signed-in user, in words."""
    if action in BY_A_MEMBER:
        return str(_("A family member (link or kiosk)"))
    if action in BY_TETHER:
        return str(_("Tether, automatically"))
    return str(_("No one signed in"))


def action_words(action: str) -> str:
    return str(ACTIONS.get(action, action))


def record_words(object_type: str) -> str:
    return str(RECORDS.get(object_type, object_type))


def detail_words(detail: Mapping[str, Any]) -> str:
    """The details worth showing, e.g. "instrument: srs; source: paper"."""
    shown = []
    for key, name in DETAILS.items():
        if key not in detail:
            continue
        value = detail[key]
        if isinstance(value, bool):
            text = str(YES if value else NO)
        elif isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        shown.append(f"{name}: {text}")
    return "; ".join(shown)
