"""Time of the pages a clinician waits on: the case page and the caseload.

Seeds the demo clinic (the same seed as `tether demo`: 40 cases, about 14
sessions each) in a fresh SQLite database, signs in as the Rivera family's
clinician, and times, server side through Django's test client (the whole
request: middleware, queries, charts, rendering):
- the case page of every case of that clinician, and of the Rivera family
  (the demo's busiest family) on its own;
- the caseload;
- the floor of the same run: a signed-in help page (the same middleware,
  session, second factor and base template, nothing clinical).
Reports medians and each one's ratio to the floor; the ratios are what to
compare between commits, not the seconds. The case page's charts are SVG
drawn on the server, so the page is ready in the browser about when its HTML
has arrived (tests/browser/test_case_charts.py measures what it transfers).

- a supervisor's caseload: every case of the clinic (`--cases 200` seeds a
  200-case clinic, the caseload issue #16 names).

Usage: python bench/case_page.py [--repeats 5] [--cpu] [--cases 40]
Writes bench/results/case_page.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from submit import setup_django  # type: ignore[import-not-found]

RESULTS = Path(__file__).resolve().parent / "results"


CLOCK = time.perf_counter
"""Wall time by default; --cpu counts this process's CPU time instead, which
other work on a shared machine disturbs far less (to compare two commits)."""


def median_ms(client, url: str, repeats: int) -> float:  # type: ignore[no-untyped-def]
    client.get(url)  # the first request fills caches every later visit finds
    times = []
    for _ in range(repeats):
        started = CLOCK()
        page = client.get(url)
        times.append(CLOCK() - started)
        assert page.status_code == 200, (url, page.status_code)
    return statistics.median(times) * 1000


def run(repeats: int, cases: int = 40) -> dict[str, float]:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tether.care.models import Case
    from tether.demo.clinic import seed_demo_clinic

    demo = seed_demo_clinic(cases=cases)
    clinician = next(
        user
        for user in demo.accounts.values()
        if Case.objects.filter(pk=demo.showcase_case_id, clinicians=user).exists()
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clinician)
    device = TOTPDevice.objects.create(user=clinician, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    floor = median_ms(client, "/help/case/", repeats)
    rivera = median_ms(client, f"/cases/{demo.showcase_case_id}/", repeats)
    cases = Case.objects.filter(clinicians=clinician).values_list("pk", flat=True)
    every_case = statistics.median(
        median_ms(client, f"/cases/{pk}/", repeats) for pk in cases
    )
    caseload = median_ms(client, "/cases/", repeats)
    # A supervisor's caseload: every case of the clinic (--cases 200: the
    # 200-case caseload of issue #16).
    supervisor = next(u for u in demo.accounts.values() if u.is_supervisor)
    client.force_login(supervisor)
    device = TOTPDevice.objects.create(user=supervisor, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    clinic_caseload = median_ms(client, "/cases/", repeats)
    return {
        "clock": "cpu" if CLOCK is time.process_time else "wall",
        "cases_of_the_clinician": len(cases),
        "floor_help_page_ms": round(floor, 1),
        "case_page_rivera_ms": round(rivera, 1),
        "case_page_median_ms": round(every_case, 1),
        "caseload_ms": round(caseload, 1),
        "cases_of_the_clinic": Case.objects.count(),
        "supervisor_caseload_ms": round(clinic_caseload, 1),
        "supervisor_caseload_ratio_to_floor": round(clinic_caseload / floor, 1),
        "rivera_ratio_to_floor": round(rivera / floor, 1),
        "case_page_ratio_to_floor": round(every_case / floor, 1),
        "caseload_ratio_to_floor": round(caseload / floor, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cpu", action="store_true", help="CPU time, not wall")
    parser.add_argument(
        "--cases", type=int, default=40, help="cases of the demo clinic (default 40)"
    )
    args = parser.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time
    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        result = run(args.repeats, args.cases)
    for name, value in result.items():
        print(f"  {name:<26} {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "case_page.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
