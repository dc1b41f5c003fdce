"""`tether demo` starts on a fresh, seeded SQLite database, says how to sign in,
and serves the instrument library and the sign-in page."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_serves_the_instrument_library_and_says_where(tmp_path):
    port = free_port()
    # A stale demo database from an earlier run is replaced, not reused.
    (tmp_path / "demo.sqlite3").write_text("not a database")
    env = {**os.environ, "TETHER_DATA_DIR": str(tmp_path)}
    script = Path(sys.executable).parent / "tether"
    process = subprocess.Popen(
        [str(script), "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and page is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/instruments/", timeout=2
                ) as response:
                    page = response.read().decode()
            except OSError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.3)
        assert page is not None, "the demo did not answer within 90 seconds"
        assert "Instrument library" in page
        assert "Demo data" in page
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/core/tether.css", timeout=5
        ) as response:
            assert response.status == 200
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/accounts/login/", timeout=5
        ) as response:
            assert response.status == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"Tether demo is starting on http://127.0.0.1:{port}/" in output
    assert f"sign in at http://127.0.0.1:{port}/accounts/login/" in output
    assert "clinician:     dr.ames / tether-demo" in output
    assert "(also dr.baker, dr.chen, same password)" in output
    assert "supervisor:    sam.supervisor / tether-demo" in output
    assert "administrator: ada.admin / tether-demo" in output
    assert "Try: open the Rivera family and read the red rupture alert." in output
    assert "Every page is marked Demo data" in output
    assert "Northside Clinic (demo): 40 cases" in output
    database = tmp_path / "demo.sqlite3"
    assert database.read_bytes().startswith(b"SQLite format 3")
