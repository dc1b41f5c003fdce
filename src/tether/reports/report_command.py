"""`tether report` (declared in cli.py): the printable case report of one
case (`--case ID --out FILE.pdf`) or of every open case of an organization
(`--organization SLUG --out DIR`, the shared progress bar of
`tether/progress.py` on a terminal). Run by
whoever runs the server, it reads any case; each report is audited as an
export without a user, as `tether export fhir` is (docs/reports.md §Case
report). Files are named by case id, never by anyone's name.

Nothing is written when anything is wrong: the case or organization, the
output path and WeasyPrint's system libraries are checked first; each PDF
is written whole (a partial file renamed into place)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tether.care.models import Case
from tether.care.services import catch_up
from tether.progress import progress_bar

from .case_report import A4, LETTER, PdfUnavailable, case_report_pdf, weasyprint

INPUT_ERROR = 2
CANNOT_RUN = 1
PAPERS = {"a4": A4, "letter": LETTER}


def report(options: argparse.Namespace) -> int:
    paper = PAPERS[options.paper] if options.paper else None
    try:
        cases = _cases(options)
        _check_out(options)
        weasyprint()  # before anything is written: Pango is there, or say what to install
    except _Refused as error:
        return _say(str(error), INPUT_ERROR)
    except PdfUnavailable as error:
        return _say(str(error), CANNOT_RUN)
    if options.case is not None:
        targets = [(cases[0], _file_for(options.out, cases[0]))]
    elif not cases:
        return _say(f"{options.organization} has no open case: nothing written", 0)
    else:
        options.out.mkdir(parents=True, exist_ok=True)
        targets = [(case, options.out / _name(case)) for case in cases]
    # A bar over many cases, on a terminal only (tether/progress.py).
    with progress_bar("reports", len(targets), quiet=options.quiet) as bar:
        for case, path in targets:
            catch_up(case)  # the alerts as the case page would show them now
            _report, pdf = case_report_pdf(case, None, paper)
            try:
                _write(path, pdf)
            except OSError as error:
                bar.close()
                return _say(f"{path}: cannot be written: {error.strerror}", INPUT_ERROR)
            bar.advance(note=f"case {case.pk}")
    if options.case is not None:
        _say(f"wrote {targets[0][1]}", 0)
    else:
        count = len(targets)
        _say(f"wrote {count} report{'' if count == 1 else 's'} to {options.out}", 0)
    return 0


class _Refused(Exception):
    pass


def _cases(options: argparse.Namespace) -> list[Case]:
    related = Case.objects.select_related("organization")
    if options.case is not None:
        case = related.filter(pk=options.case).first()
        if case is None:
            raise _Refused(f"--case: no case with id {options.case}")
        return [case]
    from tether.care.history_import import find_organization
    from tether.interop.history import HistoryError

    try:
        organization = find_organization(options.organization)
    except HistoryError as error:
        raise _Refused("; ".join(error.problems)) from error
    return list(
        related.filter(organization=organization, status=Case.Status.OPEN).order_by(
            "pk"
        )
    )


def _check_out(options: argparse.Namespace) -> None:
    out: Path = options.out
    if options.case is not None:
        folder = out if out.is_dir() else out.parent
        if not folder.is_dir():
            raise _Refused(f"--out: the folder {folder} does not exist")
    elif out.exists() and not out.is_dir():
        raise _Refused(f"--out: {out} is a file; give a folder for the reports")


def _file_for(out: Path, case: Case) -> Path:
    return out / _name(case) if out.is_dir() else out


def _name(case: Case) -> str:
    return f"case-{case.pk}-report.pdf"


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def _say(message: str, code: int) -> int:
    print(message if code == 0 else f"tether: {message}", file=sys.stderr)
    return code
