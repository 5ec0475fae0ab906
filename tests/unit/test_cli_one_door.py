"""One door: the command line goes through the same service functions as the pages, so a file's
stored fires count in `check`, and every write from the command line is attributed to `cli`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from console.cli import main
from console.sandbox.sample_endpoint import SampleEndpoint
from console.store import FireFilter, Store, open_store


def write(tmp_path: Path, document: dict[str, Any], name: str = "app.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), "utf-8")
    return str(path)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def items_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in report["checklist"]}


def pointed_at(demo_doc: dict[str, Any], url: str) -> dict[str, Any]:
    document = copy.deepcopy(demo_doc)
    document["auth"]["request"]["url"] = url
    return document


def test_a_file_fired_from_the_cli_counts_in_check(sqlite_url: str, tmp_path: Path, demo_doc: dict,
                                                  sample: SampleEndpoint, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, pointed_at(demo_doc, sample.install_url("ok")))
    code, before = run_json(capsys, "check", path, "--var", "workspace=a")
    assert items_of(before)["fire.latest_200"]["status"] != "pass"
    assert main(["fire", path, "--var", "workspace=a"]) == 0
    capsys.readouterr()
    code, after = run_json(capsys, "check", path, "--var", "workspace=a")
    latest = items_of(after)["fire.latest_200"]
    assert latest["status"] == "pass", latest
    assert "No fire yet" not in latest["why"]


def test_a_fire_of_another_version_of_the_file_does_not_count(sqlite_url: str, tmp_path: Path, demo_doc: dict,
                                                             sample: SampleEndpoint,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    document = pointed_at(demo_doc, sample.install_url("ok"))
    path = write(tmp_path, document)
    assert main(["fire", path, "--var", "workspace=a"]) == 0
    document["auth"]["params"][0]["title"] = "Another title"
    write(tmp_path, document)  # the same file name, another App JSON
    capsys.readouterr()
    _code, report = run_json(capsys, "check", path, "--var", "workspace=a")
    assert items_of(report)["fire.latest_200"]["status"] != "pass"


def test_check_app_gives_the_checklist_of_the_console_app(sqlite_url: str, tmp_path: Path, demo_doc: dict,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from console.service import apps, readiness

    store = open_store(sqlite_url)
    try:
        app = apps.create_demo_app(store)
        page_verdict = readiness.checklist(store, app).verdict.summary
    finally:
        store.close()
    code, report = run_json(capsys, "check", "--app", str(app.id))
    assert code == 1 and report["app"]["name"] == app.name
    assert [i["id"] for i in report["checklist"]] == [i.id for i in readiness.checklist(
        open_store(sqlite_url), app).items]
    assert page_verdict  # the page's verdict: the same items, from the same function


def _public_installation(store: Store, tmp_path: Path, demo_doc: dict, sample: SampleEndpoint,
                         capsys: pytest.CaptureFixture[str]) -> int:
    capsys.readouterr()
    path = write(tmp_path, pointed_at(demo_doc, sample.install_url("ok")), "shop.json")
    code, installed = run_json(capsys, "sandbox", "install", path, "--page-id", "100", "--kind", "public",
                               "--scope", "/fb/page/getInfo")
    assert code == 0, installed
    return int(installed["installation_id"])


def test_every_write_from_the_cli_is_attributed_to_cli(sqlite_url: str, tmp_path: Path, demo_doc: dict,
                                                      sample: SampleEndpoint,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(sqlite_url)
    try:
        path = write(tmp_path, pointed_at(demo_doc, sample.install_url("ok")))
        assert main(["fire", path, "--var", "workspace=a"]) == 0
        main(["check", path, "--url", sample.install_url("ok"), "--var", "workspace=a"])
        installation = _public_installation(store, tmp_path, demo_doc, sample, capsys)
        for command in (["sandbox", "rescope", str(installation), "--scope", "/fb/page/getInfo", "/fb/page/getTags"],
                        ["sandbox", "approve", str(installation)],
                        ["sandbox", "rescope", str(installation), "--scope", "/fb/page/getInfo"],
                        ["sandbox", "reject", str(installation)],
                        ["sandbox", "uninstall", str(installation)],
                        ["demo", "seed", "--fires", "3"],
                        ["team", "invite", "Ada"], ["team", "revoke", "Ada"],
                        ["burst", path, "--installations", "3", "--concurrency", "2", "--var", "workspace=a",
                         "--workers", "1"]):
            code = main(command)
            assert code in (0, 1), (command, capsys.readouterr())
        capsys.readouterr()
        rows = [row for app_ref in [None, *store.apps.names()] for row in store.activity.for_app(app_ref, limit=500)]
        logged = {row.action for row in rows}
        for expected in ("cli_fires", "app_created", "sandbox_install", "scopes_changed", "sandbox_republish",
                         "sandbox_review_approved", "sandbox_review_rejected", "sandbox_uninstall",
                         "person_invited", "person_revoked", "burst_started"):
            assert expected in logged, (expected, sorted(logged))
        assert {row.actor for row in rows} == {"cli"}, sorted({(row.action, row.actor) for row in rows})
        demo_apps = {ref for ref, name in store.apps.names().items() if name.startswith("Demo")}
        fires = [row for row in store.fires.page(FireFilter(), limit=1000) if row["app_ref"] not in demo_apps]
        assert {row["source"] for row in fires} >= {"cli", "sandbox"}
        assert {row["actor"] for row in fires} == {"cli"}, sorted({(r["source"], r["actor"]) for r in fires})
    finally:
        store.close()
