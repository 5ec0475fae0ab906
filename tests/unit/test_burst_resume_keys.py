"""A resumed burst resends an interrupted installation's request with the same key, and says how many it resent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console import keys
from console.store import open_store
from tests.conftest import ROOT, database_text


class Receiver(ThreadingHTTPServer):
    """A loopback install endpoint that remembers which keys each page got (in this test's memory only)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.keys_of: dict[str, list[str]] = defaultdict(list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/install"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        time.sleep(0.002)
        server = self.server
        assert isinstance(server, Receiver)
        with server.lock:
            server.keys_of[str(body.get("page_id"))].append(str(self.headers.get("x-token-header")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def cli(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "console", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "CONSOLE_DATABASE_URL": db_url})


def test_kill_9_then_resume_sends_no_installation_two_different_keys(db_url: str, receiver: Receiver) -> None:
    total = 3000
    proc = subprocess.Popen([sys.executable, "-m", "console", "burst", "assets/demo_app.json", "--installations",
                             str(total), "--concurrency", "16", "--url", receiver.url, "--workers", "2", "--json"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CONSOLE_DATABASE_URL": db_url})
    store = open_store(db_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (store.bursts.recent() and store.bursts.recent()[0].done >= 600):
            time.sleep(0.02)
        run_id = store.bursts.recent()[0].id
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(1.0)  # the workers die with it
        before = store.bursts.result_count(run_id)
        assert 600 <= before < total, "the burst finished before it could be killed"
        sent_before = sum(len(v) for v in receiver.keys_of.values())
        in_flight = sent_before - before  # reached the endpoint, no result stored: these are sent again

        out = cli("burst", "assets/demo_app.json", "--resume", run_id, "--json", db_url=db_url)
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert (report["status"], report["sent"], report["succeeded"]) == ("done", total, total)
    finally:
        if proc.poll() is None:
            proc.kill()
        store.close()
    assert len(receiver.keys_of) == total
    twice = {page: got for page, got in receiver.keys_of.items() if len(got) > 1}
    assert all(len(set(got)) == 1 for got in receiver.keys_of.values()), "an installation got two different keys"
    assert len(twice) == in_flight > 0  # every request resent carried the key its installation had already got
    assert in_flight <= report["resent"] <= total - before  # the report counts the resent requests
    text = database_text(db_url)
    some_key = next(iter(receiver.keys_of.values()))[0]
    assert some_key.encode() not in text and keys.fingerprint(some_key).encode() in text
    run = open_store(db_url)
    try:
        record = run.bursts.get(run_id)
        assert record is not None and "key_secret" not in record.plan  # deleted when the run is done
    finally:
        run.close()
