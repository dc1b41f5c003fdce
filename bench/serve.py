"""Rough throughput of `tether serve` with different worker and thread counts.

Seeds the demo clinic into a fresh SQLite database, then for each
configuration starts `tether serve --workers W --threads T` and has
CLIENTS simulated clinicians, each with its own session, request for
SECONDS: mostly the case page and the caseload (reads: queries, the
signals' summaries, SVG charts), and every tenth request a fresh sign-in
(an Argon2 hash, and writes: a session, the audit trail, the sign-in log).
The clients run on the same machine as the server, so absolute numbers say
little; compare the configurations within one run.

Usage: python bench/serve.py [--clients 8] [--seconds 20] [--configs 1x1,3x1,5x1,2x2,3x2]
Writes bench/results/serve.json.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def seed(folder: str) -> int:
    """The demo clinic in `folder`; returns the showcase case's id."""
    os.environ.update(TETHER_DATA_DIR=folder, TETHER_DEMO="True")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tether.care.models import Case
    from tether.demo.clinic import SHOWCASE_LABEL, seed_demo_clinic

    seed_demo_clinic()
    return int(Case.objects.get(label=SHOWCASE_LABEL).pk)


class Clinician:
    """One browser: its own cookies, signing in as a demo clinician."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> int:
        with self.opener.open(self.base + path, timeout=120) as response:
            response.read()
            return int(response.status)

    def sign_in(self) -> int:
        with self.opener.open(self.base + "/accounts/login/", timeout=120) as page:
            html = page.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, "no CSRF token on the sign-in page"
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": "dr.ames",
                "password": "tether-demo",
            }
        ).encode()
        with self.opener.open(
            self.base + "/accounts/login/", data=form, timeout=120
        ) as response:
            response.read()
            return int(response.status)


def wait_for(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def load(base: str, case_id: int, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = [0.0]

    def start_clock() -> None:
        stop[0] = time.monotonic() + seconds

    signed_in = threading.Barrier(clients, action=start_clock)
    paths = [f"/cases/{case_id}/", "/cases/"]

    def one_clinician(number: int) -> None:
        clinician = Clinician(base)
        clinician.sign_in()
        signed_in.wait()  # the clock starts when every clinician is in
        count = number
        while time.monotonic() < stop[0]:
            started = time.perf_counter()
            try:
                if count % 10 == 9:
                    clinician.sign_in()
                else:
                    clinician.get(paths[count % 2])
            except Exception as error:  # counted and reported
                with lock:
                    errors.append(repr(error))
                continue
            finally:
                count += 1
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [
        threading.Thread(target=one_clinician, args=(n,)) for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    if not latencies:
        raise SystemExit(f"every request failed, e.g. {errors[:3]}")
    return {
        "requests_per_second": round(len(latencies) / seconds, 1),
        "median_ms": round(statistics.median(latencies) * 1000),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000),
        "errors": len(errors),
    }


def workers_of(server: subprocess.Popen) -> list[str]:
    """The worker processes: gunicorn's children."""
    return Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()


def worker_memory_mb(server: subprocess.Popen) -> float:
    """Resident memory of the workers, in MB."""
    total = 0
    for pid in workers_of(server):
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return round(total / 1024, 1)


def worker_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time the workers have used (user and system), in seconds: unlike
    the wall-clock times, it hardly depends on what else the machine runs."""
    ticks = 0
    for pid in workers_of(server):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--configs", default="1x1,3x1,5x1,2x2,3x2")
    options = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        case_id = seed(folder)
        for config in options.configs.split(","):
            workers, threads = (int(n) for n in config.split("x"))
            port = free_port()
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tether.cli",
                    "serve",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                ],
                env=os.environ.copy(),
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for(port)
                base = f"http://127.0.0.1:{port}"
                load(base, case_id, options.clients, 3)  # warm every worker up
                cpu_before = worker_cpu_seconds(server)
                result = load(base, case_id, options.clients, options.seconds)
                requests = result["requests_per_second"] * options.seconds
                cpu = worker_cpu_seconds(server) - cpu_before
                result |= {
                    "cpu_ms_per_request": round(cpu / requests * 1000),
                    "workers": workers,
                    "threads": threads,
                    "workers_rss_mb": worker_memory_mb(server),
                }
            finally:
                server.terminate()
                server.wait(timeout=30)
            print(json.dumps(result), flush=True)
            results.append(result)
    RESULTS.mkdir(exist_ok=True)
    summary = {
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg()[0],
        "clients": options.clients,
        "seconds": options.seconds,
        "results": results,
    }
    (RESULTS / "serve.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
