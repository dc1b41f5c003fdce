"""Sent questionnaires as a REDCap record file (docs/interop.md §REDCap
records): one row per record and session, a record being a pseudonymous
member id (the same pseudonyms as the research export), or the case's
pseudonym for a therapist's rating of the whole family. Only item answers
leave, as numbers; totals entered from paper have none and are counted as
left out."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from django.db import transaction

from tether.audit.services import record
from tether.instruments import Library, UnknownInstrument
from tether.interop.redcap_records import (
    RecordEntry,
    RecordsError,
    record_table,
    records_csv,
)

from .models import SENT, Response
from .research import (
    ExportError,
    ExportSummary,
    export_library,
    known,
    organizations,
    pseudonyms,
)


def export_redcap(
    out: Path,
    slug: str | None = None,
    instruments: Sequence[str] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportSummary:
    """Write the record file to `out` and record the export in each
    organization's audit trail (by Tether). `instruments`: ids (every
    version) or id@version; none: every instrument answered. `progress`,
    when given, is told (done, total, the step next)."""
    tell = progress or (lambda done, total, what: None)
    tell(0, 3, "reading the questionnaires")
    chosen = organizations(slug)
    library = export_library()
    wanted = _wanted(library, instruments)
    names = pseudonyms()
    responses = Response.objects.filter(
        organization_id__in=[o.pk for o in chosen], status__in=SENT
    ).values_list(
        "organization_id",
        "session__case_id",
        "session__number",
        "member_id",
        "instrument",
        "answers",
    )
    entries: list[RecordEntry] = []
    counted: dict[int, int] = {}
    cases: set[int] = set()
    skipped = 0
    for organization, case, number, member, instrument, answers in responses:
        definition = known(library, instrument)
        if definition is None or (wanted is not None and definition.key not in wanted):
            continue
        items = set(definition.item_ids)
        if not isinstance(answers, dict) or not items & set(answers):
            skipped += 1
            continue
        who = names("case", case) if member is None else names("member", member)
        entries.append(RecordEntry(who, number, definition, answers))
        counted[organization] = counted.get(organization, 0) + 1
        cases.add(case)
    tell(1, 3, "building the record file")
    try:
        header, rows = record_table(entries)
    except RecordsError as error:
        raise ExportError(str(error)) from error
    temporary = out.with_name(f".{out.name}.partial")
    try:
        temporary.write_text(records_csv(header, rows), encoding="utf-8")
        os.replace(temporary, out)
    except OSError as error:
        raise ExportError(f"{out}: cannot be written: {error.strerror}") from error
    tell(2, 3, "recording the export")
    forms = sorted({e.definition.key for e in entries})
    with transaction.atomic():
        for organization in chosen:
            record(
                None,
                "export",
                "redcap-export",
                organization=organization,
                detail={
                    "responses": counted.get(organization.pk, 0),
                    "instruments": forms,
                },
            )
    tell(3, 3, "done")
    return ExportSummary(
        (out,),
        len(rows),
        len(cases),
        tuple(o.slug for o in chosen),
        skipped,
    )


def _wanted(library: Library, instruments: Sequence[str]) -> set[str] | None:
    if not instruments:
        return None
    wanted = set()
    for name in instruments:
        if "@" in name:
            try:
                wanted.add(library.get(name).key)
            except UnknownInstrument as error:
                raise ExportError(str(error)) from error
            continue
        versions = {d.key for d in library if d.id == name}
        if not versions:
            raise ExportError(str(UnknownInstrument(name, library.keys())))
        wanted |= versions
    return wanted
