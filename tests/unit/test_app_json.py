"""The whole App JSON: a corpus from the Specification's and Quick Start's documented examples (valid:
no errors) and a broken variant for every rule (the exact pointer and code); comments, fragments, diff."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.manifest.diff import diff_documents, summarize
from console.manifest.document import ManifestError
from console.manifest.lint_mapping import jsonpath_problem
from console.manifest.outline import build_outline
from console.manifest.snippet import merge_fragment, read_snippet, strip_comments
from console.manifest.validate import validate_manifest
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus"
QUICKSTART = "quickstart_server_side.json"


def load(name: str) -> dict[str, Any]:
    return json.loads((CORPUS / name).read_text("utf-8"))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.name)
def test_documented_examples_have_no_errors(path: Path) -> None:
    report = validate_manifest(json.loads(path.read_text("utf-8")))
    assert report.valid, [i for i in report.issues if i.severity == "error"]


def test_the_full_quick_start_example_has_no_finding_at_all() -> None:
    doc = load(QUICKSTART)
    assert validate_manifest(doc, for_listing=True).issues == ()
    # with the scope its ManyChat call needs, the cross-checks find nothing either
    assert validate_manifest(doc, scopes=["/fb/subscriber/addTagByName"]).issues == ()


def test_a_third_party_api_key_param_is_not_a_legacy_key() -> None:
    doc = load(QUICKSTART)
    assert doc["auth"]["params"][0]["title"] == "Enter your OpenAI API key"
    assert validate_manifest(doc).by_code("params.legacy_api_key") == []
    assert validate_manifest(load("spec_auth_headers.json")).by_code("params.legacy_api_key") == []


def _set(pointer: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is DELETE:
            del target[int(last) if isinstance(target, list) else last]
        elif isinstance(target, list) and last == "-":
            target.append(value)
        else:
            target[int(last) if isinstance(target, list) else last] = value
    return change


DELETE: Any = object()
ACTION_REQUEST = "/actions/0/requests/0"
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    ("bogus action URL", _set(ACTION_REQUEST + "/url", "not-a-url"), ACTION_REQUEST + "/url",
     "url.not_absolute", "error"),
    ("action URL missing", _set(ACTION_REQUEST + "/url", ""), ACTION_REQUEST + "/url", "url.missing", "error"),
    ("action method FETCH", _set(ACTION_REQUEST + "/method", "FETCH"), ACTION_REQUEST + "/method",
     "method.invalid", "error"),
    ("undeclared [[y]]", _set(ACTION_REQUEST + "/url", "https://example.com/manychat/ask/[[y]]"),
     ACTION_REQUEST + "/url", "template.unknown", "error"),
    ("a form field of another action", _set(ACTION_REQUEST + "/payload/q", "[[tag_name]]"),
     ACTION_REQUEST + "/payload/q", "template.unknown", "error"),
    ("header line with no colon", _set(ACTION_REQUEST + "/headers/0", "Content-Type application/json"),
     ACTION_REQUEST + "/headers/0", "header.malformed", "error"),
    ("header with CR/LF", _set(ACTION_REQUEST + "/headers/1", "Authorization: x\r\nX-Evil: 1"),
     ACTION_REQUEST + "/headers/1", "header.crlf", "error"),
    ("payload not JSON but Content-Type JSON", _set(ACTION_REQUEST + "/payload", "q=[[question]]"),
     ACTION_REQUEST + "/payload", "payload.not_json", "error"),
    ("plain http action", _set(ACTION_REQUEST + "/url", "http://example.com/manychat/ask"),
     ACTION_REQUEST + "/url", "url.insecure", "warning"),
    ("unknown system field in an action", _set(ACTION_REQUEST + "/payload/email", "{{user_email}}"),
     ACTION_REQUEST + "/payload/email", "template.system_field", "warning"),
    ("two actions with the same name", _set("/actions/1/name", "ask_question"), "/actions/1/name",
     "actions.duplicate", "error"),
    ("empty action title", _set("/actions/0/title", " "), "/actions/0/title", "actions.title_empty", "error"),
    ("action without title", _set("/actions/0/title", DELETE), "/actions/0", "schema.required", "error"),
    ("action without requests list", _set("/actions/0/requests", []), "/actions/0/requests",
     "actions.no_request", "warning"),
    ("no action at all (a warning while building)", _set("/actions", []), "/actions", "actions.none", "warning"),
    ("form field without type", _set("/actions/0/forms/0/type", DELETE), "/actions/0/forms/0",
     "schema.required", "error"),
    ("form field declared twice", _set("/actions/0/forms/1/name", "question"), "/actions/0/forms/1/name",
     "forms.duplicate", "error"),
    ("form field of an unknown type", _set("/actions/0/forms/0/type", "color"), "/actions/0/forms/0/type",
     "forms.type_unknown", "warning"),
    ("default of the wrong type", _set("/actions/0/forms/3/default", "many"), "/actions/0/forms/3/default",
     "forms.default_type", "error"),
    ("source that is not declared", _set("/actions/0/forms/1/source", "colors"), "/actions/0/forms/1/source",
     "forms.source_unknown", "error"),
    ("enum:static without values", _set("/sources/0/values", []), "/sources/0/values",
     "sources.static_values", "error"),
    ("enum:rpc without request", _set("/sources/1/request", DELETE), "/sources/1", "sources.rpc_request", "error"),
    ("enum:rpc with a bogus URL", _set("/sources/1/request/url", "models"), "/sources/1/request/url",
     "url.not_absolute", "error"),
    ("source of an unknown type", _set("/sources/1/type", "enum:dynamic"), "/sources/1/type",
     "sources.type_unknown", "warning"),
    ("source declared twice", _set("/sources/1/name", "tones"), "/sources/1/name", "sources.duplicate", "error"),
    ("source nobody uses", _set("/actions/0/forms/2/source", DELETE), "/sources/1", "sources.unused", "info"),
    ("trigger with no name", _set("/triggers/0/name", DELETE), "/triggers/0", "schema.required", "error"),
    ("two triggers with the same name", _set("/triggers/-", {"name": "order_shipped", "title": "Again"}),
     "/triggers/1/name", "triggers.duplicate", "error"),
    ("context field without type", _set("/triggers/0/context/1/type", DELETE), "/triggers/0/context/1",
     "schema.required", "error"),
    ("context field declared twice", _set("/triggers/0/context/1/name", "order_id"),
     "/triggers/0/context/1/name", "triggers.context_duplicate", "error"),
    ("context field of an unknown type", _set("/triggers/0/context/1/type", "money"),
     "/triggers/0/context/1/type", "triggers.context_type_unknown", "warning"),
    ("triggers with manual delivery", _set("/auth/request", DELETE), "/triggers", "triggers.key_manual", "warning"),
    ("mapping path is not JSONPath", _set(ACTION_REQUEST + "/mapping/0/path", "$.choices[0"),
     ACTION_REQUEST + "/mapping/0/path", "mapping.path_invalid", "error"),
    ("mapping path without the root", _set(ACTION_REQUEST + "/mapping/0/path", "choices.text"),
     ACTION_REQUEST + "/mapping/0/path", "mapping.path_invalid", "error"),
    ("auth.request mapping path", _set("/auth/request/mapping", [{"name": "id", "path": "$..["}]),
     "/auth/request/mapping/0/path", "mapping.path_invalid", "error"),
    ("mapping name twice", _set(ACTION_REQUEST + "/mapping/-", {"name": "answer", "path": "$.x"}),
     ACTION_REQUEST + "/mapping/1/name", "mapping.duplicate", "error"),
    ("another auth type", _set("/auth/type", "OAUTH2"), "/auth/type", "auth.type_unknown", "warning"),
    ("param asking for a ManyChat key", _set("/auth/params/-", {"name": "mc_key", "title": "Your ManyChat API key"}),
     "/auth/params/1", "params.legacy_api_key", "warning"),
    ("param sent to api.manychat.com", lambda doc: (
        _set("/auth/params/-", {"name": "secret", "title": "Secret"})(doc),
        _set("/actions/1/requests/0/headers/1", "Authorization: Bearer [[secret]]")(doc)),
     "/auth/params/1", "params.legacy_api_key", "warning"),
]


@pytest.mark.parametrize(("change", "pointer", "code", "severity"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_every_rule_on_a_broken_variant(change: Callable[[dict[str, Any]], None], pointer: str, code: str,
                                        severity: str) -> None:
    doc = load(QUICKSTART)
    change(doc)
    report = validate_manifest(doc)
    found = [(i.pointer, i.severity) for i in report.by_code(code)]
    assert (pointer, severity) in found, f"{code} at {pointer}: got {report.issues}"
    issue = next(i for i in report.by_code(code) if i.pointer == pointer)
    assert issue.hint, "every finding carries a fix hint"
    assert report.valid == (not any(i.severity == "error" for i in report.issues))
    if severity != "error":  # a warning or info alone leaves the document valid
        assert report.valid or any(i.code != code for i in report.issues if i.severity == "error")


def test_a_rule_left_open_is_a_warning_not_an_error() -> None:
    doc = load(QUICKSTART)
    doc["auth"]["type"] = "OAUTH2"
    doc["actions"][0]["requests"][0]["payload"]["email"] = "{{user_email}}"
    report = validate_manifest(doc)
    assert report.valid and {i.code for i in report.issues} == {"auth.type_unknown", "template.system_field"}


@pytest.mark.parametrize(("scopes", "expected"), [
    ([], [("/actions/1/requests/0/url", "scopes.missing", "error")]),
    (["/fb/subscriber/addTagByName", "/fb/page/getTags"], [("", "scopes.unused", "info")]),
])
def test_cross_checks_with_the_scopes(scopes: list[str], expected: list[tuple[str, str, str]]) -> None:
    report = validate_manifest(load(QUICKSTART), scopes=scopes)
    assert [(i.pointer, i.code, i.severity) for i in report.issues] == expected
    if expected[0][1] == "scopes.missing":
        assert "401" in report.issues[0].message and "Wrong access token" in report.issues[0].message
    else:
        assert "/fb/page/getTags" in report.issues[0].message


def test_a_manychat_call_with_the_wrong_method_or_an_unknown_endpoint() -> None:
    doc = load(QUICKSTART)
    doc["actions"][1]["requests"][0]["method"] = "GET"
    report = validate_manifest(doc, scopes=["/fb/subscriber/addTagByName"])
    found = {(i.pointer, i.code, i.severity) for i in report.issues}
    assert ("/actions/1/requests/0/method", "scopes.method_mismatch", "warning") in found and report.valid
    doc["actions"][1]["requests"][0]["url"] = "https://api.manychat.com/fb/subscriber/teleport"
    report = validate_manifest(doc, scopes=["/fb/subscriber/addTagByName"])
    assert ("/actions/1/requests/0/url", "scopes.unknown_endpoint") in {(i.pointer, i.code) for i in report.issues}


@pytest.mark.parametrize(("path", "ok"), [
    ("$.id", True), ("$.data[0].name", True), ("$..id", True), ("$['first name']", True), ("$.data[*].id", True),
    ("$.data[?@.price < 10]", True), ("id", False), ("$.a.0", False), ("$[", False), ("$.a b", False),
    ("$" + ".a" * 600, False), ("$" + "[?(" * 400, False),
])
def test_mapping_paths_are_parsed_as_jsonpath(path: str, ok: bool) -> None:
    problem = jsonpath_problem(path)
    assert (problem is None) == ok, problem
    if not ok:
        assert "column" in problem or problem


def test_every_finding_has_a_place_on_the_page_and_the_counts_add_up() -> None:
    doc = load(QUICKSTART)
    chosen = {"action method FETCH", "header line with no colon", "two actions with the same name",
              "trigger with no name", "source that is not declared", "enum:static without values",
              "another auth type", "mapping path is not JSONPath"}
    for name, change, *_ in BROKEN:
        if name in chosen:
            change(doc)
    report = validate_manifest(doc, scopes=[])
    outline = build_outline(doc, report, ["/auth/request/url", "/auth/params"])
    assert outline.shown == outline.total == len(report.issues)
    actions = outline.section("actions")
    assert [item.pointer for item in actions.items] == [f"/actions/{i}" for i in range(len(doc["actions"]))]
    assert all(i.pointer.startswith(item.pointer) for item in actions.items for i in item.issues)


# ---------------------------------------------------------------- comments and fragments

COMMENTED = """// ManyChat's snippet, as published
{
  "auth": null, /* no auth */
  "actions": [{"name": "a", "title": "A // not a comment", "requests": [
    {"url": "https://example.com/a//b", "method": "GET"} // trailing
  ]}]
}
"""


def test_comments_are_found_and_stripped_outside_strings() -> None:
    cleaned, first = strip_comments(COMMENTED)
    assert first is not None and (first.line, first.column) == (1, 1)
    document = json.loads(cleaned)
    assert document["actions"][0]["title"] == "A // not a comment"
    assert document["actions"][0]["requests"][0]["url"] == "https://example.com/a//b"
    assert cleaned.count("\n") == COMMENTED.count("\n")  # positions of later errors still match
    _, inner = strip_comments('{"a": "x"} /* one\n two */')
    assert inner is not None and (inner.line, inner.column) == (1, 12)


def test_comments_refused_unless_stripped_with_their_place() -> None:
    with pytest.raises(ManifestError, match=r"line 1, column 1.*accepts JSON without comments"):
        read_snippet(COMMENTED, strip=False)
    snippet = read_snippet(COMMENTED)
    assert snippet.kind == "document" and snippet.comment is not None
    assert snippet.document["actions"][0]["name"] == "a"


def test_a_broken_document_keeps_its_specific_message() -> None:
    with pytest.raises(ManifestError, match="line 2, column 3"):
        read_snippet('{"auth": null,\n  nope}')
    with pytest.raises(ManifestError, match="limited to 1 MiB"):
        read_snippet("// x\n" + "{" * (1024 * 1024 + 10))


def test_fragments_are_recognised_and_merged_at_their_place() -> None:
    current = load(QUICKSTART)
    request = read_snippet('"request": {"url": "https://new.example.com/i", "method": "POST"},', current)
    assert request.kind == "request"
    assert request.document["auth"]["request"] == {"url": "https://new.example.com/i", "method": "POST"}
    assert request.document["auth"]["params"] == current["auth"]["params"]
    assert request.document["actions"] == current["actions"] and current["auth"]["request"]["url"].startswith(
        "https://example.com")  # the current document is not changed in place
    auth = read_snippet('"auth": {"type": "APIKEY", "params": []}', current)
    assert auth.kind == "auth" and auth.document["auth"] == {"type": "APIKEY", "params": []}
    triggers = read_snippet('[{"name": "order_shipped", "title": "Shipped!", "context": []},'
                            ' {"name": "paid", "title": "Paid", "context": []}]', current)
    assert triggers.kind == "triggers"
    assert [t["name"] for t in triggers.document["triggers"]] == ["order_shipped", "paid"]
    assert triggers.document["triggers"][0]["title"] == "Shipped!"
    bare_request = read_snippet('{"url": "https://x.example.com/i", "method": "POST"}', current)
    assert bare_request.kind == "request"
    into_nothing = merge_fragment({"auth": None, "actions": []}, "request", {"url": "u", "method": "POST"})
    assert into_nothing["auth"]["type"] == "APIKEY" and into_nothing["auth"]["request"]["url"] == "u"


# ---------------------------------------------------------------- diff


def test_diff_is_semantic() -> None:
    old = load(QUICKSTART)
    reordered = json.loads(json.dumps(old, sort_keys=True))
    assert diff_documents(old, reordered) == []
    new = copy.deepcopy(old)
    new["actions"].insert(0, {"name": "first", "title": "First", "requests": []})
    new["auth"]["request"]["url"] = "https://other.example.com/i"
    del new["triggers"]
    changes = {(c.op, c.pointer) for c in diff_documents(old, new)}
    assert changes == {("added", "/actions/0"), ("changed", "/auth/request/url"), ("removed", "/triggers")}
    assert summarize(diff_documents(old, new)).startswith("3 change(s)")
    swapped = copy.deepcopy(old)
    swapped["actions"].reverse()
    assert {c.op for c in diff_documents(old, swapped)} == {"moved"}
    assert diff_documents({"a": 1}, {"a": 1.5})[0].to_dict() == {"op": "changed", "pointer": "/a", "old": 1,
                                                                  "new": 1.5}


def test_the_checklist_counts_a_missing_scope_like_page_2() -> None:
    from console.readiness import ReadinessInput, evaluate_checklist

    doc = load(QUICKSTART)
    item = {i.id: i for i in evaluate_checklist(ReadinessInput(doc, ("/fb/page/getInfo",), "sample", [], []))}
    assert item["manifest.valid"].status == "fail"
    assert [e.ref for e in item["manifest.valid"].evidence] == ["/actions/1/requests/0/url"]
    unknown = {i.id: i for i in evaluate_checklist(ReadinessInput(doc, (), "sample", [], [], scopes_known=False))}
    assert unknown["manifest.valid"].status == "pass"  # `check` on the command line: scopes unknown


def test_the_app_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    from jsonschema import Draft202012Validator

    from console.manifest.validate import app_schema

    Draft202012Validator.check_schema(app_schema())  # checked here once, not at every start of the CLI


@pytest.mark.parametrize("path", ["$.id", "$.data.name", "$.items[0].title", "$[2]", "$.a_b.c1[10]"])
def test_plain_mapping_paths_agree_with_the_jsonpath_parser(path: str) -> None:
    from jsonpath import JSONPathEnvironment

    from console.manifest.lint_mapping import jsonpath_problem

    JSONPathEnvironment(strict=True).compile(path)  # the parser accepts what the fast path accepts
    assert jsonpath_problem(path) is None
