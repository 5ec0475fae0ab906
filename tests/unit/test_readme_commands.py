"""The README's command table is a contract: every row is run here and its JSON fields checked.

As sqlite-utils does for its documentation, the table is read from README.md itself, so a field the
table promises and a command stops printing (or a command the CLI gains without a row) fails here.
Every write the commands make is attributed to `cli` in the shared database.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from console.sandbox.sample_endpoint import SampleEndpoint
from console.store import open_store
from tests.cli_run import console_cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
TOKEN = re.compile(r"`([a-z_]+)(\[\]|\{[a-z_,]+\})?`")


def readme_rows() -> dict[str, str]:
    """The command table: its first column's command (words before the first option/argument) → its fields."""
    rows: dict[str, str] = {}
    table = README.split("| command | JSON fields |", 1)[1].split("\n\n", 1)[0]
    for line in table.splitlines():
        match = re.match(r"\|\s*`([^`]+)`(?:\s*/\s*`[^`]+`)?\s*\|(.*)\|\s*$", line)
        if not match:
            continue
        words = [w for w in match.group(1).split() if re.fullmatch(r"[a-z][a-z-]*", w)]
        name = " ".join(words[:2]) if words[0] in ("sandbox", "demo", "db", "team", "action") else words[0]
        if "--require-signoff" in match.group(1):
            name = "check --require-signoff"
        rows[name] = match.group(2)
        second = re.search(r"/\s*`([^`]+)`", line.split("|")[1])
        if second:
            other = second.group(1).split()
            rows[" ".join(other[:2])] = match.group(2)
    return rows


def promised_fields(description: str, rows: dict[str, str]) -> tuple[list[str], dict[str, list[str]]]:
    """Top-level fields and, for `list[]` of … / `obj{a,b}`, the keys of their items."""
    same_as = re.match(r"\s*as `([a-z ]+)`", description)
    if same_as:
        description = next(v for k, v in rows.items() if k.endswith(same_as.group(1)))
    text_only = re.sub(r"\([^()]*\)", "", re.sub(r"\([^()]*\([^()]*\)[^()]*\)", "", description))
    first = re.split(r"\.\s|;", text_only)[0]
    top: list[str] = []
    nested: dict[str, list[str]] = {}
    head, _, items = first.partition("[]` of ")
    for name, suffix in TOKEN.findall(head + ("[]`" if items else "")):
        top.append(name)
        if suffix.startswith("{"):
            nested[name] = suffix[1:-1].split(",")
    if items:
        nested[top[-1]] = [name for name, _ in TOKEN.findall(items)]
    return top, nested


def test_the_table_parser_reads_nested_fields() -> None:
    rows = readme_rows()
    top, nested = promised_fields(rows["sandbox rescope"], rows)
    assert top == ["app", "review_state", "live_scopes", "saved_scopes", "message", "installations"]
    assert nested["installations"][:3] == ["installation_id", "page_id", "key_fingerprint"]
    top, nested = promised_fields(rows["fire"], rows)
    assert "request" in top and nested["request"] == ["method", "url", "headers", "body"]


def run(db: str, *args: str, code: int | tuple[int, ...] = 0) -> dict[str, Any]:
    env = {**os.environ, "CONSOLE_DATABASE_URL": db}
    out = console_cli([*args, "--json"], env)
    codes = (code,) if isinstance(code, int) else code
    assert out.returncode in codes, f"{args}: exit {out.returncode}: {out.stderr}"
    assert "Traceback" not in out.stderr
    return json.loads(out.stdout)


def check_fields(name: str, output: dict[str, Any], rows: dict[str, str]) -> None:
    top, nested = promised_fields(rows[name], rows)
    assert top, f"README row for {name} lists no JSON field"
    for field in top:
        assert field in output, f"`{name} --json` lacks {field!r}, which the README's table promises"
        value = output[field]
        for key in nested.get(field, []):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if item is not None:
                    assert key in item, f"`{name} --json`: {field} lacks {key!r} (README's table)"


