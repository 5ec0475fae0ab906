"""`python -m console`: exit codes 0/1/2, JSON fields of the contract, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from console import keys
from console.sandbox.sample_endpoint import SampleEndpoint
from tests.cli_run import console_cli
from tests.conftest import ROOT, database_text

DEMO = str(ROOT / "assets" / "demo_app.json")


def run(*args: str, env_db: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "CONSOLE_DATABASE_URL": env_db}
    env.pop("CONSOLE_MODE", None)
    return console_cli(args, env)


def test_validate_valid_file(db_url: str) -> None:
    out = run("validate", DEMO, "--json", env_db=db_url)
    assert out.returncode == 0 and json.loads(out.stdout) == {"valid": True, "issues": []}


def test_validate_invalid_file_exit_1_with_pointers(tmp_path: Path, db_url: str, demo_doc: dict) -> None:
    demo_doc["auth"]["request"]["url"] = "http://example.com/x?k={{app_token}}"
    demo_doc["auth"]["request"]["headers"].append("broken")
    path = tmp_path / "app.json"
    path.write_text(json.dumps(demo_doc))
    out = run("validate", str(path), "--json", env_db=db_url)
    assert out.returncode == 1
    body = json.loads(out.stdout)
    assert body["valid"] is False
    assert set(body["issues"][0]) == {"pointer", "severity", "code", "message"}
    codes = {(i["pointer"], i["code"], i["severity"]) for i in body["issues"]}
    assert ("/auth/request/headers/2", "header.malformed", "error") in codes
    assert ("/auth/request/url", "key.in_query", "warning") in codes
    human = run("validate", str(path), env_db=db_url)
    assert human.returncode == 1 and "INVALID" in human.stdout and "header.malformed" in human.stdout


@pytest.mark.parametrize(("content", "needle"), [
    (b'{"auth": \n  nope}', "line 2, column 3"),
    (b"\xff\xfe\x00binary", "binary"),
    (b"[]", "must be an object"),
])
def test_unreadable_input_exit_2_without_traceback(tmp_path: Path, db_url: str, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    out = run("validate", str(path), env_db=db_url)
    assert out.returncode == 2 and needle in out.stderr and "Traceback" not in out.stderr
    missing = run("fire", str(tmp_path / "nope.json"), env_db=db_url)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_bad_usage_exit_2(db_url: str) -> None:
    assert run("fire", DEMO, "--var", "novalue", env_db=db_url).returncode == 2
    assert run("fire", DEMO, "--timeout", "-1", env_db=db_url).returncode == 2
    out = run("frobnicate", env_db=db_url)
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_fire_ok_json_contract(db_url: str, sample: SampleEndpoint) -> None:
    key = keys.generate_app_key()
    out = run("fire", DEMO, "--url", sample.install_url("ok"), "--var", "workspace=acme", "page_id=77",
              "--app-key", key, "--json", env_db=db_url)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert {"ok", "status", "category", "elapsed_ms", "key_fingerprint", "request", "response"} <= set(body)
    assert body["ok"] is True and body["status"] == 200 and body["category"] == "ok"
    assert body["key_fingerprint"] == keys.fingerprint(key)
    assert set(body["request"]) == {"method", "url", "headers", "body"}
    assert set(body["response"]) == {"headers", "body", "truncated"}
    assert '"page_id":"77"' in body["request"]["body"] and '"workspace":"acme"' in body["request"]["body"]
    assert key not in out.stdout + out.stderr
    stored = database_text(db_url)
    assert key.encode() not in stored and keys.fingerprint(key).encode() in stored


def test_fire_failure_exit_1_with_diagnosis(db_url: str, sample: SampleEndpoint) -> None:
    out = run("fire", DEMO, "--url", sample.install_url("201"), "--var", "workspace=a", env_db=db_url)
    assert out.returncode == 1 and "ManyChat accepts only 200" in out.stdout and "Next step" in out.stdout
    timeout = run("fire", DEMO, "--url", sample.install_url("slow", 3), "--timeout", "1", "--json", env_db=db_url)
    assert timeout.returncode == 1 and json.loads(timeout.stdout)["category"] == "timeout"


def test_fire_fills_missing_params_with_a_note(db_url: str, sample: SampleEndpoint) -> None:
    out = run("fire", DEMO, "--url", sample.install_url("ok"), env_db=db_url)
    assert out.returncode == 0 and "workspace=sample-workspace" in out.stderr


def test_check_exit_codes(db_url: str, sample: SampleEndpoint, tmp_path: Path, demo_doc: dict) -> None:
    never_failed = run("check", DEMO, "--url", sample.install_url("ok"), env_db=db_url)
    # recovery never observed is shown as not provable, but it is required in no mode: READY with the reason
    assert never_failed.returncode == 0 and "READY" in never_failed.stdout
    assert "conformance.recover: A fire after a failed one succeeds (optional)" in never_failed.stdout
    assert "not provable" in never_failed.stdout
    ok = run("check", DEMO, "--url", sample.install_url("flaky", 1, series="cli-ready"), "--json", env_db=db_url)
    assert ok.returncode == 0, ok.stdout
    report = json.loads(ok.stdout)
    assert report["ready"] is True and {i["id"] for i in report["checklist"]} >= {"conformance.retry", "fire.p95"}
    failing = run("check", DEMO, "--url", sample.install_url("500"), env_db=db_url)
    assert failing.returncode == 1 and "NOT READY" in failing.stdout
    demo_doc["auth"]["request"]["url"] = "http://example.com/i"
    path = tmp_path / "http.json"
    path.write_text(json.dumps(demo_doc))
    unfired = run("check", str(path), env_db=db_url)  # validation only: the fires have not been run
    assert unfired.returncode == 1 and "NOT READY" in unfired.stdout and "not yet run" in unfired.stdout
    assert "--url" in unfired.stderr  # says how to run what is missing
    listing = run("check", str(path), "--for-listing", "--json", env_db=db_url)
    assert listing.returncode == 1
    statuses = {i["id"]: (i["status"], i["required"]) for i in json.loads(listing.stdout)["checklist"]}
    assert statuses["endpoint.https"] == ("fail", True)
    assert statuses["fire.latest_200"] == ("not_run", True)  # before any fire: not run, never "fail"


def test_sandbox_serve(db_url: str) -> None:
    import os

    process = subprocess.Popen([sys.executable, "-m", "console", "sandbox", "serve", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "CONSOLE_DATABASE_URL": db_url})
    try:
        line = process.stdout.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        out = run("fire", DEMO, "--url", base + "/install/ok", "--json", env_db=db_url)
        assert json.loads(out.stdout)["ok"] is True
        assert json.loads(out.stdout)["delivery"]["status"] == "proven"
    finally:
        process.terminate()
        process.wait(timeout=10)
