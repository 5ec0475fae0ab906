"""A burst process started from the page is reaped as soon as it ends: no defunct child stays under
the Streamlit server (before: it stayed a zombie until the next burst was launched)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.service import bursts
from ui.render_burst import BurstRunner


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None  # reaped: the pid is gone


def test_a_finished_burst_process_leaves_no_defunct_child(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[bytes]] = []

    def launch(_store: object, _run_id: str, **_kwargs: object) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-c", "pass"])  # a burst that ends at once
        started.append(proc)
        return proc

    monkeypatch.setattr(bursts, "launch_burst", launch)
    runner = BurstRunner()
    runner.launch(None, "run-1", actor="local")  # type: ignore[arg-type]
    pid = started[0].pid
    deadline = time.monotonic() + 20
    while _state(pid) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _state(pid) is None, f"the burst process is left as state {_state(pid)!r} (Z = defunct)"
    assert runner.running() == []
