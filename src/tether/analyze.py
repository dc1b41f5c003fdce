"""`tether analyze [--organization SLUG] [--out DIR] [--quiet]` (declared in
cli.py): the clinic analytics of docs/analytics.md for one organization or
each, as a short text summary on stdout and, with --out, the figures as CSV
files and one JSON file per organization in DIR/<slug>/. Only aggregates
leave: no name, no id of a person or case. Each run is recorded in the
organization's audit trail (by Tether: the command line has no signed-in
user)."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

from tether.progress import progress_bar

INPUT_ERROR = 2
FILES = (
    "reliability",
    "item_total",
    "expected_fit",
    "expected_curves",
    "within_between",
    "coverage",
)
"""The CSV files written per organization (and analytics.json with them all)."""


def analyze(options: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    import django

    django.setup()
    from django.utils import timezone

    from tether.analysis.clinic import as_json, summary_lines, tables
    from tether.audit.services import record
    from tether.care.research import ExportError, organizations
    from tether.reports.analytics import analyse_organization

    try:
        chosen = organizations(options.organization)
    except ExportError as error:
        print(f"tether: {error}", file=sys.stderr)
        return INPUT_ERROR
    if not chosen:
        print("tether: there is no organization to analyse", file=sys.stderr)
        return INPUT_ERROR
    for organization in chosen:
        with progress_bar(
            f"analysing {organization.slug}", 6, quiet=options.quiet
        ) as bar:
            bar.update(0, note="reading the clinic's data")
            analysis = analyse_organization(
                organization,
                # reading the data is step 1; the analyses follow, then writing
                progress=lambda done, total, what: bar.update(
                    done + 1, total + 2, what
                ),
            )
            written = []
            if options.out is not None:
                bar.update(5, note="writing")
                folder = options.out / organization.slug
                try:
                    written = write_files(
                        folder,
                        tables(analysis),
                        as_json(
                            analysis,
                            organization=organization.slug,
                            computed_at=timezone.now().isoformat(timespec="seconds"),
                        ),
                    )
                except OSError as error:
                    bar.close()
                    print(
                        f"tether: {folder}: cannot be written: {error.strerror}",
                        file=sys.stderr,
                    )
                    return INPUT_ERROR
            bar.update(6, note="done")
        record(
            None,
            "analyze",
            "clinic-analytics",
            organization.pk,
            organization=organization,
            detail={"files": [path.name for path in written]},
        )
        print(f"{organization.name} ({organization.slug})")
        print("\n".join(summary_lines(analysis)))
        if written:
            print(f"wrote {len(written)} files to {written[0].parent}")
        print()
    return 0


def write_files(
    folder: Path,
    tables: dict[str, list[dict[str, object]]],
    everything: dict[str, object],
) -> list[Path]:
    """Write each table as CSV (spreadsheet-safe) and everything as JSON;
    each file whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        written.append(_replace(folder / f"{name}.csv", csv_text(tables[name])))
    text = json.dumps(everything, ensure_ascii=False, indent=2, default=str)
    written.append(_replace(folder / "analytics.json", text + "\n"))
    return written


def csv_text(rows: list[dict[str, object]]) -> str:
    import defusedcsv.csv as safe_csv  # spreadsheet-safe (formula injection)

    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    buffer = io.StringIO()
    writer = safe_csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
    return buffer.getvalue()


def _replace(path: Path, text: str) -> Path:
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path
