"""The CI outputs over the one readiness door: a file's stored fires (fired by `fire APP_JSON`) are the
proof in JUnit without `--url`, and `check --app ID` takes the same --format, --since and --fail-on."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from junitparser import Failure, JUnitXml

from console.cli import main
from console.sandbox.sample_endpoint import SampleEndpoint
from console.store import open_store
from tests.unit.test_cli_one_door import pointed_at, write


def cases_of(report: Path) -> dict[str, Any]:
    return {case.name: case for suite in JUnitXml.fromfile(str(report)) for case in suite}


def test_a_cli_fire_of_the_file_is_the_proof_in_junit(sqlite_url: str, tmp_path: Path, demo_doc: dict,
                                                     sample: SampleEndpoint,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, pointed_at(demo_doc, sample.install_url("ok")))
    assert main(["fire", path, "--var", "workspace=a"]) == 0
    capsys.readouterr()
    junit = tmp_path / "check.xml"
    main(["check", path, "--var", "workspace=a", "--format", f"junit={junit}", "--format", "json"])
    captured = capsys.readouterr()
    assert json.loads(captured.out)["checklist"]  # json on stdout, nothing else there
    assert "To run the fires" not in captured.err  # quiet: a non-text format takes stdout
    latest = cases_of(junit)["fire.latest_200"]
    assert latest.is_passed and "> POST " in latest.system_out and "< HTTP 200" in latest.system_out


def test_check_since_adds_the_compat_items_and_fails_on_a_breaking_change(
        sqlite_url: str, tmp_path: Path, demo_doc: dict, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, demo_doc, "released.json")
    newer = copy.deepcopy(demo_doc)
    removed = newer["actions"].pop(0)["name"]
    path = write(tmp_path, newer)
    junit = tmp_path / "check.xml"
    code = main(["check", path, "--since", old, "--format", f"junit={junit}"])
    text = capsys.readouterr().out
    assert code == 1
    assert "compat.breaking:" in text  # the text shows each item's ID
    breaking = cases_of(junit)["compat.breaking"]
    failures = [r for r in breaking.result if isinstance(r, Failure)]
    assert failures and removed in f"{failures[0].message} {failures[0].text}"
    assert main(["check", path, "--since", old, "--fail-on", "never"]) == 0  # report without failing
    main(["check", path, "--since", path, "--format", f"junit={junit}"])
    assert cases_of(junit)["compat.breaking"].is_passed  # no change since itself: nothing breaks


def test_check_app_writes_the_formats_and_its_items(sqlite_url: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from console.service import apps, readiness

    store = open_store(sqlite_url)
    try:
        app = apps.create_demo_app(store)
        ids = [item.id for item in readiness.checklist(store, app).items]
    finally:
        store.close()
    sarif = tmp_path / "check.sarif"
    code = main(["check", "--app", str(app.id), "--format", f"sarif={sarif}", "--format", "junit"])
    out = capsys.readouterr().out
    assert code == 1  # the demo app is not ready: nothing was fired
    assert [case.name.split()[0] for suite in JUnitXml.fromstring(out) for case in suite] == ids
    rules = {r["id"] for r in json.loads(sarif.read_text("utf-8"))["runs"][0]["tool"]["driver"]["rules"]}
    assert rules and rules <= set(ids) | {"manifest.valid"}
    assert main(["check", "--app", str(app.id), "--format", "yaml"]) == 2
