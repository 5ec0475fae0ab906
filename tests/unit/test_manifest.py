"""App JSON: parsing errors, schema findings, every lint rule, round trip and the auth form."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from console.manifest.auth_form import AuthForm, apply_auth_form, auth_form_from
from console.manifest.document import ManifestError, dump_manifest, load_manifest_file, parse_manifest
from console.manifest.validate import validate_manifest


def test_demo_manifest_is_valid(demo_doc: dict[str, Any]) -> None:
    report = validate_manifest(demo_doc, for_listing=True)
    assert report.valid and report.issues == ()


@pytest.mark.parametrize(("data", "expected"), [
    (b'{"auth": null,\n "actions": [,]}', "line 2, column 14"),
    (b"[1, 2]", "not array"),
    (b"\x00\x01binary", "binary"),
    (b'{"a": "\xff\xfe"}', "not UTF-8"),
    (b"   ", "empty"),
    (b"{" + b" " * (1024 * 1024 + 1) + b"}", "limited to 1 MiB"),
])
def test_unreadable_input_gets_a_specific_message(data: bytes, expected: str) -> None:
    with pytest.raises(ManifestError, match=expected):
        parse_manifest(data)


def test_file_errors_name_the_file(tmp_path) -> None:
    with pytest.raises(ManifestError, match="no such file"):
        load_manifest_file(tmp_path / "missing.json")
    with pytest.raises(ManifestError, match="is a folder"):
        load_manifest_file(tmp_path)


def test_schema_findings_have_pointers(demo_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(demo_doc)
    doc["auth"]["params"][0]["title"] = 5
    doc["auth"]["request"]["headers"] = "x: y"
    del doc["actions"][0]["requests"]
    report = validate_manifest(doc)
    found = {(i.pointer, i.code) for i in report.issues}
    assert ("/auth/params/0/title", "schema.type") in found
    assert ("/auth/request/headers", "schema.type") in found
    assert ("/actions/0", "schema.required") in found
    assert not report.valid


def _with_request(demo_doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(demo_doc)
    doc["auth"]["request"].update(changes)
    return doc


LINT_CASES = [
    ({"url": ""}, "/auth/request/url", "url.missing", "error"),
    ({"url": "/manychat/installed"}, "/auth/request/url", "url.not_absolute", "error"),
    ({"url": "ftp://example.com/x"}, "/auth/request/url", "url.scheme", "error"),
    ({"url": "http://example.com/x"}, "/auth/request/url", "url.insecure", "warning"),
    ({"url": "https://example.com/x?key={{app_token}}"}, "/auth/request/url", "key.in_query", "warning"),
    ({"headers": ["Content-Type application/json"]}, "/auth/request/headers/0", "header.malformed", "error"),
    ({"headers": ["X-A: 1\r\nX-B: 2"]}, "/auth/request/headers/0", "header.crlf", "error"),
    ({"headers": ["X-A: {{app_token}}", "x-a: 2"]}, "/auth/request/headers/1", "header.duplicate", "warning"),
    ({"headers": ["Content-Type: application/json"], "payload": "token={{app_token}}"},
     "/auth/request/payload", "payload.not_json", "error"),
    ({"headers": [], "payload": {"other": "{{page_id}}"}}, "/auth/request", "key.not_delivered", "error"),
    ({"payload": {"app_token": "{{app_token}}", "x": "[[undeclared]]"}}, "/auth/request/payload/x",
     "template.unknown", "error"),
    ({"method": "FETCH"}, "/auth/request/method", "method.invalid", "error"),
    ({"method": "GET"}, "/auth/request/payload", "payload.with_get", "warning"),
]


@pytest.mark.parametrize(("changes", "pointer", "code", "severity"), LINT_CASES)
def test_every_lint_rule(demo_doc: dict[str, Any], changes: dict[str, Any], pointer: str, code: str,
                         severity: str) -> None:
    report = validate_manifest(_with_request(demo_doc, **changes))
    matching = [i for i in report.issues if i.code == code]
    assert matching, f"{code} not reported: {report.issues}"
    assert matching[0].pointer == pointer and matching[0].severity == severity
    assert matching[0].hint, "every finding carries a fix hint"
    assert report.valid == (severity != "error" and all(i.severity != "error" for i in report.issues))


def test_http_is_an_error_for_a_listing(demo_doc: dict[str, Any]) -> None:
    doc = _with_request(demo_doc, url="http://example.com/x")
    assert validate_manifest(doc).valid
    listing = validate_manifest(doc, for_listing=True)
    assert not listing.valid and listing.by_code("url.insecure")[0].severity == "error"


def test_legacy_api_key_param_is_warned(demo_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(demo_doc)
    doc["auth"]["params"].append({"name": "api_key", "title": "Your ManyChat API key"})
    issue = validate_manifest(doc).by_code("params.legacy_api_key")[0]
    assert issue.pointer == "/auth/params/1" and issue.severity == "warning"
    assert "1 February 2021" in issue.hint


def test_manual_delivery_is_info(demo_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(demo_doc)
    del doc["auth"]["request"]
    report = validate_manifest(doc)
    assert report.valid
    assert [(i.code, i.severity, i.pointer) for i in report.issues] == [("request.missing", "info", "/auth")]


def test_round_trip_keeps_unknown_fields(demo_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(demo_doc)
    doc["x-vendor"] = {"keep": [1, 2, {"me": True}]}
    doc["auth"]["request"]["x-retry"] = 3
    text = json.dumps(doc, indent=4)
    assert parse_manifest(dump_manifest(parse_manifest(text))) == doc
    assert list(parse_manifest(dump_manifest(doc))) == list(doc)  # key order kept


def test_auth_form_round_trip_changes_nothing(demo_doc: dict[str, Any]) -> None:
    updated, issues = apply_auth_form(demo_doc, auth_form_from(demo_doc))
    assert issues == [] and updated == demo_doc


def test_auth_form_edit_keeps_unknown_fields(demo_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(demo_doc)
    doc["auth"]["request"]["x-retry"] = 3
    form = auth_form_from(doc)
    updated, issues = apply_auth_form(doc, AuthForm(**{**form.__dict__, "url": "https://new.example.com/i"}))
    assert issues == []
    assert updated["auth"]["request"]["url"] == "https://new.example.com/i"
    assert updated["auth"]["request"]["x-retry"] == 3 and updated["actions"] == doc["actions"]


def test_auth_form_bad_field_changes_nothing(demo_doc: dict[str, Any]) -> None:
    form = auth_form_from(demo_doc)
    updated, issues = apply_auth_form(demo_doc, AuthForm(**{**form.__dict__, "payload_text": '{"a": '}))
    assert updated is demo_doc
    assert issues[0].pointer == "/auth/request/payload" and "line 1" in issues[0].message
    updated, issues = apply_auth_form(demo_doc, AuthForm(**{**form.__dict__, "connection_qs_text": "no equals"}))
    assert updated is demo_doc and issues[0].code == "form.pair"


def test_manual_delivery_from_the_form(demo_doc: dict[str, Any]) -> None:
    form = auth_form_from(demo_doc)
    updated, _ = apply_auth_form(demo_doc, AuthForm(**{**form.__dict__, "delivery": "manual"}))
    assert "request" not in updated["auth"] and updated["auth"]["params"] == demo_doc["auth"]["params"]
