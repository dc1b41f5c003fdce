"""The API against its own OpenAPI document, with schemathesis (issue #13):
every operation, every check, as a clinician with a personal token, on the
database the suite runs on (SQLite, and PostgreSQL in .ci/run).

Known ids are offered from dictionaries (the schemathesis config below), so
most generated requests reach the services rather than stopping at a 404;
the rest stay random, so the 404 paths are exercised too. Passing means:
no server error, no answer outside the document, every valid request
answered as the document allows — and, checked here from the run's report,
each operation answered at least one generated request with a 2xx, so an
operation that refused everything would fail."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tether.accounts.services import create_api_token
from tether.care import services
from tether.portal.services import issue_invitation, submit_from_app

EXAMPLES = int(os.environ.get("TETHER_CONTRACT_EXAMPLES", "10"))
"""Generated requests per operation and phase (at least this many where the
schema allows as many different ones). Bounded so that .ci/run stays under
45 minutes on both databases."""

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def seed(ames, maria, leo):
    """A family case with a session, answers, an alert and a link."""
    case = maria.case
    ana = services.add_member(ames, case.pk, "Ana", "sibling", "8-12")
    session = services.start_session(ames, case.pk, dt.date(2026, 11, 2), [maria.pk])
    second = services.start_session(ames, case.pk, dt.date(2026, 11, 9), [leo.pk])
    later = [
        services.start_session(ames, case.pk, dt.date(2026, 11, 16 + 7 * n)).pk
        for n in range(3)
    ]
    answered = submit_from_app(
        ames,
        session.pk,
        "phq-9@1.0",
        maria.pk,
        "member",
        {str(n): 1 for n in range(1, 10)},
    ).response
    invitation, _ = issue_invitation(ames, second.pk, leo.pk, ["tac@1.1"])
    return {
        "cases": [case.pk],
        "sessions": [session.pk, second.pk, *later],
        "members": [maria.pk, leo.pk, ana.pk],
        "responses": [answered.pk],
        "signals": list(case.signals.values_list("pk", flat=True)),
        "invitations": [invitation.pk],
        "instruments": ["phq-9", "phq-9@1.0", "tac@1.1", "srs"],
    }


def config_file(folder: Path, known: dict) -> Path:
    lines = []
    for name, values in known.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    bindings = {
        "path.case_id": "cases",
        "path.session_id": "sessions",
        "path.response_id": "responses",
        "path.signal_id": "signals",
        "path.invitation_id": "invitations",
        "path.instrument": "instruments",
        "body.member": "members",
    }
    for parameter, dictionary in bindings.items():
        lines.append(
            f'"{parameter}" = {{ dictionary = "{dictionary}", probability = 0.8 }}'
        )
    path = folder / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.django_db(transaction=True)
def test_every_operation_keeps_the_openapi_contract(
    live_server, ames, maria, leo, tmp_path
):
    known = seed(ames, maria, leo)
    secret = create_api_token(ames, "contract tests", "read-write", 7).secret
    report = tmp_path / "report.json"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config_file(tmp_path, known)),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            "20261208",
            "--workers",
            "1",
            "--header",
            f"Authorization: Bearer {secret}",
            "--report",
            "json",
            "--report-json-path",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    outcome = json.loads(report.read_text())
    table = summary(outcome)
    log = Path(os.environ.get("TETHER_CONTRACT_LOG", tmp_path / "run.txt"))
    log.write_text(run.stdout + run.stderr + "\n" + table)
    print(run.stdout[-3000:] + "\n" + table)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
    assert outcome["operations"]["tested"] == outcome["operations"]["total"]
    assert outcome["errors"] == []
    never_accepted = [
        operation
        for operation, phases in outcome["valid_rates"].items()
        if not any(counts["accepted"] for counts in phases.values())
    ]
    assert never_accepted == [], "operations that accepted no valid request"
    assert set(outcome["valid_rates"]) >= set(operations_of(live_server))


def operations_of(live_server):
    """Every operation the document names, as the report names them."""
    import urllib.request

    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json") as answer:
        document = json.load(answer)
    return {
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method in methods
    }


def summary(outcome) -> str:
    """Per operation: valid requests accepted (2xx), unreachable (404),
    conflicts (409) and rejected, over the generating phases."""
    lines = [
        f"schemathesis {outcome['schemathesis_version']}: "
        f"{outcome['test_cases']['generated']} requests generated, "
        f"{outcome['operations']['tested']}/{outcome['operations']['total']} "
        f"operations, {len(outcome['failures'])} failures, "
        f"{outcome['running_time']:.0f} s",
        f"{'operation':58} accepted unreachable conflicts rejected",
    ]
    for operation, phases in sorted(outcome["valid_rates"].items()):
        counts = {
            key: sum(phase[key] for phase in phases.values())
            for key in ("accepted", "unreachable", "conflicts", "rejected")
        }
        lines.append(
            f"{operation:58} {counts['accepted']:8} {counts['unreachable']:11} "
            f"{counts['conflicts']:9} {counts['rejected']:8}"
        )
    return "\n".join(lines)
