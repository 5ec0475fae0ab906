"""Compatibility classes on pairs of the documented App JSON examples (tests/corpus/) and their edits."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from console.manifest.compat import BREAKING, REVIEW, SAFE, CompatReport, classify
from tests.conftest import ROOT
from tests.unit.test_cli import run

CORPUS = ROOT / "tests" / "corpus"


def doc(name: str) -> dict[str, Any]:
    return json.loads((CORPUS / f"{name}.json").read_text("utf-8"))


def classes(report: CompatReport) -> dict[str, str]:
    return {c.what: c.cls for c in report.changes}


def impact(report: CompatReport, what: str) -> str:
    return next(c.impact for c in report.changes if c.what.startswith(what))


@pytest.fixture
def quick() -> dict[str, Any]:
    return doc("quickstart_server_side")


def test_the_same_document_has_no_change(quick: dict[str, Any]) -> None:
    report = classify(quick, copy.deepcopy(quick))
    assert report.changes == () and report.to_dict()["compatible"] is True


def test_documented_pairs() -> None:
    report = classify(doc("spec_auth_headers"), doc("spec_auth_qs"))
    assert classes(report)["action `get_profile` removed"] == BREAKING
    assert impact(report, "action `get_profile` removed") == "flows using action `get_profile` stop working"
    assert classes(report)["action `lookup_city` added"] == SAFE
    back = classify(doc("spec_find_pokemon"), doc("quickstart_server_side"))
    assert "flows using action `find_pokemon` stop working" in [c.impact for c in back.breaking]


def test_action_and_form_changes(quick: dict[str, Any]) -> None:
    new = copy.deepcopy(quick)
    new["actions"][0]["name"] = "ask"  # renamed: same content
    forms = new["actions"][1]["forms"]
    removed = forms.pop(0)["name"]
    forms.append({"name": "note", "type": "string", "title": "Note"})
    forms.append({"name": "color", "type": "string", "title": "Color", "default": "red"})
    report = classify(quick, new)
    got = classes(report)
    assert got["action `ask_question` renamed to `ask`"] == BREAKING
    assert f"form field `{removed}` removed" in got and got[f"form field `{removed}` removed"] == BREAKING
    assert got["form field `note` added without a default"] == BREAKING
    assert got["form field `color` added"] == SAFE
    gone = next(c for c in report.changes if c.what == f"form field `{removed}` removed")
    assert (gone.pointer, gone.side) == ("/actions/1/forms/0", "old")  # where it was, in the old document


def test_trigger_mapping_and_source_removals(quick: dict[str, Any]) -> None:
    new = copy.deepcopy(quick)
    trigger = new["triggers"].pop(0)["name"]
    new["actions"][0]["requests"][0]["mapping"] = []
    new["sources"] = new["sources"][1:]
    report = classify(quick, new)
    assert f"flows started by trigger `{trigger}` never start again" in impact(report, f"trigger `{trigger}`")
    assert impact(report, "mapping output `answer`") == "flows using output `answer` of action `ask_question` " \
                                                         "lose its value"
    assert classes(report)["source `tones` removed"] == BREAKING


def test_where_the_key_is_sent(quick: dict[str, Any]) -> None:
    moved = copy.deepcopy(quick)
    moved["auth"]["request"]["headers"] = ["Content-Type: application/json"]
    report = classify(quick, moved)
    assert [c.impact for c in report.breaking] == ["every deployed endpoint stops receiving the key where it reads it"]
    assert "header x-token-header" in report.breaking[0].what
    elsewhere = copy.deepcopy(quick)
    elsewhere["auth"]["request"]["url"] = "https://example.com/v2/installed"
    assert "every deployed endpoint at the old address stops receiving the key" in \
        classify(quick, elsewhere).breaking[0].impact


def test_text_only_changes_are_safe(quick: dict[str, Any]) -> None:
    new = copy.deepcopy(quick)
    new["actions"][0]["title"] = "Ask the model"
    new["actions"][0]["guidance"] = "Anything."
    report = classify(quick, new)
    assert report.changes and all(c.cls == SAFE for c in report.changes)


def test_scope_changes_by_kind(quick: dict[str, Any]) -> None:
    public = classify(quick, quick, kind="public", old_scopes=["/fb/page/getInfo"],
                      new_scopes=["/fb/page/getInfo", "/fb/subscriber/addTag"])
    assert [c.cls for c in public.changes] == [BREAKING, REVIEW]
    assert public.breaking[0].impact.startswith("every installation gets a new App Key after review")
    dev = classify(quick, quick, kind="dev", old_scopes=[], new_scopes=["/fb/page/getInfo"])
    assert [c.cls for c in dev.changes] == [BREAKING] and "at once" in dev.changes[0].impact
    removed = classify(quick, quick, kind="public", old_scopes=["/fb/page/getInfo"], new_scopes=[])
    assert [c.cls for c in removed.changes] == [REVIEW] and "401" in removed.changes[0].impact
    assert classify(quick, quick).notes  # without scopes: says what it cannot judge


def test_diff_compat_cli(sqlite_url: str) -> None:
    old, new = str(CORPUS / "spec_auth_headers.json"), str(CORPUS / "spec_auth_qs.json")
    gate = run("diff", old, new, "--compat", "--fail-on", "breaking", "--json", env_db=sqlite_url)
    body = json.loads(gate.stdout)
    assert gate.returncode == 1 and body["compatible"] is False and body["breaking"] == 1
    assert body["changes"][0] == {"class": "breaking", "pointer": "/actions/0", "in": "old",
                                  "what": "action `get_profile` removed",
                                  "impact": "flows using action `get_profile` stop working"}
    same = run("diff", old, old, "--compat", "--fail-on", "breaking", env_db=sqlite_url)
    assert same.returncode == 0 and "no semantic difference" in same.stdout
    safe_only = run("diff", old, new, "--compat", "--fail-on", "never", env_db=sqlite_url)
    assert safe_only.returncode == 0 and "[breaking]" in safe_only.stdout
    scoped = run("diff", old, old, "--compat", "--kind", "public", "--old-scope", "/fb/page/getInfo",
                 "--new-scope", "/fb/page/getInfo", "/fb/subscriber/addTag", "--fail-on", "breaking",
                 env_db=sqlite_url)
    assert scoped.returncode == 1 and "every installation gets a new App Key after review" in scoped.stdout
    bad = run("diff", old, new, "--fail-on", "breaking", env_db=sqlite_url)
    assert bad.returncode == 2 and "--compat" in bad.stderr


def test_check_since_adds_the_compatibility_items(sqlite_url: str) -> None:
    out = run("check", str(CORPUS / "spec_auth_qs.json"), "--since", str(CORPUS / "spec_auth_headers.json"),
              "--json", env_db=sqlite_url)
    items = {i["id"]: i for i in json.loads(out.stdout)["checklist"]}
    assert items["compat.breaking"]["status"] == "fail" and items["compat.breaking"]["required"] is True
    assert "flows using action `get_profile` stop working" in items["compat.breaking"]["why"]
    assert out.returncode == 1
