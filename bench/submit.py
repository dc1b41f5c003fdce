"""Time of the request a family member waits on when they send a questionnaire.

Builds, in a fresh SQLite database, one family case (two caregivers, a
15-year-old, a 10-year-old) whose members have answered the TAC by link in
every earlier session, then times, per member of the last session, the POST of
the whole questionnaire page (the answers saved and the questionnaire sent)
against the floor of the same run: the GET of that page (the same link
checks and rendering, nothing stored). Reports the median of each and their
ratio; the ratio is what to compare between commits, not the seconds. No
worker runs: the case's signal recompute, queued after commit, is timed on
its own at the end (what the worker spends per burst of answers).

Usage: python bench/submit.py [--sessions 12] [--repeats 3]
Writes bench/results/submit.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def setup_django(folder: str) -> None:
    os.environ["TETHER_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def family(sessions: int):  # type: ignore[no-untyped-def]
    from tether.accounts.models import Organization, Role, User
    from tether.care import services
    from tether.care.models import AgeBand, MemberRole

    org = Organization.objects.create(name="Bench Clinic", slug="bench")
    clinician = User.objects.create_user(
        username="bench", password="x", organization=org, roles={Role.CLINICIAN}
    )
    case = services.create_case(clinician, "Bench family", "family", [clinician])
    members = [
        services.add_member(clinician, case.pk, "Ana", MemberRole.CAREGIVER),
        services.add_member(clinician, case.pk, "Ben", MemberRole.CAREGIVER),
        services.add_member(
            clinician, case.pk, "Cal", MemberRole.IDENTIFIED_CLIENT, AgeBand.TEEN
        ),
        services.add_member(
            clinician, case.pk, "Dee", MemberRole.SIBLING, AgeBand.CHILD
        ),
    ]
    return clinician, case, members


def answers_for(definition, session: int, member: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Answers near the top of the scale, varying by session and member."""
    from tether.care.models import CaseKind

    high = int(definition.answer_bounds[1])
    out = {}
    for n, item in enumerate(definition.items):
        if CaseKind.FAMILY not in item.applies_to:
            continue
        out[f"item-{item.id}"] = str(max(0, high - (n + session + member) % 2))
    return out


def run(sessions: int, repeats: int) -> dict[str, float]:
    from django.test import Client

    from tether.care import services
    from tether.care.frames import library
    from tether.care.models import AgeBand
    from tether.portal import services as portal

    clinician, case, members = family(sessions)
    client = Client(HTTP_HOST="127.0.0.1")
    posts: list[float] = []
    gets: list[float] = []
    for number in range(1, sessions + repeats + 1):
        session = services.start_session(
            clinician, case.pk, attended=[m.pk for m in members]
        )
        for index, member in enumerate(members):
            key = "tac-child" if member.age_band == AgeBand.CHILD else "tac"
            definition = library().get(key)
            _, token = portal.issue_invitation(
                clinician, session.pk, member.pk, [definition.key]
            )
            url = f"/q/{token}/{definition.id}/"
            client.get(f"/q/{token}/")
            started = time.perf_counter()
            page = client.get(url)
            got = time.perf_counter() - started
            assert page.status_code == 200, page.status_code
            data = answers_for(definition, number, index)
            started = time.perf_counter()
            sent = client.post(url, data)
            posted = time.perf_counter() - started
            assert sent.status_code in (200, 302), sent.status_code
            if number > sessions:
                posts.append(posted)
                gets.append(got)
    post, get = statistics.median(posts), statistics.median(gets)
    recompute_seconds = _recompute_seconds(case)
    return {
        "sessions_before": sessions,
        "submits_timed": len(posts),
        "submit_post_ms": round(post * 1000, 1),
        "page_get_ms": round(get * 1000, 1),
        "ratio_to_page_get": round(post / get, 2),
        "recompute_after_commit_ms": round(recompute_seconds * 1000, 1),
    }


def _recompute_seconds(case) -> float:  # type: ignore[no-untyped-def]
    """The case's full signal recompute, which the worker runs after commit
    (nothing runs it here: the benchmark starts no worker)."""
    from django.utils import timezone

    from tether.care.models import Case
    from tether.care.recompute import run_recompute

    Case.objects.filter(pk=case.pk).update(signals_stale_since=timezone.now())
    started = time.perf_counter()
    run_recompute(case.pk)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        result = run(args.sessions, args.repeats)
    for name, value in result.items():
        print(f"  {name:<22} {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "submit.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