@pytest.fixture
def app_json(tmp_path: Path, demo_doc: dict[str, Any], sample: SampleEndpoint) -> Path:
    path = tmp_path / "readme-app.json"
    path.write_text(json.dumps(demo_doc), "utf-8")
    return path


def actions_at_the_sample(tmp_path: Path, demo_doc: dict[str, Any], sample: SampleEndpoint) -> str:
    """The demo App JSON with its actions and rpc source aimed at the sample endpoint's action modes."""
    document = json.loads(json.dumps(demo_doc))
    base = sample.base_url + "/action/"
    document["actions"][0]["requests"][0]["url"] = base + "lookup/manychat/orders/[[order_id]]"
    document["actions"][1]["requests"][0]["url"] = base + "echo/manychat/orders/[[order_id]]/shipping"
    document["sources"][0]["request"]["url"] = base + "options/manychat/shipping-options"
    path = tmp_path / "actions-app.json"
    path.write_text(json.dumps(document), "utf-8")
    return str(path)


def test_every_row_of_the_readme_table_runs_and_prints_its_fields(
        sqlite_url: str, tmp_path: Path, app_json: Path, sample: SampleEndpoint, demo_doc: dict[str, Any]) -> None:
    rows = readme_rows()
    db, app = sqlite_url, str(app_json)
    ok_url = sample.install_url("ok")
    newer = dict(demo_doc, actions=[])
    other = tmp_path / "other.json"
    other.write_text(json.dumps(newer), "utf-8")
    outputs: dict[str, dict[str, Any]] = {
        "validate": run(db, "validate", app, code=(0, 1)),
        "diff": run(db, "diff", app, str(other), code=1),
        "fire": run(db, "fire", app, "--url", ok_url),
        "check": run(db, "check", app, "--url", ok_url, code=(0, 1)),
        "burst": run(db, "burst", app, "--installations", "3", "--url", ok_url, "--workers", "1"),
    }
    acting = actions_at_the_sample(tmp_path, demo_doc, sample)
    outputs["action list"] = run(db, "action", "list", acting)
    assert [a["name"] for a in outputs["action list"]["actions"]] == ["notify_order", "choose_shipping"]
    assert outputs["action list"]["rpc_sources"] == ["shipping_options"]
    outputs["action run"] = run(db, "action", "run", acting, "notify_order", "--form", "order_id=1001",
                                "--var", "workspace=acme")
    ran = outputs["action run"]
    assert ran["ok"] and ran["status"] == 200 and ran["missing"] == [] and ran["type_errors"] == []
    assert set(ran["outputs"]) == {"status", "total"} and isinstance(ran["outputs"]["total"], int | float)
    assert "/action/lookup/manychat/orders/1001" in ran["request"]["url"]
    outputs["check --actions"] = run(db, "check", acting, "--actions", "--url", ok_url, code=(0, 1))
    action_items = {i["id"]: i["status"] for i in outputs["check --actions"]["checklist"]
                    if i["id"] in ("actions.rehearsed", "sources.rpc_answers")}
    assert action_items == {"actions.rehearsed": "pass", "sources.rpc_answers": "pass"}
    installed = run(db, "sandbox", "install", app, "--page-id", "100200300", "--scope", "/fb/page/getInfo",
                    "--kind", "public", "--url", ok_url)
    outputs["sandbox install"] = installed
    ident = str(installed["installation_id"])
    outputs["sandbox rescope"] = run(db, "sandbox", "rescope", ident, "--scope", "/fb/page/getInfo",
                                     "/fb/page/getTags")
    outputs["sandbox approve"] = run(db, "sandbox", "approve", ident)
    outputs["sandbox rescope"] = run(db, "sandbox", "rescope", ident, "--scope", "/fb/page/getInfo")
    outputs["sandbox reject"] = run(db, "sandbox", "reject", ident)
    outputs["sandbox log"] = run(db, "sandbox", "log")
    outputs["sandbox uninstall"] = run(db, "sandbox", "uninstall", ident)
    outputs["demo seed"] = run(db, "demo", "seed", "--fires", "5")
    outputs["check --app"] = run(db, "check", "--app", str(outputs["demo seed"]["app"]), code=(0, 1))
    outputs["db upgrade"] = run(db, "db", "upgrade")
    outputs["team invite"] = run(db, "team", "invite", "Ada Lovelace")
    outputs["team role"] = run(db, "team", "role", "Ada Lovelace", "all", "reviewer")
    assert (outputs["team role"]["role"], outputs["team role"]["before"]) == ("reviewer", "none")
    outputs["team members"] = run(db, "team", "members")
    assert [(m["name"], m["role"]) for m in outputs["team members"]["members"]] == [("Ada Lovelace", "reviewer")]
    outputs["team shared"] = run(db, "team", "shared", "off")
    assert run(db, "team", "shared", "on")["shared_token"] == "on"
    outputs["team setting"] = run(db, "team", "setting", "separation_of_duties", "off")
    outputs["team webhook"] = run(db, "team", "webhook", "https://hooks.example.com/services/T0/B0/secret")
    assert outputs["team webhook"]["webhook"] == "https://hooks.example.com"  # never the secret path
    assert run(db, "team", "webhook", "")["webhook"] is None
    outputs["team audit"] = run(db, "team", "audit", "--since", "1h")
    assert {"role_changed", "shared_token", "console_setting", "person_invited"} <= {
        e["action"] for e in outputs["team audit"]["entries"]}
    outputs["team list"] = run(db, "team", "list")
    outputs["team revoke"] = run(db, "team", "revoke", "Ada Lovelace")
    outputs["team status"] = run(db, "team", "status")
    outputs["check --require-signoff"] = run(db, "check", app, "--require-signoff", code=1)
    endpoint = tmp_path / "install-endpoint"
    outputs["scaffold"] = run(db, "scaffold", app, "--lang", "python", "--out", str(endpoint))
    assert installed["app_key"] and installed["key_fingerprint"].startswith("fp_")
    scaffolded = outputs["scaffold"]
    assert scaffolded["lang"] == "python" and Path(scaffolded["dir"]) == endpoint
    assert scaffolded["files"] and all((endpoint / name).is_file() for name in scaffolded["files"])
    assert scaffolded["path"].startswith("/") and "${PORT" in scaffolded["run"]

    rows["check --actions"] = rows["check"]  # the same report, with the action items joined
    undocumented_runs = set(outputs) - set(rows)
    assert not undocumented_runs, f"commands run here without a README row: {undocumented_runs}"
    not_run = {name for name in rows if name not in outputs and name != "sandbox serve"}
    assert not not_run, f"README rows this test does not run (add them): {not_run}"
    for name, output in outputs.items():
        check_fields(name, output, rows)

    store = open_store(db)
    try:
        with store.engine.connect() as conn:
            actors = {row[0] for row in conn.execute(text("SELECT DISTINCT actor FROM activity"))}
            fire_actors = {row[0] for row in conn.execute(text("SELECT DISTINCT actor FROM fires"))}
            version_authors = {row[0] for row in conn.execute(text("SELECT DISTINCT author FROM app_versions"))}
    finally:
        store.close()
    assert actors == {"cli"}, f"activity from the command line attributed to {actors}"
    assert fire_actors <= {"cli"}, f"fires from the command line attributed to {fire_actors}"
    assert version_authors <= {"cli", "console"}, f"App JSON versions from the CLI by {version_authors}"


def test_every_cli_command_has_a_row_in_the_table() -> None:
    from console.cli import COMMANDS

    rows = readme_rows()
    help_text = subprocess.run([sys.executable, "-m", "console", "--help"], cwd=ROOT, capture_output=True,
                               text=True, timeout=60).stdout
    for command in COMMANDS:
        assert f"    {command} " in help_text, f"`python -m console --help` does not list `{command}`"
        assert any(name == command or name.startswith(command + " ") for name in rows), \
            f"`{command}` has no row in the README's command table"
