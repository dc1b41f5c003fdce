"""The commands that write and read other systems' files (declared in
cli.py): `tether instruments export-redcap / import-redcap` (pure, no
database) and `tether export redcap / research` (read the database; Django
is set up when they run). docs/interop.md §REDCap, docs/research-export.md."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

from tether import config
from tether.csvfiles import read_csv_file
from tether.instruments import load_library
from tether.interop.redcap import (
    DictionaryError,
    dictionary_csv,
    dictionary_rows,
    form_language,
    read_dictionary,
)
from tether.progress import progress_bar


def export_redcap_dictionary(options: argparse.Namespace) -> int:
    # Without the site's text packs: only wording a licence lets Tether bundle.
    library = load_library(config.data_dir(), text_packs=False)
    chosen = [library.get(key) for key in options.ids]
    definitions = list({d.key: d for d in chosen}.values())
    for d in definitions:
        if not d.licence.text_bundled:
            _note(
                f"{d.key}: its wording is licensed, not bundled: items are labelled 'Item N'"
            )
        elif form_language(d, options.language) != options.language:
            _note(
                f"{d.key}: no bundled text in {options.language}; written in {d.languages[0]}"
            )
    return _write(
        options.out, dictionary_csv(dictionary_rows(definitions, options.language))
    )


def import_redcap_dictionary(options: argparse.Namespace) -> int:
    table = read_csv_file(options.file)
    imported = read_dictionary(
        table.header,
        table.rows(),
        table.row_numbers,
        options.file.name,
        form=options.form,
        key=options.id,
    )
    for warning in imported.warnings:
        _note(warning)
    text = yaml.safe_dump(imported.data, allow_unicode=True, sort_keys=False, width=100)
    if _write(options.out, text):
        return INPUT_ERROR
    if options.out is not None:
        d = imported.definition
        print(
            f"wrote {d.key} ({len(d.items)} items, {len(d.scales)} scales) to {options.out}",
            file=sys.stderr,
        )
    return 0


def export_redcap_records(options: argparse.Namespace) -> int:
    _django()
    from tether.care.redcap_export import export_redcap
    from tether.care.research import ExportError

    try:
        with progress_bar("exporting", 3, quiet=options.quiet) as bar:
            summary = export_redcap(
                options.out,
                options.organization,
                options.instrument or (),
                progress=lambda done, total, what: bar.update(done, total, what),
            )
    except ExportError as error:
        return _refused(error)
    _note(
        f"wrote {summary.rows} record-event rows ({_cases(summary.cases)}) to {options.out}"
        + (
            f"; {summary.skipped} questionnaires entered as totals from paper have "
            "no item answers and are not in it"
            if summary.skipped
            else ""
        )
    )
    return 0


def export_research(options: argparse.Namespace) -> int:
    _django()
    from tether.care.research import ExportError
    from tether.care.research import export_research as export

    try:
        with progress_bar("exporting", 3, quiet=options.quiet) as bar:
            summary = export(
                options.out,
                options.organization,
                progress=lambda done, total, what: bar.update(done, total, what),
            )
    except ExportError as error:
        return _refused(error)
    _note(
        f"wrote {summary.rows} rows ({_cases(summary.cases)}) to "
        + ", ".join(str(path) for path in summary.files)
    )
    return 0


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    import django

    django.setup()


def _write(out: Path | None, text: str) -> int:
    """Write to `out` (all or nothing), or to stdout; 0, or INPUT_ERROR with
    the reason."""
    if out is None:
        sys.stdout.write(text)
        return 0
    temporary = out.with_name(f".{out.name}.partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, out)
    except OSError as error:
        return _refused(OSError(f"{out}: cannot be written: {error.strerror}"))
    return 0


INPUT_ERROR = 2


def _cases(count: int) -> str:
    return f"{count} case{'' if count == 1 else 's'}"


def _refused(error: Exception) -> int:
    _note(str(error))
    return INPUT_ERROR


def _note(message: str) -> None:
    print(f"tether: {message}", file=sys.stderr)


__all__ = [
    "DictionaryError",
    "export_redcap_dictionary",
    "export_redcap_records",
    "export_research",
    "import_redcap_dictionary",
]
