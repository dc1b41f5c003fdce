"""The `tether` command: Tether's own commands, and Django's management
commands with Tether's settings for everything else (`tether migrate`, …)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tether import config, exports
from tether.csvfiles import CsvFileError, read_csv_file
from tether.instruments import (
    DefinitionError,
    TextPackError,
    UnknownInstrument,
    load_definition,
    load_library,
    read_pack,
    store_pack,
    text_in,
)
from tether.progress import progress_bar
from tether.scoring import AnswerError, TableError, score_rows
from tether.signals.data import ScoreTableError

INPUT_ERROR = 2
QUIET = "no progress bar (it is drawn on stderr only when that is a terminal)"


def main(argv: Sequence[str] | None = None) -> int:
    # The database, the secret key and what the server and worker write are
    # this user's alone (docs/operations.md §Files); gunicorn inherits it.
    config.keep_files_private()
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if args and args[0] not in parser.commands and not args[0].startswith("-"):
        return _django(args)
    options = parser.parse_args(args)
    if not hasattr(options, "run"):
        parser.print_help()
        return INPUT_ERROR
    try:
        return int(options.run(options) or 0)
    except (
        UnknownInstrument,
        DefinitionError,
        TextPackError,
        TableError,
        AnswerError,
        ScoreTableError,
        CsvFileError,
        exports.DictionaryError,
    ) as error:
        print(f"tether: {error}", file=sys.stderr)
        return INPUT_ERROR


class _Parser(argparse.ArgumentParser):
    commands: set[str]


def _parser() -> _Parser:
    parser = _Parser(prog="tether", description=__doc__)
    sub = parser.add_subparsers(metavar="COMMAND")
    instruments = sub.add_parser(
        "instruments",
        help="list, show, validate instruments, add licensed text, FHIR in and out",
    )
    isub = instruments.add_subparsers(metavar="ACTION", required=True)
    p = isub.add_parser("list", help="every instrument and version")
    p.set_defaults(run=_list)
    p = isub.add_parser(
        "show", help="one instrument: items, options, scales, cutoffs, licence"
    )
    p.add_argument("id", help="id or id@version, e.g. pcl-5 or pcl-5@past-month")
    p.set_defaults(run=_show)
    p = isub.add_parser("validate", help="check definition files")
    p.add_argument("files", nargs="+", type=Path)
    p.set_defaults(run=_validate)
    p = isub.add_parser("add-text", help="store a licensed text pack (YAML or CSV)")
    p.add_argument("id")
    p.add_argument("file", type=Path)
    p.set_defaults(run=_add_text)
    p = isub.add_parser(
        "export-redcap", help="write instruments as a REDCap data dictionary (CSV)"
    )
    p.add_argument("ids", nargs="+", metavar="ID", help="id or id@version")
    p.add_argument("--out", type=Path, help="file to write (default: stdout)")
    p.add_argument("--language", default="en", help="label language (default: en)")
    p.set_defaults(run=exports.export_redcap_dictionary)
    p = isub.add_parser(
        "import-redcap",
        help="turn one form of a REDCap data dictionary into a definition",
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--out", type=Path, help="definition file to write (default: stdout)"
    )
    p.add_argument("--form", help="the form to read, where the dictionary has several")
    p.add_argument(
        "--id", help="id@version of the new instrument, where the dictionary names none"
    )
    p.set_defaults(run=exports.import_redcap_dictionary)
    p = isub.add_parser(
        "export-fhir", help="write an instrument as a FHIR R4 Questionnaire (JSON)"
    )
    p.add_argument("id", help="id or id@version")
    p.add_argument("--out", type=Path, help="file to write (default: stdout)")
    p.set_defaults(run=_export_questionnaire)
    p = isub.add_parser(
        "import-fhir",
        help="turn a FHIR Questionnaire into a definition file",
        description="Read a FHIR Questionnaire (JSON) and write the definition file it "
        "describes; warnings go to stderr, and what cannot be scored is refused "
        "(docs/interop.md).",
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--out", type=Path, help="definition file to write (default: stdout)"
    )
    p.add_argument("--id", help="the instrument id (default: from the Questionnaire)")
    p.set_defaults(run=_import_questionnaire)

    score = sub.add_parser(
        "score",
        help="score a CSV of item answers",
        description="Score each row of INPUT.csv and write CSV to stdout. Bad cells are "
        "listed by row (the header is row 1, as in a spreadsheet) and nothing is written.",
    )
    score.add_argument("id", help="instrument id or id@version")
    score.add_argument("input", type=Path)
    score.add_argument(
        "--item-columns",
        help="comma list or glob (e.g. 'Q28_*') of the item columns, in item order",
    )
    score.add_argument(
        "--id-column",
        help="column that identifies each row (default: an unnamed first column, else the row number)",
    )
    score.set_defaults(run=_score)

    signals = sub.add_parser(
        "signals",
        help="compute the clinical signals of a long-format score CSV",
        description="Read a long-format score CSV (docs/long-format.md), fit the "
        "expected-response model when the data allow, and write one row per signal "
        "(case_id, subject, session, signal, severity, evidence as JSON) to stdout.",
    )
    signals.add_argument("scores", type=Path)
    signals.add_argument(
        "--quiet", action="store_true", help="no summary and no progress bar on stderr"
    )
    signals.set_defaults(run=_signals)

    simulate = sub.add_parser(
        "simulate", help="write a synthetic cohort with planted events"
    )
    simulate.add_argument("--cases", type=int, default=200)
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument(
        "--out", type=Path, required=True, help="folder for scores.csv and truth.csv"
    )
    simulate.add_argument(
        "--realistic",
        action="store_true",
        help="data as noisy as a clinic's: ratings near the ceiling, smaller drops, gaps (docs/simulation.md)",
    )
    simulate.add_argument("--quiet", action="store_true", help=QUIET)
    simulate.set_defaults(run=_simulate)

    analyze = sub.add_parser(
        "analyze",
        help="the clinic analytics: reliability, expected response, alliance and outcome, coverage",
        description="Compute the clinic analytics of docs/analytics.md for one "
        "organization (or each): a short summary on stdout and, with --out, the "
        "figures as CSV files and analytics.json in DIR/<slug>/. Only aggregates "
        "are written; each run is recorded in the organization's audit trail.",
    )
    analyze.add_argument(
        "--organization", metavar="SLUG", help="one organization (default: all)"
    )
    analyze.add_argument("--out", type=Path, metavar="DIR", help="folder for the files")
    analyze.add_argument("--quiet", action="store_true", help=QUIET)
    analyze.set_defaults(run=_analyze)

    export = sub.add_parser(
        "export", help="export answers for other systems and research"
    )
    esub = export.add_subparsers(metavar="FORMAT", required=True)
    p = esub.add_parser(
        "redcap", help="sent questionnaires as a REDCap record file (CSV)"
    )
    p.add_argument(
        "--organization", metavar="SLUG", help="one organization (default: all)"
    )
    p.add_argument(
        "--instrument", nargs="+", metavar="ID", help="id (every version) or id@version"
    )
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--quiet", action="store_true", help=QUIET)
    p.set_defaults(run=exports.export_redcap_records)
    p = esub.add_parser(
        "research", help="a de-identified long table (CSV, Parquet) with its codebook"
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument(
        "--organization", metavar="SLUG", help="one organization (default: all)"
    )
    p.add_argument("--quiet", action="store_true", help=QUIET)
    p.set_defaults(run=exports.export_research)
    p = esub.add_parser(
        "fhir",
        help="one session as a FHIR R4 Bundle (QuestionnaireResponse, Observation)",
        description="Write one session's answers and scores as a FHIR R4 Bundle "
        "(docs/interop.md §Sessions); people are named by identifier, never by name.",
    )
    p.add_argument("--session", type=int, required=True, help="the session's id")
    p.add_argument("--out", type=Path, help="file to write (default: stdout)")
    p.set_defaults(run=_export_session_fhir)
    report = sub.add_parser(
        "report",
        help="the printable case report (PDF) of a case or of an organization's open cases",
        description="Write the printable case report (docs/reports.md §Case report): "
        "one case's with --case ID --out FILE.pdf, or every open case of an "
        "organization with --organization SLUG --out DIR (files named "
        "case-ID-report.pdf). Each report is audited as an export.",
    )
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", type=int, metavar="ID", help="the case's id")
    which.add_argument("--organization", metavar="SLUG")
    report.add_argument(
        "--out", type=Path, required=True, help="FILE.pdf (--case) or DIR"
    )
    report.add_argument(
        "--paper",
        choices=("a4", "letter"),
        help="paper size (default: Letter in the US and Canada, else A4, by the "
        "organization's country)",
    )
    report.add_argument("--quiet", action="store_true", help=QUIET)
    report.set_defaults(run=_report)
    imp = sub.add_parser("import", help="import a clinic's history (docs/importing.md)")
    imsub = imp.add_subparsers(metavar="WHAT", required=True)
    p = imsub.add_parser(
        "scores",
        help="import a score file as cases, members, sessions and responses",
        description="Import a long-format score file (docs/long-format.md) or, with "
        "--instrument, a wide item file into an organization (docs/importing.md). "
        "A dry run reports what would be created; --commit writes it in one "
        "transaction and refits the clinic. Bad rows are listed (the header is "
        "row 1) and nothing is written.",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--organization", required=True, metavar="SLUG")
    p.add_argument("--commit", action="store_true", help="write (default: dry run)")
    p.add_argument("--instrument", help="a wide item file's instrument (id@version)")
    p.add_argument("--item-columns", help="a wide file's item columns, as for score")
    p.add_argument("--quiet", action="store_true", help=QUIET)
    p.set_defaults(run=_import_scores)

    demo = sub.add_parser("demo", help="start the demo on a fresh SQLite database")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(run=_demo)
    p = sub.add_parser(
        "backup",
        help="copy the whole database to FILE (docs/operations.md §Backups)",
        description="SQLite: an online backup (the server may keep running); "
        "PostgreSQL: pg_dump in its custom format. Prints the database's "
        "fingerprint, which `tether restore` prints again.",
    )
    p.add_argument("file", type=Path)
    p.set_defaults(run=_backup)
    p = sub.add_parser(
        "restore",
        help="replace the database with a backup FILE",
        description="Replace the whole database with a backup made by `tether "
        "backup`; refused where the database holds a clinic's records, unless "
        "--force. Stop the server and the worker first.",
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--force", action="store_true", help="replace a database that is not empty"
    )
    p.set_defaults(run=_restore)
    worker = sub.add_parser(
        "worker",
        help="run the background worker (signal recomputes, expired links, risk emails)",
    )
    worker.add_argument(
        "--batch", action="store_true", help="run what is queued, then stop"
    )
    worker.set_defaults(run=_worker)
    serve = sub.add_parser(
        "serve",
        help="serve Tether (gunicorn)",
        description="Serve Tether with gunicorn: WORKERS processes of THREADS "
        "threads each (docs/operations.md §Serving).",
    )
    serve.add_argument("--bind", default="127.0.0.1:8000")
    serve.add_argument(
        "--workers",
        type=_at_least_one,
        default=default_workers(),
        help="worker processes (default: one per CPU and one more, at most "
        f"{MOST_DEFAULT_WORKERS}; here %(default)s)",
    )
    serve.add_argument(
        "--threads",
        type=_at_least_one,
        default=DEFAULT_THREADS,
        help="threads per worker (default: %(default)s)",
    )
    serve.set_defaults(run=_serve)
    parser.commands = set(sub.choices)
    return parser


def _library():  # type: ignore[no-untyped-def]
    return load_library(config.data_dir())


def _list(options: argparse.Namespace) -> int:
    rows = [("instrument", "title", "role", "respondents", "item text", "licence")]
    for d in _library():
        text = (
            "bundled"
            if d.licence.text_bundled
            else ("text pack" if d.has_text else "not loaded")
        )
        rows.append(
            (
                d.key,
                text_in(d.title, "en"),
                d.role,
                ",".join(d.respondents),
                text,
                d.licence.klass,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
    return 0


def _show(options: argparse.Namespace) -> int:
    d = _library().get(options.id)
    print(f"{d.key}  {text_in(d.title, 'en')}")
    print(
        f"role: {d.role}; respondents: {', '.join(d.respondents)}; validated: {'yes' if d.validated else 'NOT YET VALIDATED'}"
    )
    if not d.key_verified:
        print(
            "scoring key: UNVERIFIED - scores are shown but raise no alliance alert "
            "until a site loads the official key (key_verified: true)"
        )
    if d.superseded_by is not None:
        print(
            f"superseded by {d.id}@{d.superseded_by}: no longer sent; "
            f"answers given on {d.version} keep this version and its scores"
        )
    print(f"licence: {d.licence.klass}; {d.licence.note}")
    print(f"citation: {d.citation}")
    print(f"answers: {d.describe_allowed()}")
    for option in d.options:
        print(f"  {option.value:g} = {text_in(option.label, 'en')}")
    print("items:")
    for item in d.items:
        words = (
            text_in(item.text, "en")
            if item.text
            else f"[licensed text not loaded] {item.content or ''}"
        )
        flags = " (reversed)" if item.reverse else ""
        flags += f" (risk item: >= {item.risk.at_or_above:g})" if item.risk else ""
        print(f"  {item.id}. {words}{flags}")
        for kind, variant in item.variants.items():
            print(f"      in {kind} cases: {text_in(variant, 'en')}")
    print("scales:")
    for scale in d.scales:
        low, high = d.scale_bounds(scale)
        print(
            f"  {scale.id}: {scale.method} of items {', '.join(scale.items)} ({low:g}-{high:g}); at least {scale.min_answered} answered"
        )
        for band in scale.bands:
            print(f"    from {band.lower:g}: {text_in(band.label, 'en')}")
        if scale.cutoff:
            c = scale.cutoff
            side = ">=" if c.direction == "at_or_above" else "<"
            print(
                f"    cutoff {side} {c.value:g}: {text_in(c.label, 'en')} ({c.source})"
            )
    return 0


def _validate(options: argparse.Namespace) -> int:
    failed = 0
    for path in options.files:
        try:
            d = load_definition(path)
        except DefinitionError as error:
            failed += 1
            print("\n".join(error.problems), file=sys.stderr)
        else:
            print(
                f"{path.name}: ok ({d.key}, {len(d.items)} items, {len(d.scales)} scales)"
            )
    return INPUT_ERROR if failed else 0


def _add_text(options: argparse.Namespace) -> int:
    definition = _library().get(options.id)
    pack = read_pack(options.file, instrument=definition.id)
    path = store_pack(pack, definition, config.data_dir())
    print(f"stored text for {definition.key} ({', '.join(pack.languages)}) in {path}")
    return 0


def _export_questionnaire(options: argparse.Namespace) -> int:
    from tether.interop.fhir_files import NotExportable, questionnaire_json

    try:
        text = questionnaire_json(_library().get(options.id))
    except NotExportable as error:
        print(f"tether: {error}", file=sys.stderr)
        return INPUT_ERROR
    return _write_text(text, options.out)


def _import_questionnaire(options: argparse.Namespace) -> int:
    from tether.interop.fhir_files import FhirImportError, import_file

    try:
        imported = import_file(options.file, _library(), options.id)
    except FhirImportError as error:
        _tell([f"warning: {w}" for w in error.warnings])
        _tell([f"tether: {options.file.name} cannot be imported:"])
        _tell([f"  {problem}" for problem in error.problems])
        return INPUT_ERROR
    _tell([f"warning: {w}" for w in imported.warnings])
    return _write_text(imported.yaml_text(options.file.name), options.out)


def _export_session_fhir(options: argparse.Namespace) -> int:
    _setup_django()
    from tether.care.fhir import NoSuchSession, session_bundle
    from tether.interop.fhir_files import as_json

    try:
        bundle = session_bundle(None, options.session)
    except NoSuchSession as error:
        print(f"tether: {error}", file=sys.stderr)
        return INPUT_ERROR
    return _write_text(as_json(bundle), options.out)


def _report(options: argparse.Namespace) -> int:
    _setup_django()
    from tether.reports.report_command import report

    return report(options)


def _tell(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _write_text(text: str, out: Path | None) -> int:
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"tether: cannot write {out}: {error.strerror}", file=sys.stderr)
        return INPUT_ERROR
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    import django

    django.setup()


def _score(options: argparse.Namespace) -> int:
    definition = _library().get(options.id)
    table = read_csv_file(options.input)
    output = score_rows(
        definition,
        table.header,
        table.rows(),
        options.item_columns,
        options.id_column,
        table.row_numbers,
    )
    _write_csv(output)
    return 0


def _signals(options: argparse.Namespace) -> int:
    from tether.signals import read_scores
    from tether.signals.engine import compute_signals
    from tether.signals.report import signal_rows, summary

    library = _library()
    with progress_bar("signals", 1, quiet=options.quiet) as bar:
        bar.update(0, note="reading the scores")
        frame = read_scores(options.scores, library)
        run = compute_signals(
            frame,
            library,
            progress=lambda done, total, what: bar.update(done, total, what),
        )
    _write_csv(signal_rows(run.signals))
    if not options.quiet:
        print(summary(run), file=sys.stderr)
    return 0


def _simulate(options: argparse.Namespace) -> int:
    from tether.simulate import SimulationConfig, simulate_cohort, write_cohort

    if options.cases < 1:
        raise TableError([f"--cases must be at least 1, not {options.cases}"])
    config = SimulationConfig.realistic() if options.realistic else None
    with progress_bar("simulating cases", options.cases, quiet=options.quiet) as bar:
        cohort = simulate_cohort(options.cases, options.seed, config, bar.advance)
    scores, truth = write_cohort(cohort, options.out)
    print(
        f"wrote {len(cohort.scores)} score rows to {scores} and {len(cohort.truth)} planted events to {truth}"
    )
    return 0


def _import_scores(options: argparse.Namespace) -> int:
    import time

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    django.setup()
    from tether.care.history_import import find_organization, import_history
    from tether.interop.history import HistoryError
    from tether.interop.history_report import counted, report_lines

    started = time.perf_counter()
    bar = progress_bar("importing", 1, quiet=options.quiet)
    try:
        organization = find_organization(options.organization)
        with bar:
            done = import_history(
                organization,
                read_csv_file(options.file),
                options.file.name,
                instrument=options.instrument,
                item_columns=options.item_columns,
                commit=options.commit,
                progress=lambda step, total, what: bar.update(step, total, what),
            )
    except HistoryError as error:
        print(f"tether: {options.file}: nothing was imported:", file=sys.stderr)
        print("\n".join(error.problems), file=sys.stderr)
        return INPUT_ERROR
    print("\n".join(report_lines(done.report)), end="\n\n")
    seconds = time.perf_counter() - started
    if done.committed:
        print(
            f"Imported into {organization.name} in one transaction ({seconds:.1f} s); "
            f"the clinic was refitted ({counted(done.open_alerts or 0, 'open alert')})."
        )
    elif not done.report.creates_anything:
        print("Nothing new: everything in the file is already in Tether.")
    else:
        print(f"Dry run ({seconds:.1f} s): nothing was written; --commit imports it.")
    return 0


def _analyze(options: argparse.Namespace) -> int:
    from tether.analyze import analyze

    return analyze(options)


def _write_csv(rows: list[list[str]]) -> None:
    import defusedcsv.csv as safe_csv  # spreadsheet-safe output (formula injection)

    buffer = io.StringIO()
    safe_csv.writer(buffer, lineterminator="\n").writerows(rows)
    sys.stdout.write(buffer.getvalue())


def _django(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tether", *args])
    return 0


def _backup(options: argparse.Namespace) -> int:
    backup = _setup_backup()
    try:
        fingerprint = backup.backup(options.file)
    except backup.BackupError as error:
        print(f"tether: backup not made: {error}", file=sys.stderr)
        return INPUT_ERROR
    print(
        f"tether: backed up to {options.file}:", *backup.fingerprint_lines(fingerprint)
    )
    return 0


def _restore(options: argparse.Namespace) -> int:
    backup = _setup_backup()
    try:
        fingerprint = backup.restore(options.file, force=options.force)
    except backup.BackupError as error:
        print(f"tether: nothing restored: {error}", file=sys.stderr)
        return INPUT_ERROR
    print(f"tether: restored {options.file}:", *backup.fingerprint_lines(fingerprint))
    return 0


def _setup_backup():  # type: ignore[no-untyped-def]
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    django.setup()
    from tether import backup

    return backup


def _demo(options: argparse.Namespace) -> int:
    from tether.demo import run_demo

    return run_demo(port=options.port)


def _worker(options: argparse.Namespace) -> int:
    from tether.worker import run_worker

    return run_worker(batch=options.batch)


MOST_DEFAULT_WORKERS = 8
DEFAULT_THREADS = 2
"""A worker takes a second request while one waits (on SQLite's write lock,
the disk, a slow client), for a few MB rather than a process's ~230 MB."""


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, e.g. in a container
    pinned to some cores), else all of them."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers(cpus: int | None = None) -> int:
    """One worker per CPU and one more, with DEFAULT_THREADS threads each,
    rather than gunicorn's (2 × CPUs) + 1: Tether's requests spend their time
    computing in Python (about 0.3 s of CPU for a clinician's page with its
    charts, as bench/serve.py measured), so processes beyond the CPUs add
    memory (about 230 MB each) and no throughput, and SQLite writes one at a
    time however many there are (docs/operations.md §Serving)."""
    return min((cpus or cpu_count()) + 1, MOST_DEFAULT_WORKERS)


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number, not {text!r}"
        ) from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def serve_command(options: argparse.Namespace) -> list[str]:
    """The gunicorn command `tether serve` runs. With more than one thread
    gunicorn uses its threaded worker (gthread) by itself."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "tether.wsgi",
        "--bind",
        options.bind,
        "--workers",
        str(options.workers),
        "--threads",
        str(options.threads),
    ]


def _serve(options: argparse.Namespace) -> int:
    # Refuse to start on a configuration problem (e.g. no TETHER_BASE_URL)
    # with its message, before gunicorn hides it in a worker's traceback.
    if _django(["check", "--fail-level", "ERROR"]) != 0:
        return 2
    command = serve_command(options)
    print(
        f"tether: serving on {options.bind} with {options.workers} workers "
        f"of {options.threads} thread{'s' if options.threads > 1 else ''}",
        file=sys.stderr,
        flush=True,
    )
    os.execvp(command[0], command)
    return 0  # pragma: no cover  (exec does not return)


if __name__ == "__main__":
    sys.exit(main())
