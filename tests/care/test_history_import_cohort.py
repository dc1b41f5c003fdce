"""Issue 14's test of the history import: a simulated cohort of 600 cases,
imported into a clinic, shows the same signals as `tether signals` on the
same file.

Slow (about 40 s on one core, most of it the commit: 57,873 responses and
114,085 scores written and the clinic refitted): marked `slow`. The timings
of the dry run and the commit are printed (`pytest -s`).

The comparison is exact, after what storing an alert changes by design
(care.alerts.store_signals):
- the ids are the database's: cases and members are mapped back to the
  file's through their external ids;
- a condition that comes back is one alert following its episodes (the
  first session is the alert's, the later ones are in `evidence["followed"]`),
  where `tether signals` writes one row per episode: the stored alert is
  expanded into its episodes, and its severity and evidence are those of the
  latest;
- the state (`unrepaired`, …) is the alert's own field, where `tether
  signals` puts it into the evidence;
- the alerts folded into a rupture are listed in the order the rows came
  (the file's order, or the database's): compared as a set."""

import csv
import io
import json
import time

import pytest

from tether.care.history_import import import_history
from tether.care.models import Case, Member, Signal
from tether.cli import main
from tether.csvfiles import read_csv_file
from tether.simulate import simulate_cohort, write_cohort

pytestmark = pytest.mark.slow

CASES = 600
SEED = 1
MEMBER_KEYS = {"member", "lowest", "highest", "lower", "higher"}
"""The evidence that names a member (by id: the file's, or the database's),
or a group ("the family")."""


def file_signals(path, capsys):
    """`tether signals` on the file: (case, subject, kind, instrument,
    session) → severity and evidence."""
    assert main(["signals", str(path), "--quiet"]) == 0
    found = {}
    for row in csv.DictReader(io.StringIO(capsys.readouterr().out)):
        evidence = json.loads(row["evidence"])
        key = (
            row["case_id"],
            row["subject"],
            row["signal"],
            str(evidence.get("instrument", "")),
            int(row["session"]),
        )
        assert key not in found
        found[key] = (row["severity"], evidence)
    return found


def stored_signals(organization):
    """The clinic's stored alerts in the file's ids, one per episode: the
    latest episode with severity and evidence, the earlier ones with None."""
    cases = dict(
        Case.objects.filter(organization=organization).values_list("pk", "external_id")
    )
    names = {
        str(pk): external
        for pk, external in Member.objects.filter(
            organization=organization
        ).values_list("pk", "external_id")
    }

    def mapped(value):
        if isinstance(value, dict):
            return {
                k: names.get(v, v) if k in MEMBER_KEYS else mapped(v)
                for k, v in value.items()
                if k != "followed"
            }
        if isinstance(value, list):
            return [mapped(v) for v in value]
        return value

    found = {}
    followed = 0
    for signal in Signal.objects.filter(organization=organization):
        episodes = [signal.session_number, *signal.evidence.get("followed", [])]
        followed += len(episodes) > 1
        evidence = mapped(signal.evidence)
        if signal.state:
            evidence["state"] = signal.state
        subject = signal.subject
        if subject.startswith("member:"):
            subject = "member:" + names[subject.removeprefix("member:")]
        whose = (
            cases[signal.case_id],
            subject,
            signal.kind,
            signal.instrument,
        )
        for session in episodes:
            key = (*whose, session)
            assert key not in found
            latest = session == max(episodes)
            found[key] = (signal.severity, evidence) if latest else None
    return found, followed


def folded_as_a_set(evidence):
    if "folded" in evidence:
        evidence = {**evidence, "folded": sorted(evidence["folded"], key=json.dumps)}
    return evidence


def test_the_imported_clinic_shows_the_signals_of_tether_signals_on_the_same_file(
    northside, tmp_path, capsys
):
    path, _ = write_cohort(simulate_cohort(CASES, SEED), tmp_path)
    table = read_csv_file(path)

    started = time.perf_counter()
    dry = import_history(northside, table, path.name)
    dry_seconds = time.perf_counter() - started
    assert not dry.committed
    assert Case.objects.count() == 0

    started = time.perf_counter()
    done = import_history(northside, table, path.name, commit=True)
    commit_seconds = time.perf_counter() - started
    assert done.committed
    assert done.report.cases.new == CASES
    with capsys.disabled():
        print(
            f"\nhistory import of {CASES} cases ({len(table.row_numbers):,} rows, "
            f"{done.report.response_total.new:,} responses): dry run "
            f"{dry_seconds:.1f} s, commit {commit_seconds:.1f} s"
        )

    expected = file_signals(path, capsys)
    stored, followed = stored_signals(northside)
    assert len(expected) > 3000
    assert followed > 0  # the expansion of followed episodes is exercised
    assert set(stored) == set(expected)
    for key, latest in stored.items():
        if latest is None:
            continue
        severity, evidence = latest
        assert severity == expected[key][0], key
        assert folded_as_a_set(evidence) == folded_as_a_set(expected[key][1]), key
