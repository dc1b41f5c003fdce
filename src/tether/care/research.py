"""The research export read from the database: every sent questionnaire of an
organization (or of all) as the tidy long table, its codebook, and the audit
event that says the data left (docs/research-export.md).

What is read is chosen here, and only numbers and codes leave: the rows are
built from ids, roles, kinds, bands, session numbers and dates (turned into
days since intake by tether.interop.research), scores and item answers as
numbers (tether.interop.answers). No name, contact, case label, trauma focus,
note or typed text is read at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction

from tether import config
from tether.accounts.models import Organization
from tether.audit.services import record
from tether.instruments import Definition, Library, UnknownInstrument, load_library
from tether.interop.answers import answer_values
from tether.interop.pseudonyms import Pseudonyms
from tether.interop.research import (
    ScoreRow,
    codebook,
    research_table,
    write_export,
)

from .frames import RISK_ITEM_PREFIX, ROW_SOURCES, edited_subsystems
from .models import SENT, AgeBand, Case, Member, Response, Score, Session


class ExportError(ValueError):
    """An export that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    files: tuple[Path, ...]
    rows: int
    cases: int
    organizations: tuple[str, ...]
    skipped: int = 0
    """Sent questionnaires left out (the REDCap file: totals entered from paper,
    which have no item answers)."""


def organizations(slug: str | None) -> list[Organization]:
    """The organization named by `slug`, or every one."""
    found = Organization.objects.order_by("slug")
    if slug is not None:
        found = found.filter(slug=slug)
        if not found.exists():
            known = ", ".join(
                Organization.objects.order_by("slug").values_list("slug", flat=True)
            )
            raise ExportError(f"no organization {slug!r}; known: {known or 'none'}")
    return list(found)


def pseudonyms() -> Pseudonyms:
    """Pseudonyms keyed with this deployment's research secret (made on
    first use in the data directory)."""
    try:
        return Pseudonyms(config.research_secret(settings.DATA_DIR))
    except (OSError, ValueError) as error:
        raise ExportError(str(error)) from error


def export_library() -> Library:
    """The instruments as exports see them: without a site's licensed text
    packs, so only text an instrument's licence bundles can leave."""
    return load_library(settings.DATA_DIR, text_packs=False)


def known(library: Library, key: str) -> Definition | None:
    try:
        return library.get(key)
    except UnknownInstrument:
        return None


