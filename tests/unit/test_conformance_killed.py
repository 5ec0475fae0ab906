"""A conformance run killed half-way (kill -9) leaves a trace: the run is recorded before it fires and each
fire is stored as it completes, on the page's path and the command line's alike."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from console.sandbox.sample_endpoint import SampleEndpoint
from console.store import open_store
from tests.conftest import ROOT


def _count(url: str, sql: str) -> int:
    store = open_store(url)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    finally:
        store.close()


def test_kill_9_in_the_middle_of_conformance_leaves_the_run_and_its_fires(db_url: str, tmp_path: Path,
                                                                           sample: SampleEndpoint,
                                                                           demo_doc: dict) -> None:
    app_json = tmp_path / "app.json"
    app_json.write_text(json.dumps(demo_doc), "utf-8")
    slow = sample.install_url("slow", 1)  # every answer takes a second: time to kill it half-way
    process = subprocess.Popen([sys.executable, "-m", "console", "check", str(app_json), "--url", slow, "--json"],
                               cwd=ROOT, env={**os.environ, "CONSOLE_DATABASE_URL": db_url},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _count(db_url, "SELECT count(*) FROM fires") < 2:
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    started = _count(db_url, "SELECT count(*) FROM activity WHERE action = 'conformance_started'")
    stored = _count(db_url, "SELECT count(*) FROM fires WHERE run_id IS NOT NULL")
    finished = _count(db_url, "SELECT count(*) FROM activity WHERE action = 'conformance_run'")
    assert started == 1, "the run was not recorded before it fired"
    assert 2 <= stored < 14, f"{stored} fires stored: each fire is stored as it completes"
    assert finished == 0  # it never finished: the log says it started, the fires say how far it got
