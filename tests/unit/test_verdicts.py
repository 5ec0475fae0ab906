"""Verdicts a team can trust: no leaked key, no false READY, one set of request rules, no crash.

Every finding of issue 9 reproduced for real (CLI subprocesses, loopback servers, a real
database) and fixed.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from console import keys
from console.fire.prepare import FireContext
from console.fire.send import fire_install_request
from console.manifest.document import ManifestError, read_manifest
from console.manifest.validate import validate_manifest
from console.sandbox.sample_endpoint import SampleEndpoint
from tests import hostile
from tests.cli_run import console_cli
from tests.conftest import ROOT, database_text


def run(*args: str, db: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "CONSOLE_DATABASE_URL": db, **(env or {})}
    if "CONSOLE_MODE" not in (env or {}):
        environ.pop("CONSOLE_MODE", None)
    return console_cli(args, environ)


def write(tmp_path: Path, doc: dict[str, Any], name: str = "app.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def forms_of(key: str) -> list[str]:
    """The key as it may travel: raw, JSON-escaped, URL-encoded, base64 standard and URL-safe."""
    raw = key.encode()
    return [key, json.dumps(key)[1:-1], quote(key, safe=""), base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode().rstrip("=")]


def assert_no_key(text: str | bytes, key: str) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    for form in forms_of(key):
        assert form not in text, f"the key leaked as {form!r}"
    assert not keys.holds_key(text, key)


# ---------------------------------------------------------------- the key in plain text

KEY = "k3y-" + "9f" * 20 + "-end"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:99999/i?k={{app_token}}",
    "http://127.0.0.1:65536/i?k={{app_token}}",
    "http:///x?k={{app_token}}",
    "http://u:{{app_token}}@[::1/",
    "http://{{app_token}}.invalid/",
    "https://[{{app_token}}/install",
])
def test_no_message_of_a_failed_fire_quotes_the_key(tmp_path: Path, sqlite_url: str, demo_doc: dict,
                                                     url: str) -> None:
    demo_doc["auth"]["request"]["url"] = url
    out = run("fire", write(tmp_path, demo_doc), "--app-key", KEY, "--json", "--var", "workspace=a",
              db=sqlite_url)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    result = json.loads(out.stdout)
    assert result["category"] in ("invalid_request", "dns")
    assert_no_key(out.stdout + out.stderr, KEY)
    assert_no_key(database_text(sqlite_url), KEY)
    human = run("fire", write(tmp_path, demo_doc), "--app-key", KEY, "--var", "workspace=a", db=sqlite_url)
    assert_no_key(human.stdout + human.stderr, KEY)


def test_a_key_with_quotes_and_backslashes_is_masked_in_the_json_body(tmp_path: Path, sqlite_url: str,
                                                                      demo_doc: dict) -> None:
    key = 'abc"def\\ghi' + "7" * 30
    with hostile.hostile(hostile.base64_echo()) as server:
        out = run("fire", write(tmp_path, demo_doc), "--url", server.url + "/install", "--app-key", key,
                  "--json", "--var", "workspace=a", db=sqlite_url)
        received = server.requests[0].body.decode()
    assert json.loads(received)["app_token"] == key  # the endpoint got the real key...
    assert out.returncode == 0, out.stderr
    assert_no_key(out.stdout, key)  # ...but the output holds no form of it
    assert_no_key(database_text(sqlite_url), key)


def test_every_text_of_a_leaking_fire_holds_no_form_of_the_key(db_url: str, demo_doc: dict) -> None:
    """A fire at an endpoint that echoes the key every way it can: the CLI JSON, the stored fire
    (the whole database), the report and the History page text hold no form of it."""
    from streamlit.testing.v1 import AppTest

    from console import service
    from console.netpolicy import AddressPolicy
    from console.profile import AppProfile
    from console.report import build_report, render_html, render_json, render_markdown
    from console.service import apps, firing, readiness

    store = service.open_console_store(db_url)
    try:
        app = apps.create_app(store, AppProfile("Leaky", "77"), demo_doc)
        key = keys.generate_app_key()
        for behaviour in (hostile.base64_echo(), hostile.key_in_location_and_header_name()):
            with hostile.hostile(behaviour) as server:
                doc = copy.deepcopy(demo_doc)
                doc["auth"]["request"]["url"] = server.url + "/install?k={{app_token}}"
                app = apps.save_manifest(store, app.id, doc)
                outcome = firing.fire_for_app(store, app, "http://127.0.0.1:9", AddressPolicy(),
                                               app_key=key)
            assert_no_key(json.dumps(outcome.result.to_dict()), key)
            assert_no_key(outcome.result.message + " ".join(e for _, e in outcome.result.timeline), key)
        assert_no_key(database_text(db_url), key)
        check = readiness.readiness(store, app, "endpoint", for_listing=True)
        report = build_report(apps.profile_of(app), app.scopes, app.manifest, check.items, target="x",
                              for_listing=True)
        for text in (render_json(report), render_markdown(report), render_html(report)):
            assert_no_key(text, key)
        fire_id = outcome.record.id
    finally:
        store.close()
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.switch_page("pages/6_History.py")
    at.query_params["fire"] = str(fire_id)
    at.run()
    assert not at.exception
    shown = json.dumps([[getattr(e, "value", "") for e in at.get(kind)] for kind in
                        ("markdown", "caption", "text", "code", "error", "warning", "info", "success")],
                       default=str)
    assert "Location" in shown or "redirect" in shown
    assert_no_key(shown, key)


# ---------------------------------------------------------------- verdicts that lie


def test_a_key_only_in_the_url_dropped_by_the_override_url_is_a_failure(tmp_path: Path, sqlite_url: str,
                                                                       demo_doc: dict,
                                                                       sample: SampleEndpoint) -> None:
    request = demo_doc["auth"]["request"]
    request["url"] = "https://example.com/i?token={{app_token}}"
    request["headers"] = ["Content-Type: application/json"]
    request["payload"] = {"page": "{{page_id}}"}
    path = write(tmp_path, demo_doc)
    out = run("fire", path, "--url", sample.install_url("ok"), "--json", "--var", "workspace=a", db=sqlite_url)
    result = json.loads(out.stdout)
    assert result["delivery"]["status"] == "missing" and result["delivery"]["received"] == []
    assert "auth.request.url" in result["delivery"]["message"] and "dropped" in result["delivery"]["message"]
    assert out.returncode == 1
    check = run("check", path, "--for-listing", "--url", sample.install_url("ok"), "--json", "--var",
                "workspace=a", db=sqlite_url)
    report = json.loads(check.stdout)
    assert check.returncode == 1 and report["ready"] is False
    delivery = next(i for i in report["checklist"] if i["id"] == "delivery.proven")
    assert delivery["status"] == "fail" and delivery["required"]


def test_https_is_judged_on_the_url_fired(tmp_path: Path, sqlite_url: str, demo_doc: dict) -> None:
    with hostile.hostile(hostile.status(200)) as server:
        out = run("check", write(tmp_path, demo_doc), "--for-listing", "--url", server.url + "/", "--json",
                  "--var", "workspace=a", db=sqlite_url)
    report = json.loads(out.stdout)
    https = next(i for i in report["checklist"] if i["id"] == "endpoint.https")
    assert https["status"] == "fail" and server.url in https["why"]
    assert out.returncode == 1 and report["ready"] is False


def test_the_cli_records_the_target_kind_honestly(tmp_path: Path, sqlite_url: str, demo_doc: dict,
                                                  sample: SampleEndpoint) -> None:
    import sqlalchemy as sa

    path = write(tmp_path, demo_doc)
    run("fire", path, "--url", sample.install_url("ok"), "--var", "workspace=a", db=sqlite_url)
    with hostile.hostile(hostile.status(200)) as server:  # looks like the sample's path, is not the sample
        run("fire", path, "--url", server.url + "/install/ok", "--var", "workspace=a", db=sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        kinds = [row[0] for row in conn.execute(sa.text("SELECT target_kind FROM fires ORDER BY id"))]
    engine.dispose()
    assert kinds == ["sample", "endpoint"]


def test_check_with_an_unwritable_database_is_exit_2_never_ready(tmp_path: Path, demo_doc: dict) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    db = f"sqlite:///{blocker / 'console.db'}"
    with hostile.hostile(hostile.status(500)) as server:
        out = run("check", write(tmp_path, demo_doc), "--url", server.url + "/i", "--var", "workspace=a", db=db)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "READY" not in out.stdout and "could not store the fires" in out.stderr
    assert "Traceback" not in out.stderr


# ---------------------------------------------------------------- one set of request rules


@pytest.mark.parametrize(("change", "code", "needle"), [
    ({"method": "TRACE"}, "method.invalid", "TRACE"),
    ({"url": "https://example.com/in stall"}, "url.whitespace", "space"),
    ({"url": "https://[example.com/install"}, "url.invalid", "cannot be parsed"),
    ({"url": "A://[]"}, "url.invalid", "cannot be parsed"),
    ({"url": "https://example.com:99999/i"}, "url.port", "port"),
    ({"headers": ["X-Name: caf\u20ac"]}, "header.unsendable", "X-Name"),
    ({"headers": ["X-Name: a\x00b"]}, "header.unsendable", "NUL"),
    ({"headers": ["X-Name: a\x85b"]}, "header.unsendable", "NEL"),
    ({"headers": ["X-Name: a\u2028b"]}, "header.unsendable", "U+2028"),
])
def test_validate_and_fire_apply_the_same_rules(demo_doc: dict, sample: SampleEndpoint, change: dict,
                                                code: str, needle: str) -> None:
    request = demo_doc["auth"]["request"]
    if "headers" in change:
        request["headers"] = request["headers"] + change["headers"]
    else:
        request.update(change)
    report = validate_manifest(demo_doc)
    found = report.by_code(code)
    assert found and found[0].severity == "error" and needle in found[0].message, report.issues
    result = fire_install_request(request, FireContext(params={"workspace": "a"}))
    assert result.category == "invalid_request" and needle in result.message, result.message
    assert sample.received() == []
    if "headers" in change:
        assert "/auth/request/headers/2" in result.message and found[0].pointer == "/auth/request/headers/2"


def test_a_param_value_that_cannot_be_sent_in_a_header_names_the_header(demo_doc: dict,
                                                                        sample: SampleEndpoint) -> None:
    request = demo_doc["auth"]["request"]
    request["headers"].append("x-workspace: [[workspace]]")
    assert validate_manifest(demo_doc).valid
    for value in ("caf\u20ac", "a\u2028b", "a\x00b", "a\x85b"):
        result = fire_install_request(request, FireContext(params={"workspace": value}),
                                      url=sample.install_url("ok"))
        assert result.category == "invalid_request"
        assert "x-workspace" in result.message and "/auth/request/headers/2" in result.message
        assert "codec" not in result.message
    assert sample.received() == []


_VALID_DOC = (Path(__file__).resolve().parent.parent / "corpus" / "quickstart_server_side.json").read_text("utf-8")


@pytest.mark.parametrize(("text", "pointer", "code", "severity"), [
    ('{"auth": {"request": {"payload": {"n": NaN}}}, "actions": []}', "/auth/request/payload/n",
     "json.not_a_number", "error"),
    ('{"auth": {"request": {"payload": {"n": Infinity}}}, "actions": []}', "/auth/request/payload/n",
     "json.not_a_number", "error"),
    ('{"auth": {"request": {"payload": {"n": [1e999]}}}, "actions": []}', "/auth/request/payload/n/0",
     "json.not_a_number", "error"),
    (_VALID_DOC.replace('"type": "APIKEY",', '"type": "APIKEY", "type": "APIKEY",', 1), "/auth/type",
     "json.duplicate_key", "warning"),  # an otherwise valid document: a duplicate key alone does not fail
])
def test_values_that_are_not_json_are_findings_with_a_pointer(tmp_path: Path, sqlite_url: str, text: str,
                                                              pointer: str, code: str, severity: str) -> None:
    path = tmp_path / "app.json"
    path.write_text(text)
    out = run("validate", str(path), "--json", db=sqlite_url)
    issues = json.loads(out.stdout)["issues"]
    assert {"pointer": pointer, "code": code, "severity": severity} in [
        {k: i[k] for k in ("pointer", "code", "severity")} for i in issues]
    assert out.returncode == (1 if severity == "error" else 0)
    if severity == "error":
        fired = run("fire", str(path), "--url", "http://127.0.0.1:9/", db=sqlite_url)
        assert fired.returncode == 2 and pointer in fired.stderr  # nothing sent


# ---------------------------------------------------------------- crashes


@pytest.mark.parametrize(("content", "needle"), [
    ("[" * 100_000, "nested"),
    ('{"auth": {"request": {"payload": ' + "[" * 500 + "]" * 500 + "}}}", "nested"),
    ('{"auth": {"n": ' + "7" * 5000 + "}}", "5000 digits"),
    ('{"a": 1}'.encode("utf-16"), "UTF-16"),
])
def test_hostile_files_get_a_clear_message(tmp_path: Path, sqlite_url: str, content: str | bytes,
                                           needle: str) -> None:
    path = tmp_path / "app.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for command in ("validate", "fire", "check"):
        out = run(command, str(path), db=sqlite_url)
        assert out.returncode in (1, 2) and "Traceback" not in out.stderr, out.stderr
        assert "unexpected failure" not in out.stderr
        assert needle in out.stderr + out.stdout, (command, out.stdout, out.stderr)


def test_only_regular_files_are_read(tmp_path: Path, sqlite_url: str) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        out = run("validate", path, db=sqlite_url)
        assert out.returncode == 2 and "not a regular file" in out.stderr


def test_bad_urls_are_findings_everywhere(tmp_path: Path, sqlite_url: str, demo_doc: dict) -> None:
    demo_doc["auth"]["request"]["url"] = "https://[example.com/install"
    path = write(tmp_path, demo_doc)
    validate = run("validate", path, "--json", db=sqlite_url)
    assert validate.returncode == 1 and "url.invalid" in validate.stdout
    check = run("check", path, "--json", db=sqlite_url)
    assert check.returncode == 1 and json.loads(check.stdout)["ready"] is False
    fired = run("fire", path, "--json", "--var", "workspace=a", db=sqlite_url)
    assert fired.returncode == 1 and json.loads(fired.stdout)["category"] == "invalid_request"
    for out in (validate, check, fired):
        assert "unexpected failure" not in out.stderr and "Traceback" not in out.stderr


def test_a_param_whose_name_is_a_list_does_not_crash_the_auth_builder(demo_doc: dict) -> None:
    from console.manifest.auth_form import apply_auth_form, auth_form_from

    demo_doc["auth"]["params"].append({"name": ["a", "b"], "title": {"x": 1}})
    form = auth_form_from(demo_doc)
    updated, issues = apply_auth_form(demo_doc, form)
    assert issues == [] and isinstance(updated["auth"]["params"], list)


def test_parse_keeps_its_contract_for_callers() -> None:
    with pytest.raises(ManifestError, match="/auth/x"):
        from console.manifest.document import parse_manifest

        parse_manifest('{"auth": {"x": NaN}}')
    parsed = read_manifest('{"a": 1, "a": 2}')
    assert parsed.document == {"a": 2} and parsed.findings[0].code == "json.duplicate_key"


# ---------------------------------------------------------------- team mode


@pytest.mark.parametrize("mode", ["teams", "strict", "production", "team,"])
def test_an_unknown_console_mode_refuses_to_start(tmp_path: Path, sqlite_url: str, mode: str) -> None:
    out = run("validate", str(ROOT / "assets" / "demo_app.json"), db=sqlite_url, env={"CONSOLE_MODE": mode})
    assert out.returncode == 2 and "CONSOLE_MODE" in out.stderr and "local, team" in out.stderr


def test_the_markdown_report_escapes_what_an_app_json_or_endpoint_controls(demo_doc: dict) -> None:
    from console.profile import AppProfile
    from console.readiness import ReadinessInput, evaluate_checklist
    from console.report import build_report, render_markdown

    demo_doc["auth"]["request"]["url"] = "https://x.example/i ![p](http://127.0.0.1:1/p.png) <img src=x>"
    demo_doc["auth"]["request"]["payload"]["note"] = "```\n# injected heading"
    items = evaluate_checklist(ReadinessInput(demo_doc, (), "endpoint", [], [], True))
    report = build_report(AppProfile("<script>alert(1)</script> [Click](http://e/)", "42"), (), demo_doc, items,
                          target="https://e/ | <b>x</b>", for_listing=True)
    text = render_markdown(report)
    before_auth = text.split("## auth section")[0]
    import re

    assert not re.search(r"(?<!\\)<(script|img|b)\b", before_auth)  # every tag escaped
    assert not re.search(r"(?<!\\)\]\(|(?<!\\)!(?<!\\)\[", before_auth)  # no live link or image
    assert "\\<script\\>" in text  # shown, escaped
    fence = text.split("## auth section\n")[1].split("json\n")[0]
    assert len(fence) > 3 and set(fence) == {"`"}  # the fence is longer than any run of backticks inside
