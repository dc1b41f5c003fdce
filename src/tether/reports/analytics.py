"""The clinic analytics, read from the database (docs/analytics.md): who may
see them, the data gathered through care for the pure analyses of
tether.analysis, and the audit event of each reading.

Only the organization's supervisors and administrators see them, and only
their own organization's: there is no way to name another one. What is
gathered is numbers and codes only (scores, item answers as numbers, roles,
session numbers and dates); every figure shown is an aggregate over people."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.utils import timezone

from tether.accounts.models import Organization, User
from tether.analysis.clinic import ClinicAnalysis, analyse_clinic
from tether.analysis.coverage import ASKED_COLUMNS, SESSION_COLUMNS
from tether.analysis.reliability import ITEM_COLUMNS
from tether.audit.services import record
from tether.care.frames import ROW_SOURCES, library, score_frame
from tether.care.models import SENT, Response, Score, Session
from tether.instruments import Library, UnknownInstrument
from tether.interop.answers import answer_values
from tether.signals import SignalConfig
from tether.signals.expected import ExpectedResponse

THERAPIST = "therapist"
"""The respondent role of a therapist's rating (members answer in their own role)."""


def may_see_analytics(user: Any) -> bool:
    """Supervisors and administrators of an organization; nobody else."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organization_id is not None
        and (user.is_supervisor or user.is_org_admin)
    )


@dataclass(frozen=True)
class ClinicAnalytics:
    organization: Organization
    analysis: ClinicAnalysis
    library: Library


def clinic_analytics_for(user: User) -> ClinicAnalytics:
    """The analytics of `user`'s own organization, read and audited; a
    clinician (or anyone else) is refused, and the refusal audited."""
    if not may_see_analytics(user):
        record(user, "denied", "clinic-analytics", user.organization_id or "")
        raise PermissionDenied(
            "Clinic analytics are for supervisors and administrators."
        )
    organization = user.organization
    assert organization is not None
    key = f"clinic-analytics:{organization.pk}:{fingerprint(organization)}"
    analysis = cache.get(key)
    if analysis is None:
        analysis = analyse_organization(organization)
        cache.set(key, analysis, CACHE_SECONDS)
    record(user, "read", "clinic-analytics", organization.pk, organization=organization)
    return ClinicAnalytics(organization, analysis, library())


CACHE_SECONDS = 600
"""How long a computed analysis is kept for the next reading; any new or
changed answer, session or setting makes a new one at once (`fingerprint`)."""


def fingerprint(organization: Organization) -> str:
    """What the analyses depend on, in short: new, changed or removed
    responses, scores and sessions, and the clinic's settings and last refit."""
    responses = Response.objects.filter(organization=organization).aggregate(
        n=Count("pk"), last=Max("pk"), sent=Max("submitted_at")
    )
    sessions = Session.objects.filter(organization=organization).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    scores = Score.objects.filter(organization=organization).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    state = [
        responses,
        sessions,
        scores,
        organization.signal_settings,
        (organization.signal_norms or {}).get("fitted_at"),
        timezone.localdate().isoformat(),  # links expire unanswered by the day
    ]
    return hashlib.sha256(repr(state).encode()).hexdigest()[:24]


def analyse_organization(
    organization: Organization,
    progress: Callable[[int, int, str], None] | None = None,
) -> ClinicAnalysis:
    """Every analysis of one organization (not audited: the caller records
    who read it)."""
    lib = library()
    config = SignalConfig.from_mapping(organization.signal_settings or {})
    return analyse_clinic(
        item_table(organization, lib),
        score_frame(organization_id=organization.pk),
        session_table(organization),
        asked_table(organization),
        lib,
        config,
        stored_models(organization),
        progress,
    )


def stored_models(
    organization: Organization,
) -> dict[str, ExpectedResponse | None] | None:
    """The expected-response models of the organization's last refit (what its
    not-on-track alerts were judged against); None before any refit."""
    norms = organization.signal_norms or {}
    if "models" not in norms:
        return None
    return {
        key: ExpectedResponse.from_dict(value) if value else None
        for key, value in norms["models"].items()
    }


def item_table(organization: Organization, lib: Library) -> pd.DataFrame:
    """Every item answer of the organization's sent questionnaires, as
    numbers (reliability.ITEM_COLUMNS). Paper entries of totals have none."""
    rows = []
    responses = Response.objects.filter(
        organization=organization, status__in=SENT
    ).values_list(
        "session__case_id",
        "member_id",
        "member__role",
        "respondent",
        "session__number",
        "session__date",
        "instrument",
        "answers",
    )
    for case, member, role, respondent, number, date, key, answers in responses:
        if not isinstance(answers, dict) or not answers:
            continue
        try:
            definition = lib.get(key)
        except UnknownInstrument:
            continue
        person = f"{case}/{member if member is not None else 'family'}"
        who = THERAPIST if respondent == Response.Respondent.THERAPIST else role
        for item, value in answer_values(definition, answers).items():
            rows.append((person, who or "family", key, number, date, item, value))
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def session_table(organization: Organization) -> pd.DataFrame:
    """Every session of the organization with its date (SESSION_COLUMNS)."""
    rows = Session.objects.filter(organization=organization).values_list("pk", "date")
    return pd.DataFrame(list(rows), columns=list(SESSION_COLUMNS))


def asked_table(organization: Organization) -> pd.DataFrame:
    """Every questionnaire asked of one person in one session (ASKED_COLUMNS):
    each response, whatever its status, and each link that expired
    unanswered (care.frames.ROW_SOURCES, as the disengagement rule counts
    them)."""
    rows = [
        (session, key.split("@")[0], f"{member}/{respondent}", status in SENT)
        for session, key, member, respondent, status in Response.objects.filter(
            organization=organization
        ).values_list("session_id", "instrument", "member_id", "respondent", "status")
    ]
    sessions = {
        (case, number): pk
        for pk, case, number in Session.objects.filter(
            organization=organization
        ).values_list("pk", "case_id", "number")
    }
    for source in ROW_SOURCES:
        for case, member, _, respondent, number, key, *_ in source(
            None, organization.pk
        ):
            session = sessions.get((int(case), int(number)))
            if session is not None:
                rows.append(
                    (session, key.split("@")[0], f"{member}/{respondent}", False)
                )
    return pd.DataFrame(rows, columns=list(ASKED_COLUMNS))
