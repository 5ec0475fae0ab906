"""The sandbox commands, and two console processes on one database seeing one state."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from console import keys
from console.sandbox.api import SandboxServer
from console.sandbox.sample_endpoint import SampleEndpoint
from console.store import Store
from tests.cli_run import console_cli
from tests.conftest import ROOT

UNINSTALLED = b'{"status": "exception","message": "Something went wrong"}'
WRONG_TOKEN = b'{"status": "error","message": "Wrong access token"}'


def cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONSOLE_DATABASE_URL": db}
    return console_cli(args, env)


def cli_json(*args: str, db: str, code: int = 0) -> dict[str, Any]:
    out = cli(*args, "--json", db=db)
    assert out.returncode == code, out.stderr
    return json.loads(out.stdout)


def app_file(tmp_path: Path, demo_doc: dict, name: str) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(demo_doc), "utf-8")
    return str(path)


def get(base: str, key: str, path: str) -> requests.Response:
    return requests.get(base + path, headers={"Authorization": f"Bearer {key}"}, timeout=10)


def test_two_console_processes_on_one_database(db_url: str, store: Store, tmp_path: Path, demo_doc: dict) -> None:
    process = subprocess.Popen([sys.executable, "-m", "console", "sandbox", "serve", "--port", "0",
                                "--sample-port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "CONSOLE_DATABASE_URL": db_url})
    mine = SandboxServer(store).start()
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("ManyChat API sandbox on" in line for line in lines):
            lines.append(process.stdout.readline())
        sample_base = re.search(r"http://127\.0\.0\.1:\d+", lines[0]).group(0)  # type: ignore[union-attr]
        theirs = re.search(r"ManyChat API sandbox on (http://127\.0\.0\.1:\d+)", lines[-1]).group(1)  # type: ignore[union-attr]

        installed = cli_json("sandbox", "install", app_file(tmp_path, demo_doc, "two-procs"), "--page-id", "100",
                             "--scope", "/fb/page/getInfo", "/fb/page/getTags", "--scope", "/fb/page/createTag",
                             "--url", sample_base + "/install/ok", db=db_url)
        assert set(installed) == {"installation_id", "app_key", "key_fingerprint", "delivery"}
        key = installed["app_key"]
        assert installed["key_fingerprint"] == keys.fingerprint(key)
        assert installed["delivery"]["ok"] is True and installed["delivery"]["status"] == 200
        assert installed["delivery"]["delivery"]["status"] == "proven"  # the served sample endpoint got this key
        assert key not in json.dumps(installed["delivery"])

        assert get(theirs, key, "/fb/page/getInfo").status_code == 200
        assert get(mine.base_url, key, "/fb/page/getInfo").status_code == 200
        made = requests.post(theirs + "/fb/page/createTag", json={"name": "shared"}, timeout=10,
                             headers={"Authorization": f"Bearer {key}"}).json()["data"]["tag"]
        assert made in get(mine.base_url, key, "/fb/page/getTags").json()["data"]  # one state
        assert get(mine.base_url, key, "/fb/page/getFlows").content == WRONG_TOKEN

        gone = cli_json("sandbox", "uninstall", str(installed["installation_id"]), db=db_url)
        assert gone["status"] == "uninstalled"
        for base in (theirs, mine.base_url):
            answer = get(base, key, "/fb/page/getInfo")
            assert (answer.status_code, answer.content) == (500, UNINSTALLED)

        log = cli_json("sandbox", "log", db=db_url)["calls"]
        assert len(log) == 7 and {c["key_fingerprint"] for c in log} == {keys.fingerprint(key)}
        assert [c["status"] for c in reversed(log)] == [200, 200, 200, 200, 401, 500, 500]
        assert {c["installation_id"] for c in log} == {installed["installation_id"]}
        assert key not in cli("sandbox", "log", db=db_url).stdout
    finally:
        mine.stop()
        process.terminate()
        process.wait(timeout=10)


def test_cli_rescope_dev_and_public_review(db_url: str, sample: SampleEndpoint, tmp_path: Path,
                                           demo_doc: dict) -> None:
    url = sample.install_url("ok")
    dev = cli_json("sandbox", "install", app_file(tmp_path, demo_doc, "dev-app"), "--page-id", "1", "--scope",
                   "/fb/page/getInfo", "--url", url, db=db_url)
    changed = cli_json("sandbox", "rescope", str(dev["installation_id"]), "--scope", "/fb/page/getInfo",
                       "/fb/page/getTags", db=db_url)
    assert changed["review_state"] == "live" and changed["live_scopes"] == ["/fb/page/getInfo", "/fb/page/getTags"]
    [row] = changed["installations"]
    assert row["delivery"] == "delivered" and row["status"] == 200 and row["key_fingerprint"] != dev["key_fingerprint"]
    assert sample.received()[-1]["payload"]["/app_token"] == row["key_fingerprint"]  # the new key arrived

    public = cli_json("sandbox", "install", app_file(tmp_path, demo_doc, "public-app"), "--page-id", "2", "--scope",
                      "/fb/page/getInfo", "--kind", "public", "--url", url, db=db_url)
    ident = str(public["installation_id"])
    review = cli_json("sandbox", "rescope", ident, "--scope", "/fb/page/getInfo", "/fb/page/getFlows", db=db_url)
    assert review["review_state"] == "in_review" and review["live_scopes"] == ["/fb/page/getInfo"]
    assert review["installations"] == []
    received = len(sample.received())
    rejected = cli_json("sandbox", "reject", ident, db=db_url)
    assert rejected["review_state"] == "rejected" and rejected["installations"] == []
    assert len(sample.received()) == received
    cli_json("sandbox", "rescope", ident, "--scope", "/fb/page/getInfo", "/fb/page/getFlows", db=db_url)
    approved = cli_json("sandbox", "approve", ident, db=db_url)
    assert approved["review_state"] == "live" and approved["live_scopes"] == ["/fb/page/getInfo", "/fb/page/getFlows"]
    assert approved["installations"][0]["delivery"] == "delivered"
    assert sample.received()[-1]["payload"]["/app_token"] == approved["installations"][0]["key_fingerprint"]


def test_cli_failed_delivery_exits_1(db_url: str, sample: SampleEndpoint, tmp_path: Path, demo_doc: dict) -> None:
    out = cli_json("sandbox", "install", app_file(tmp_path, demo_doc, "failing"), "--page-id", "9", "--scope",
                   "/fb/page/getInfo", "--url", sample.install_url("500"), db=db_url, code=1)
    assert out["delivery"]["ok"] is False and out["delivery"]["status"] == 500


@pytest.mark.parametrize(("args", "message"), [
    (["install", "APP", "--page-id", "1", "--scope", "/fb/nope"], "Unknown scope(s): /fb/nope"),
    (["install", "APP", "--page-id", "x1", "--scope", "/fb/page/getInfo"], "numeric id"),
    (["uninstall", "999"], "no installation #999"),
    (["rescope", "999", "--scope", "/fb/page/getInfo"], "no installation #999"),
    (["approve", "999"], "no installation #999"),
    (["log", "--limit", "0"], "--limit 0"),
    (["serve", "--port", "70000"], "--port 70000"),
])
def test_cli_bad_usage_exits_2_with_a_message(db_url: str, tmp_path: Path, demo_doc: dict, args: list[str],
                                              message: str) -> None:
    args = [app_file(tmp_path, demo_doc, "bad") if a == "APP" else a for a in args]
    out = cli("sandbox", *args, db=db_url)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_cli_install_twice_and_review_without_change(db_url: str, sample: SampleEndpoint, tmp_path: Path,
                                                      demo_doc: dict) -> None:
    path = app_file(tmp_path, demo_doc, "twice")
    first = cli_json("sandbox", "install", path, "--page-id", "5", "--scope", "/fb/page/getInfo", "--url",
                     sample.install_url("ok"), db=db_url)
    again = cli("sandbox", "install", path, "--page-id", "5", "--scope", "/fb/page/getInfo", db=db_url)
    assert again.returncode == 2 and "already installed on page 5" in again.stderr
    other = cli("sandbox", "install", path, "--page-id", "6", "--scope", "/fb/page/getTags", db=db_url)
    assert other.returncode == 2 and "sandbox rescope" in other.stderr
    review = cli("sandbox", "approve", str(first["installation_id"]), db=db_url)
    assert review.returncode == 2 and "no review to approve" in review.stderr