def export_research(
    folder: Path,
    slug: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportSummary:
    """Write scores.csv, scores.parquet and codebook.json into `folder`, and
    record the export in each organization's audit trail (by Tether: the
    command line has no signed-in user). `progress`, when given, is told
    (done, total, the step next)."""
    tell = progress or (lambda done, total, what: None)
    tell(0, 3, "reading the scores")
    chosen = organizations(slug)
    names = pseudonyms()
    library = export_library()
    rows = research_rows([o.pk for o in chosen], library)
    tell(1, 3, "building the table")
    table = research_table(rows, names)
    definitions = {key: known(library, key) for key in {row.instrument for row in rows}}
    tell(2, 3, "writing")
    try:
        files = write_export(folder, table, codebook(table, definitions, names.key_id))
    except OSError as error:
        raise ExportError(f"{folder}: cannot be written: {error.strerror}") from error
    cases_of: dict[int, set[int]] = {}
    for row in rows:
        cases_of.setdefault(row.organization, set()).add(row.case)
    with transaction.atomic():
        for organization in chosen:
            record(
                None,
                "export",
                "research-export",
                organization=organization,
                detail={
                    "rows": sum(1 for r in rows if r.organization == organization.pk),
                    "cases": len(cases_of.get(organization.pk, ())),
                },
            )
    tell(3, 3, "done")
    return ExportSummary(
        tuple(files),
        table.num_rows,
        sum(len(c) for c in cases_of.values()),
        tuple(o.slug for o in chosen),
    )


@dataclass(frozen=True, slots=True)
class _Session:
    pk: int
    case: int
    number: int
    date: dt.date


def research_rows(organization_ids: list[int], library: Library) -> list[ScoreRow]:
    """Every sent questionnaire's scale scores and item answers, and each
    questionnaire link that expired unanswered, of these organizations."""
    cases = {
        pk: (organization, kind)
        for pk, organization, kind in Case.objects.filter(
            organization_id__in=organization_ids
        ).values_list("pk", "organization_id", "kind")
    }
    sessions = {
        pk: _Session(pk, case, number, date)
        for pk, case, number, date in Session.objects.filter(
            organization_id__in=organization_ids
        ).values_list("pk", "case_id", "number", "date")
    }
    intake: dict[int, dt.date] = {}
    for s in sessions.values():
        intake[s.case] = min(s.date, intake.get(s.case, s.date))
    members = {
        pk: (case, role, band)
        for pk, case, role, band in Member.objects.filter(
            organization_id__in=organization_ids
        ).values_list("pk", "case_id", "role", "age_band")
    }
    subsystem = _subsystems(cases, members)

    def row(
        session: _Session,
        member: int | None,
        respondent: str,
        instrument: str,
        scale: str,
        score: float | None,
        status: str,
        prorated: bool | None,
    ) -> ScoreRow:
        organization, kind = cases[session.case]
        _, role, band = members[member] if member is not None else (0, "family", "")
        return ScoreRow(
            organization=organization,
            case=session.case,
            member=member,
            member_role=role,
            respondent=respondent,
            session_id=session.pk,
            session=session.number,
            date=session.date,
            intake=intake[session.case],
            instrument=instrument,
            scale=scale,
            score=score,
            case_kind=kind,
            age_group=band,
            subsystem=subsystem.get((session.case, member), ""),
            status=status,
            prorated=prorated,
        )

    responses = Response.objects.filter(
        organization_id__in=organization_ids, status__in=SENT
    ).values_list(
        "pk", "session_id", "member_id", "respondent", "instrument", "answers", "status"
    )
    scores: dict[int, list[tuple[str, float | None, bool]]] = {}
    for response, scale, value, prorated in (
        Score.objects.filter(
            organization_id__in=organization_ids, response__status__in=SENT
        )
        .exclude(scale__startswith=RISK_ITEM_PREFIX)
        .values_list("response_id", "scale", "value", "prorated")
    ):
        scores.setdefault(response, []).append((scale, value, prorated))
    rows = []
    for pk, session_id, member, respondent, instrument, answers, status in responses:
        session = sessions[session_id]
        for scale, value, prorated in scores.get(pk, []):
            rows.append(
                row(
                    session,
                    member,
                    respondent,
                    instrument,
                    scale,
                    value,
                    status,
                    prorated,
                )
            )
        definition = known(library, instrument)
        if definition is None or not isinstance(answers, dict):
            continue
        for item, value in answer_values(definition, answers).items():
            rows.append(
                row(
                    session,
                    member,
                    respondent,
                    instrument,
                    f"{RISK_ITEM_PREFIX}{item}",
                    value,
                    status,
                    None,
                )
            )
    by_number = {(s.case, s.number): s for s in sessions.values()}
    for organization in organization_ids:
        for source in ROW_SOURCES:
            for (
                case,
                member,
                _,
                respondent,
                number,
                instrument,
                scale,
                _,
                _,
                _,
            ) in source(None, organization):
                session = by_number[(int(case), int(number))]
                rows.append(
                    row(
                        session,
                        int(member),
                        respondent,
                        instrument,
                        scale,
                        None,
                        "unanswered",
                        None,
                    )
                )
    return rows


def _subsystems(
    cases: dict[int, tuple[int, str]], members: dict[int, tuple[int, str, str]]
) -> dict[tuple[int, int | None], str]:
    """Each member's `subsystem` cell as score_frame gives it: as the case's
    clinicians edited the subsystems, `none` where they took the member out,
    else empty (derived from the role)."""
    if not members:
        return {}
    raw = pd.DataFrame(
        [
            {
                "case_id": str(case),
                "member_id": str(member),
                "member_role": role,
                "case_kind": cases[case][1],
                "age_band": "adult" if band == AgeBand.ADULT else "youth",
            }
            for member, (case, role, band) in members.items()
        ]
    )
    cells = edited_subsystems(raw, None, None)
    return {
        (int(case), int(member)): str(value)
        for case, member, value in zip(
            raw["case_id"], raw["member_id"], cells, strict=True
        )
    }
