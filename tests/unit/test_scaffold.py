"""The scaffold command, the page_id warning, and the delivery receipt (fast: nothing is installed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console import keys, receipt
from console.fire.send import fire_install_request
from console.manifest.validate import validate_manifest
from console.scaffold.render import render_scaffold
from console.scaffold.spec import ScaffoldError, install_spec, pattern_of
from tests.cli_run import console_cli
from tests.conftest import IN_CI, ROOT
from tests.hostile import Conversation, _json_answer, hostile

REQUEST = {"url": "https://example.com/manychat/installed", "method": "POST",
           "headers": ["Content-Type: application/json", "Authorization: Bearer {{app_token}}"],
           "payload": {"app_token": "{{app_token}}", "page_id": "{{page_id}}"}}


def app(request: dict[str, Any] | None = REQUEST) -> dict[str, Any]:
    auth: dict[str, Any] = {"type": "APIKEY", "params": []}
    if request is not None:
        auth["request"] = request
    return {"auth": auth, "actions": []}


def scaffold_cli(tmp_path: Path, document: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "app.json"
    file.write_text(json.dumps(document), "utf-8")
    return console_cli(["scaffold", str(file), *args], dict(os.environ))


def test_json_lists_the_project(tmp_path: Path) -> None:
    done = scaffold_cli(tmp_path, app(), "--lang", "python", "--out", str(tmp_path / "out"), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"lang", "dir", "files", "install", "run", "path"} <= set(result)
    assert result["path"] == "/manychat/installed" and "$PORT" in result["run"] or "${PORT" in result["run"]
    assert "127.0.0.1" in result["run"]
    for name in result["files"]:
        assert (tmp_path / "out" / name).is_file()
    assert {"README.md", "requirements.txt", "tests/test_install.py"} <= set(result["files"])
    pins = (tmp_path / "out" / "requirements.txt").read_text("utf-8").split()
    assert pins and all(re.fullmatch(r"[a-z0-9\-]+==[\d.]+", pin) for pin in pins)


@pytest.mark.parametrize("document, args, message", [
    (app(None), ("--lang", "python"), "manual delivery"),
    (app(), ("--lang", "ruby"), "unknown language"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, document: dict[str, Any], args: tuple[str, ...],
                                              message: str) -> None:
    done = scaffold_cli(tmp_path, document, *args, "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_non_empty_directory_needs_force_and_force_keeps_the_data(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    (out / "data" / "installations.sqlite3").write_bytes(b"keep me")
    (out / "app.py").write_text("mine", "utf-8")
    done = scaffold_cli(tmp_path, app(), "--lang", "node", "--out", str(out))
    assert done.returncode == 2 and "--force" in done.stderr
    assert (out / "app.py").read_text("utf-8") == "mine" and not (out / "package.json").exists()
    done = scaffold_cli(tmp_path, app(), "--lang", "node", "--out", str(out), "--force")
    assert done.returncode == 0, done.stderr
    assert (out / "package.json").is_file() and (out / "data" / "installations.sqlite3").read_bytes() == b"keep me"


def test_without_page_id_validate_and_scaffold_warn(tmp_path: Path) -> None:
    request = {**REQUEST, "payload": {"app_token": "{{app_token}}"}}
    issues = validate_manifest(app(request)).by_code("request.no_page_id")
    assert [(i.pointer, i.severity) for i in issues] == [("/auth/request", "warning")]
    assert '"page_id": "{{page_id}}"' in issues[0].hint
    done = scaffold_cli(tmp_path, app(request), "--lang", "python", "--out", str(tmp_path / "out"), "--json")
    assert done.returncode == 0 and "warning:" in done.stderr and "page_id" in done.stderr
    assert json.loads(done.stdout)["warnings"]
    assert not validate_manifest(app({**REQUEST, "headers": ["x-page: {{page_id}}", "x-key: {{app_token}}"],
                                      "payload": {}})).by_code("request.no_page_id")


def test_a_new_app_sends_page_id_so_it_gets_no_warning_and_its_endpoint_tells_installations_apart() -> None:
    from console.manifest.document import new_manifest

    fresh = new_manifest()
    assert fresh["auth"]["request"]["payload"] == {"app_token": "{{app_token}}", "page_id": "{{page_id}}"}
    assert not validate_manifest(fresh).by_code("request.no_page_id")
    fresh["auth"]["request"]["url"] = "https://example.com/installed"
    assert not render_scaffold(fresh, "python", "fresh").warnings


def test_the_key_is_read_exactly_where_the_manifest_puts_it() -> None:
    spec = install_spec(app())
    assert spec.places("app_token") == ["header authorization", "payload /app_token"]
    assert spec.places("page_id") == ["payload /page_id"]
    pattern, names = pattern_of("Bearer {{app_token}}")
    assert names == ("app_token",)
    assert re.match(pattern, "Bearer abc").group(1) == "abc"  # type: ignore[union-attr]
    assert re.match(pattern, "Basic abc") is None
    form = install_spec(app({**REQUEST, "headers": [], "payload": "token={{app_token}}&page=[[page_id]]"}))
    assert [(f.where, f.variables) for f in form.fields] == [("body", ("app_token", "page_id"))]


def test_a_manifest_the_scaffold_cannot_route_is_refused_with_a_fix() -> None:
    with pytest.raises(ScaffoldError, match="whole segments"):
        install_spec(app({**REQUEST, "url": "https://example.com/x-{{page_id}}/install"}))
    routed = install_spec(app({**REQUEST, "url": "https://example.com/install/{{page_id}}"}))
    assert routed.path == "/install/{page_id}"


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, value=TEXT, trigger=TEXT, segment=TEXT)
def test_hostile_values_stay_literals_in_generated_python(name: str, value: str, trigger: str, segment: str) -> None:
    document = app({"url": "https://example.com/" + segment.replace("{", "").replace("[", ""), "method": "POST",
                    "headers": ["x-key: {{app_token}}"],
                    "payload": {name or "k": value + "{{page_id}}", "t": "{{app_token}}"}})
    document["triggers"] = [{"name": trigger, "title": "t", "description": "d", "context": []}]
    try:
        scaffold = render_scaffold(document, "python")
    except ScaffoldError:
        return
    namespace: dict[str, Any] = {}
    for file in scaffold.files:
        if file.path.endswith(".py"):
            compile(file.text, file.path, "exec")
        if file.path == "install_spec.py":
            exec(compile(file.text, file.path, "exec"), namespace)  # noqa: S102 - our own generated literals
    assert namespace["REQUEST"] == document["auth"]["request"] and namespace["TRIGGERS"] == [trigger]


def test_hostile_values_stay_literals_in_generated_javascript(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        if IN_CI:
            pytest.fail("node is not installed (under CI=true the generated Node code must be checked)")
        pytest.skip("node is not installed")
    nasty = "'\"`${x}\u2028\u2029</script>*/ //\n\\"
    document = app({**REQUEST, "payload": {nasty: nasty + "{{app_token}}", "page_id": "{{page_id}}"}})
    document["triggers"] = [{"name": nasty, "title": "t", "description": "d", "context": []}]
    for file in render_scaffold(document, "node").files:
        (tmp_path / file.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file.path).write_text(file.text, "utf-8")
    read = subprocess.run(["node", "-e", "const s = require('./src/installSpec'); console.log(JSON.stringify("
                           "[s.REQUEST, s.TRIGGERS]))"], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout) == [document["auth"]["request"], [nasty]]
    for file in ("src/app.js", "src/delivery.js", "server.js", "test/install.test.js"):
        checked = subprocess.run(["node", "--check", file], cwd=tmp_path, capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, (file, checked.stderr)


def receipt_server(fingerprint_of: str | None = None):  # noqa: ANN201 - a hostile behaviour
    """An endpoint answering 200 with a receipt of the key in its header (or of another key)."""
    def behave(talk: Conversation) -> None:
        key = talk.request.header("authorization").removeprefix("Bearer ")
        body = json.loads(talk.request.body)
        found = receipt.build_receipt({"authorization": fingerprint_of or key}, {"/app_token": body["app_token"]})
        talk.send(_json_answer({"status": "ok", **found}))
    return behave


def test_an_endpoint_answering_with_a_receipt_is_proven_and_a_wrong_one_is_a_mismatch() -> None:
    with hostile(receipt_server()) as server:
        result = fire_install_request(REQUEST, url=server.url + "/install")
    assert result.ok and result.delivery is not None
    assert result.delivery.status == "proven"
    assert set(result.delivery.received) == {"header authorization", "payload /app_token"}
    with hostile(receipt_server(fingerprint_of=keys.generate_app_key())) as server:
        result = fire_install_request(REQUEST, url=server.url + "/install")
    assert result.delivery is not None and result.delivery.status == "mismatch"
    assert result.delivery.received == ("payload /app_token",)


def test_the_receipt_round_trips_and_never_holds_the_key() -> None:
    key = keys.generate_app_key()
    text = json.dumps(receipt.build_receipt({"X-Token": key}, {"/app_token": key}))
    assert not keys.holds_key(text, key)
    parsed = receipt.parse_receipt(text)
    assert parsed is not None and parsed.headers == {"x-token": keys.fingerprint(key)}
    assert parsed.payload == {"/app_token": keys.fingerprint(key)} and parsed.source == "receipt"
    for junk in ("", "[]", '{"app_key_receipt": {"version": 2}}', '{"app_key_receipt": []}', "{" * 10_000):
        assert receipt.parse_receipt(junk) is None


def test_every_template_is_tracked_so_a_fresh_clone_finds_it() -> None:
    templates = ROOT / "console" / "scaffold" / "templates"
    on_disk = {str(p.relative_to(ROOT)) for p in templates.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", str(templates)],
                             cwd=ROOT, capture_output=True, text=True, timeout=30)
    if tracked.returncode:
        pytest.skip("not a git checkout")
    assert on_disk and on_disk <= set(tracked.stdout.split()), "a template is ignored by git"


@pytest.mark.parametrize("lang", ["python", "node"])
def test_generated_python_is_lint_clean(tmp_path: Path, lang: str) -> None:
    for file in render_scaffold(app(), lang).files:
        (tmp_path / file.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file.path).write_text(file.text, "utf-8")
    if lang == "python":
        done = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP",
                               "--line-length", "120", "--target-version", "py311", "."],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout
    else:
        package = json.loads((tmp_path / "package.json").read_text("utf-8"))
        assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in package["dependencies"].values())  # pinned
