"""Nothing acknowledged is lost when the server dies (issue #16 item 5).

`tether serve` (gunicorn as shipped, production settings) takes questionnaires
sent through the API by twelve clients at once; it is killed with SIGKILL three
times, each time with at least eight requests in flight, and started again.
Afterwards every questionnaire acknowledged to its sender (a 201) is stored,
with its answers; none is stored twice (the unacknowledged ones were sent again
with the same Idempotency-Key after the restart); and on SQLite the database
passes `PRAGMA integrity_check`. The server runs in its own processes on its
own database — a fresh SQLite data directory, or a scratch PostgreSQL database
— so nothing here shares the test run's database."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

KILLS = 3
IN_FLIGHT = 8
CLIENTS = 12
SESSIONS = 30

SETUP = """
import datetime as dt, json
from tether.accounts.models import Organization, Role, User
from tether.accounts.services import create_api_token
from tether.care import services
from tether.care.models import Session
org = Organization.objects.create(name="Northside Clinic", slug="northside")
ames = User.objects.create_user(username="ames", password="correct horse battery",
    organization=org, roles=[Role.CLINICIAN])
case = services.create_case(ames, "Rivera family", "family")
members = [services.add_member(ames, case.pk, name, "caregiver").pk
           for name in ("Maria", "Jose", "Rosa")]
Session.objects.bulk_create(
    Session(organization=org, case=case, number=n, date=dt.date(2026, 1, 1))
    for n in range(1, SESSIONS + 1))
print(json.dumps({"token": create_api_token(ames, "load", "read-write", 7).secret,
    "sessions": list(case.sessions.values_list("pk", flat=True)),
    "members": members}))
""".replace("SESSIONS", str(SESSIONS))

PHQ9 = {str(n): n % 4 for n in range(1, 10)}
GAD7 = {str(n): (n + 1) % 4 for n in range(1, 8)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, environment: dict, port: int):
        self.environment = environment
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tether.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/api/v1/openapi.json", timeout=2
                )
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


class Load:
    """Twelve clients sending questionnaires, each slot (session, member,
    instrument) once, with its own Idempotency-Key; a slot not acknowledged
    is sent again later with the same key."""

    def __init__(self, port: int, token: str, sessions, members):
        self.url = f"http://127.0.0.1:{port}/api/v1"
        self.token = token
        self.slots = [
            (s, m, instrument)
            for s in sessions
            for m in members
            for instrument in ("phq-9@1.0", "gad-7@1.0")
        ]
        self.keys = {slot: uuid.uuid4().hex for slot in self.slots}
        self.acknowledged: dict[tuple, int] = {}
        self.pending = list(reversed(self.slots))
        self.lock = threading.Lock()
        self.in_flight = 0
        self.running = True

    def send(self, slot) -> None:
        session, member, instrument = slot
        answers = PHQ9 if instrument.startswith("phq") else GAD7
        request = urllib.request.Request(
            f"{self.url}/sessions/{session}/responses",
            data=json.dumps(
                {"instrument": instrument, "member": member, "answers": answers}
            ).encode(),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": self.keys[slot],
            },
            method="POST",
        )
        with self.lock:
            self.in_flight += 1
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                body = json.load(answer)
                if answer.status == 201:
                    with self.lock:
                        self.acknowledged[slot] = body["id"]
                    return
        except (OSError, urllib.error.HTTPError, ValueError):
            pass
        finally:
            with self.lock:
                self.in_flight -= 1
        with self.lock:
            self.pending.insert(0, slot)

    def client(self) -> None:
        while self.running:
            with self.lock:
                slot = self.pending.pop() if self.pending else None
            if slot is None:
                return
            self.send(slot)

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        return threads


def database_for(tmp_path: Path):
    """Environment for the server and a function returning a DB-API
    connection to its database; the scratch PostgreSQL database is dropped
    afterwards."""
    environment = {
        **os.environ,
        "TETHER_DATA_DIR": str(tmp_path / "data"),
        "TETHER_DEBUG": "False",
        "TETHER_API_RATE": "100000/min",
        "TETHER_SECRET_KEY": "durability-test-only",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        environment.pop("DATABASE_URL", None)
        path = tmp_path / "data" / "tether.sqlite3"
        return environment, lambda: sqlite3.connect(path), None
    import psycopg

    scratch = f"tether_kill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {scratch}")
    scratch_url = url.rsplit("/", 1)[0] + f"/{scratch}"
    environment["DATABASE_URL"] = scratch_url

    def drop():
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")

    return environment, lambda: psycopg.connect(scratch_url), drop


def tether(environment, *args, stdin=None):
    done = subprocess.run(
        [sys.executable, "-m", "tether.cli", *args],
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_every_acknowledged_answer_survives_three_kills_and_none_is_stored_twice(
    tmp_path,
):
    port = free_port()
    environment, connect, drop = database_for(tmp_path)
    environment["TETHER_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = Server(environment, port)
    try:
        tether(environment, "migrate", "--verbosity", "0")
        world = json.loads(tether(environment, "shell", "-c", SETUP).splitlines()[-1])
        server.start()
        load = Load(port, world["token"], world["sessions"], world["members"])
        threads = load.run()
        kills = []
        for _ in range(KILLS):
            deadline = time.monotonic() + 60
            while load.in_flight < IN_FLIGHT and time.monotonic() < deadline:
                time.sleep(0.005)
            kills.append(load.in_flight)
            server.kill()
            time.sleep(0.5)
            server.start()
            time.sleep(1.0)
        for thread in threads:
            thread.join(timeout=300)
        load.running = False
        server.stop()

        assert min(kills) >= IN_FLIGHT, kills
        assert len(load.acknowledged) == len(load.slots)
        with connect() as db:
            rows = db.execute(
                "SELECT id, session_id, member_id, instrument FROM care_response "
                "WHERE status = 'complete'"
            ).fetchall()
            if drop is None:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {}
        for response_id, session, member, instrument in rows:
            slot = (session, member, instrument)
            assert slot not in stored, f"{slot} stored twice"
            stored[slot] = response_id
        assert stored == load.acknowledged
    finally:
        server.stop()
        if drop is not None:
            drop()
