"""Bursts: the sample endpoint's modes with exact counts, keys stored only as fingerprints, a kill -9 of a
real burst process then a resume (exactly one result per installation), cancel, the CLI's JSON."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from console import keys, service
from console.burst_run import BurstSpec, percentile
from console.fire.burst import RequestTemplate, generated_page_id
from console.fire.prepare import FireContext, InvalidRequest, render_request, template_values
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service import apps, bursts
from console.store import Store, open_store
from tests.conftest import ROOT, database_text


def spec(request: dict[str, Any], url: str, total: int, concurrency: int = 8, **extra: Any) -> BurstSpec:
    return BurstSpec(request, FireContext(params={"workspace": "acme"}), url, url, total, concurrency, **extra)


def burst(store: Store, request: dict[str, Any], url: str, total: int, concurrency: int = 8, workers: int = 1,
          **extra: Any) -> bursts.BurstReport:
    run_id = bursts.create_burst(store, spec(request, url, total, concurrency, **extra))
    return bursts.run_burst(store, run_id, workers=workers)


def stored_results(store: Store, run_id: str) -> list[dict[str, Any]]:
    import sqlalchemy as sa

    from console.store.schema import burst_results

    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(burst_results).where(burst_results.c.run_id == run_id)
                            .order_by(burst_results.c.seq)).mappings()
        return [dict(r) for r in rows]


@pytest.mark.parametrize(("mode", "arg", "expected"), [
    ("ok", None, {"ok": 60}),
    ("500", None, {"http_status": 60}),
    ("flaky", 7, {"http_status": 7, "ok": 53}),
])
def test_modes_give_exact_counts(store: Store, sample: SampleEndpoint, auth_request: dict, mode: str,
                                 arg: int | None, expected: dict[str, int]) -> None:
    report = burst(store, auth_request, sample.install_url(mode, arg, series="t"), 60, workers=2)
    assert report.status == "done"
    assert report.by_category == expected
    assert (report.sent, report.succeeded, report.failed) == (60, expected.get("ok", 0), 60 - expected.get("ok", 0))
    results = stored_results(store, report.run_id)
    assert [r["seq"] for r in results] == list(range(60))
    assert {r["page_id"] for r in results} == {generated_page_id(i) for i in range(60)}
    assert len({r["key_fingerprint"] for r in results}) == 60  # a fresh key per installation
    if mode == "500":
        assert {r["status"] for r in results} == {500}
    assert report.p50_ms is not None and report.p50_ms <= report.p95_ms <= report.p99_ms  # type: ignore[operator]


def test_slow_mode_hits_the_deadline_or_answers_within_it(store: Store, sample: SampleEndpoint,
                                                           auth_request: dict) -> None:
    from console.fire.send import Timeouts

    late = burst(store, auth_request, sample.install_url("slow", 2), 12, concurrency=12,
                 timeouts=Timeouts(connect=5.0, total=0.5))
    assert late.by_category == {"timeout": 12} and late.succeeded == 0
    assert all(0.45 < r["elapsed_ms"] / 1000 < 1.5 for r in stored_results(store, late.run_id))
    assert "deadline of 0.5 s" in stored_results(store, late.run_id)[0]["message"]
    patient = burst(store, auth_request, sample.install_url("slow", 1), 12, concurrency=12,
                    timeouts=Timeouts(connect=5.0, total=5.0))
    assert patient.by_category == {"ok": 12}
    assert patient.p50_ms is not None and patient.p50_ms >= 1000


def test_redirects_are_not_followed_and_refused_connections_are_counted(store: Store, sample: SampleEndpoint,
                                                                        auth_request: dict) -> None:
    redirect = burst(store, auth_request, sample.install_url("redirect"), 10)
    assert redirect.by_category == {"redirect": 10}
    assert [r["path"] for r in sample.received()].count("/install/ok") == 0  # never followed
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused = burst(store, auth_request, f"http://127.0.0.1:{port}/install", 10)
    assert refused.by_category == {"connect": 10}
    oversized = burst(store, auth_request, sample.install_url("oversized"), 4)
    assert oversized.by_category == {"too_large": 4}


class CannedServer:
    """A hostile endpoint on loopback: reads each request, answers with the given bytes, then closes."""

    def __init__(self, answer: bytes):
        import socket
        import threading

        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/install"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import threading

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: Any) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), b"0"))
            while len(body) < length:
                body += conn.recv(65536)
            if self.answer:
                conn.sendall(self.answer)

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize(("answer", "category"), [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "ok"),
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe body ends when the connection closes", "ok"),
    (b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", "http_status"),
    (b"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n", "redirect"),
    # a header line over 64 KiB and over 100 header lines: `protocol`, as in a single fire (was too_large here)
    (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", "protocol"),
    (b"HTTP/1.1 200 OK\r\n" + b"X-Many: 1\r\n" * 150 + b"Content-Length: 0\r\n\r\n", "protocol"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000, "too_large"),
    (b"SMTP ready, not HTTP\r\n\r\n", "protocol"),
    # a body shorter than announced: `protocol`, as in a single fire (was connect here)
    (b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\ncut short", "protocol"),
    (b"", "connect"),
])
def test_hostile_answers_are_classified_like_a_single_fire(store: Store, auth_request: dict, answer: bytes,
                                                           category: str) -> None:
    server = CannedServer(answer)
    try:
        report = burst(store, auth_request, server.url, 6, concurrency=3)
    finally:
        server.close()
    assert report.by_category == {category: 6}
    assert report.succeeded == (6 if category == "ok" else 0)


def test_team_mode_decides_once_and_blocks_loopback(store: Store, sample: SampleEndpoint,
                                                    auth_request: dict) -> None:
    report = burst(store, auth_request, sample.install_url("ok"), 20, policy=AddressPolicy("team"))
    assert report.by_category == {"blocked": 20}
    assert sample.received() == []  # nothing reached the network
    allowed = burst(store, auth_request, sample.install_url("ok"), 20,
                    policy=AddressPolicy("team", ("127.0.0.1/32",)))
    assert allowed.by_category == {"ok": 20}


def test_the_endpoint_receives_each_key_once_and_the_store_only_fingerprints(
        db_url: str, store: Store, sample: SampleEndpoint, auth_request: dict) -> None:
    report = burst(store, auth_request, sample.install_url("ok"), 30)
    received = sample.received()
    assert len(received) == 30
    header_fps = [r["headers"]["x-token-header"] for r in received]
    payload_fps = [r["payload"]["/app_token"] for r in received]
    assert header_fps == payload_fps  # the same key in the header and the payload of one request
    stored = {r["key_fingerprint"] for r in stored_results(store, report.run_id)}
    assert set(header_fps) == stored  # the endpoint got exactly the keys whose fingerprints were stored
    assert {r["payload"]["/page_id"] for r in received} == {keys.fingerprint(generated_page_id(i)) for i in range(30)}
    text = database_text(db_url)
    assert b"fp_" in text
    assert not any(len(word) == 64 and all(c in b"0123456789abcdef" for c in word) for word in text.split(b'"'))


def test_explicit_installations_are_rekeyed_through_the_service(store: Store, sample: SampleEndpoint) -> None:
    app = apps.create_demo_app(store)
    pairs = [(f"inst-{i}", str(5550000 + i)) for i in range(15)]
    report = bursts.rekey_installations(store, app, pairs, AddressPolicy(), url=sample.install_url("ok"),
                                         concurrency=4)
    assert (report.status, report.succeeded) == ("done", 15)
    results = stored_results(store, report.run_id)
    assert [(r["installation_id"], r["page_id"]) for r in results] == pairs
    assert sorted(r["payload"]["/page_id"] for r in sample.received()) == sorted(keys.fingerprint(p) for _, p in pairs)
    assert bursts.recent_bursts(store, app.id)[0].id == report.run_id


def test_bad_specs_are_refused_and_record_nothing(store: Store, auth_request: dict) -> None:
    for bad in (spec(auth_request, "http://127.0.0.1:1/", 0), spec(auth_request, "http://127.0.0.1:1/", 100_001),
                spec(auth_request, "http://127.0.0.1:1/", 5, concurrency=0)):
        with pytest.raises(service.ServiceError, match="installations|concurrency"):
            bursts.create_burst(store, bad)
    assert bursts.recent_bursts(store) == []


def test_the_template_fills_exactly_what_render_request_renders(auth_request: dict) -> None:
    shapes = [
        auth_request,
        {**auth_request, "url": "https://example.com/hook/{{page_id}}?t={{app_token}}&p=[[workspace]]"},
        {"url": "https://example.com/i", "method": "PUT", "headers": ["Content-Type: application/json"],
         "payload": '{"key": "{{app_token}}", "page": "{{page_id}}", "braces": "{x}"}'},
        {"url": "https://example.com/i", "method": "POST", "headers": ["X-Key: {{ app_token }}"],
         "payload": {"nested": [{"k": "{{app_token}}"}, "{{page_id}}-{{app_id}}", 3, None]}},
    ]
    rng = random.Random(14)
    for request in shapes:
        template = RequestTemplate(BurstPlanFor(request))
        assert template.fast
        for page_id in ("100200300", "a.b-c_d", str(rng.randrange(10**12)), 'has"quote', "ünï"):
            key = keys.generate_app_key()
            values = template_values(key, FireContext(page_id=page_id, params={"workspace": "w"}))
            try:
                expected = render_request(request, values)
            except InvalidRequest:  # e.g. a quote in a JSON text payload: both ways refuse it
                with pytest.raises(InvalidRequest):
                    template.fill(key, page_id)
                continue
            got = template.fill(key, page_id)
            assert (got.method, got.url, got.headers, got.body) == \
                (expected.method, expected.url, expected.headers, expected.body)


def BurstPlanFor(request: dict[str, Any]) -> Any:  # noqa: N802 - reads like the class it builds
    from console.fire.burst import BurstPlan

    return BurstPlan(request, FireContext(params={"workspace": "w"}))


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (50.0, 95.0, 99.0)
    assert percentile([], 0.5) is None


# ---------------------------------------------------------------- real processes: kill -9, resume, cancel, CLI


def cli(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "console", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})}, **kwargs)


def wait_for(condition: Any, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_kill_9_mid_run_then_resume_fires_each_installation_exactly_once(
        db_url: str, sample: SampleEndpoint) -> None:
    total = 2000
    path = "/install/flaky/0?series=kill"  # flaky with 0 failures: always 200, and the endpoint counts requests
    proc = subprocess.Popen([sys.executable, "-m", "console", "burst", "assets/demo_app.json", "--installations",
                             str(total), "--concurrency", "8", "--url", sample.base_url + path, "--workers", "2",
                             "--json"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CONSOLE_DATABASE_URL": db_url})
    store = open_store(db_url)
    try:
        wait_for(lambda: bool(store.bursts.recent()) and store.bursts.recent()[0].done >= 200)
        run_id = store.bursts.recent()[0].id
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                                  text=True).stdout.split()]
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 10)  # the workers die too
        before = store.bursts.result_count(run_id)
        assert 200 <= before < total, "the burst finished before it could be killed"
        requests_before = sample.state.flaky_counts[path]
        assert requests_before >= before  # some were fired but not stored yet when it died

        assert bursts.recent_bursts(store)[0].status == "interrupted"  # the next start shows it
        out = cli("burst", "assets/demo_app.json", "--resume", run_id, "--json", env={"CONSOLE_DATABASE_URL": db_url})
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert (report["run_id"], report["status"], report["sent"], report["succeeded"]) == (run_id, "done", total,
                                                                                             total)
        results = stored_results(store, run_id)
        assert [r["seq"] for r in results] == list(range(total))  # exactly one result each: none lost, none twice
        assert len({r["key_fingerprint"] for r in results}) == total
        # the resume fired exactly the installations without a stored result
        assert sample.state.flaky_counts[path] - requests_before == total - before
        again = cli("burst", "assets/demo_app.json", "--resume", run_id, env={"CONSOLE_DATABASE_URL": db_url})
        assert again.returncode == 2 and "finished" in again.stderr
    finally:
        if proc.poll() is None:
            proc.kill()
        store.close()


def done_of(store: Store, run_id: str) -> int:
    progress = bursts.burst_progress(store, run_id)
    return 0 if progress is None else progress.done


def test_cancel_stops_new_fires_and_stores_what_was_fired(store: Store, sample: SampleEndpoint,
                                                          auth_request: dict) -> None:
    run_id = bursts.create_burst(store, spec(auth_request, sample.install_url("slow", 1), 200, concurrency=10))
    proc = bursts.launch_burst(store, run_id)
    try:
        wait_for(lambda: done_of(store, run_id) >= 10)
        assert bursts.cancel_burst(store, run_id)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    progress = bursts.burst_progress(store, run_id)
    assert progress is not None and progress.status == "cancelled"
    assert 10 <= progress.done < 200 and progress.done == store.bursts.result_count(run_id)
    assert len(stored_results(store, run_id)) == progress.done


def test_cli_burst_json(db_url: str, sample: SampleEndpoint) -> None:
    out = cli("burst", "assets/demo_app.json", "--installations", "50", "--concurrency", "5", "--url",
              sample.install_url("flaky", 5, series="cli"), "--var", "workspace=acme", "--json")
    assert out.returncode == 1, out.stderr  # some failed: the check failed
    data = json.loads(out.stdout)
    assert set(data) >= {"sent", "succeeded", "failed", "elapsed_s", "rps", "p50_ms", "p95_ms", "p99_ms",
                         "by_category", "run_id"}
    assert (data["sent"], data["succeeded"], data["failed"]) == (50, 45, 5)
    assert data["by_category"] == {"http_status": 5, "ok": 45}
    assert data["rps"] > 0 and data["elapsed_s"] > 0
    ok = cli("burst", "assets/demo_app.json", "--installations", "20", "--url", sample.install_url("ok"))
    assert ok.returncode == 0 and "DONE: 20 of 20" in ok.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--installations", "0"], "installations"),
    (["--installations", "10", "--concurrency", "0"], "concurrency"),
    ([], "--installations N is required"),
    (["--resume", "burst_nope"], "no burst run"),
])
def test_cli_burst_bad_usage(db_url: str, args: list[str], message: str) -> None:
    out = cli("burst", "assets/demo_app.json", "--url", "http://127.0.0.1:9/install", *args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    if db_url.startswith("sqlite:///") and "--resume" not in args:  # told before any database is opened
        assert not Path(db_url.removeprefix("sqlite:///")).exists()


def test_the_migration_builds_the_burst_tables_of_the_schema(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from console.store.schema import metadata

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
    mine = [d for d in diffs if "burst_" in repr(d)]
    assert mine == []


def test_a_burst_request_looks_like_a_single_fire(store: Store, sample: SampleEndpoint, auth_request: dict) -> None:
    from console.fire.send import fire_install_request

    fire_install_request(auth_request, FireContext(params={"workspace": "acme"}), url=sample.install_url("ok"))
    burst(store, auth_request, sample.install_url("ok"), 1)
    single, many = sample.received()
    assert (many["method"], many["path"]) == (single["method"], single["path"])
    assert set(many["headers"]) == set(single["headers"])  # same header names, same framing
    assert many["headers"]["user-agent"] == single["headers"]["user-agent"]
    assert many["headers"]["content-type"] == single["headers"]["content-type"]
    assert set(many["payload"]) == set(single["payload"])  # (the page_ids differ in length)


@pytest.mark.parametrize("explicit", [False, True])
def test_resume_fires_only_the_installations_without_a_result(store: Store, sample: SampleEndpoint,
                                                              auth_request: dict, explicit: bool) -> None:
    pairs = [(f"inst-{i}", str(7770000 + i)) for i in range(40)] if explicit else None
    run_id = bursts.create_burst(store, spec(auth_request, sample.install_url("ok"), 40, installations=pairs))
    stored_before = [0, 1, 2, 10, 11, 25, 39]  # as if a killed run had stored these
    store.bursts.add_results(run_id, [(seq, "fp_0000000000000000", True, 200, "ok", 1.0, time.time(), None)
                                      for seq in stored_before],
                             lambda seq: (pairs[seq][0], pairs[seq][1]) if pairs else (None, generated_page_id(seq)),
                             {"ok": len(stored_before)})
    report = bursts.run_burst(store, run_id)
    assert (report.status, report.sent, report.succeeded) == ("done", 40, 40)
    fired = sorted(r["payload"]["/page_id"] for r in sample.received())
    missing = [i for i in range(40) if i not in stored_before]
    pages = [pairs[i][1] for i in missing] if pairs else [generated_page_id(i) for i in missing]
    assert fired == sorted(keys.fingerprint(p) for p in pages)  # exactly the ones without a result, once each
    assert [r["seq"] for r in stored_results(store, run_id)] == list(range(40))
