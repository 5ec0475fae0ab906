"""Property tests (hypothesis): parsing, validation, templating, the auth builder and a fire with
no network end only in their documented results, whatever the input; redaction hides every form.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import socket
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from console import keys
from console.fire.prepare import FireContext, InvalidRequest, render_request, template_values
from console.fire.send import Timeouts, fire_install_request
from console.manifest.auth_form import AuthForm, apply_auth_form, auth_form_from
from console.manifest.document import ManifestError, ParsedManifest, read_manifest
from console.manifest.findings import ValidationReport
from console.manifest.validate import validate_manifest
from console.netpolicy import AddressPolicy
from console.outcome import CATEGORIES, FireResult
from console.templating import UnknownNameError, render_text, render_value

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                    derandomize=True)

SPICY = st.sampled_from(["{{app_token}}", "[[workspace]]", "{{nope}}", "[[", "]]", "{{", "[", "]", "\r\n", "\x00",
                         "\x85", "\u2028", "€", "é", " ", "%", "\\", '"', "http://", "https://", "[::1]", ":99999",
                         "NaN", "1e999", "@", "#", "?k=", "..", "/"])
TEXT = st.lists(st.one_of(SPICY, st.text(max_size=8)), max_size=6).map("".join)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(TEXT, inner, max_size=4)), max_leaves=20)
URL = st.builds(lambda scheme, host, port, rest: scheme + host + port + rest,
                st.sampled_from(["https://", "http://", "A://", "ftp://", "http:///", "", "HTTPS://"]),
                st.sampled_from(["example.com", "[example.com", "[]", "[::1]", "{{app_token}}", "u:{{app_token}}@h",
                                 "a b", "", "127.0.0.1", "[[workspace]].example.com", "ex\u2028ample"]),
                st.sampled_from(["", ":99999", ":0", ":443", ":x", ":65536"]),
                st.sampled_from(["/i", "/i?k={{app_token}}", "", "/[", "/a b", "#frag"]))
REQUEST = st.fixed_dictionaries({}, optional={
    "url": st.one_of(URL, URL, TEXT, JSON), "method": st.one_of(st.sampled_from(["POST", "get", "TRACE", ""]), JSON),
    "headers": st.one_of(st.lists(st.one_of(TEXT, st.builds(lambda n, v: f"{n}: {v}", TEXT, TEXT), JSON),
                                  max_size=4), JSON),
    "payload": JSON, "mapping": JSON,
})
NAMES = st.one_of(st.sampled_from([["a"], {"x": 1}, "ok", None, 3]), JSON)
PARAMS = st.one_of(st.lists(st.dictionaries(st.sampled_from(["name", "title"]), NAMES), max_size=3), JSON)
EXTRA = st.dictionaries(st.sampled_from(["connection", "type"]), JSON, max_size=2)
DOCUMENT = st.one_of(
    st.dictionaries(TEXT, JSON, max_size=3),
    st.builds(lambda request, params, extra: {"auth": {"type": "APIKEY", "params": params, "request": request,
                                                        **extra}, "actions": []}, REQUEST, PARAMS, EXTRA),
)


@SETTINGS
@given(st.one_of(st.binary(max_size=300), TEXT, JSON.map(json.dumps),
                 st.tuples(JSON.map(json.dumps), st.integers(0, 40), SPICY).map(lambda t: t[0][:t[1]] + t[2]
                                                                                + t[0][t[1]:])))
def test_parsing_ends_in_a_document_or_a_manifest_error(data: bytes | str) -> None:
    try:
        parsed = read_manifest(data)
    except ManifestError as exc:
        assert str(exc)
        return
    assert isinstance(parsed, ParsedManifest) and isinstance(parsed.document, dict)
    json.dumps(parsed.document, allow_nan=False)  # what parsing keeps is JSON


@SETTINGS
@given(DOCUMENT, st.booleans())
def test_validation_ends_in_a_report(document: dict[str, Any], for_listing: bool) -> None:
    report = validate_manifest(document, for_listing=for_listing)
    assert isinstance(report, ValidationReport)
    for issue in report.issues:
        assert issue.severity in ("error", "warning", "info") and issue.message


@SETTINGS
@given(TEXT, st.dictionaries(st.sampled_from(["app_token", "workspace", "page_id"]), TEXT), JSON)
def test_templating_renders_or_names_the_unknown(text: str, values: dict[str, str], value: Any) -> None:
    for job in (lambda: render_text(text, values), lambda: render_value(value, values)):
        try:
            job()
        except UnknownNameError as exc:
            assert exc.names


@SETTINGS
@given(DOCUMENT, st.builds(AuthForm, st.sampled_from(["server", "manual"]), TEXT, TEXT, TEXT, TEXT, TEXT, TEXT,
                           TEXT, TEXT))
def test_the_auth_builder_reads_any_document_and_any_field_text(document: dict[str, Any], form: AuthForm) -> None:
    shown = auth_form_from(document)
    assert isinstance(shown, AuthForm)
    for candidate in (shown, form):
        updated, issues = apply_auth_form(document, candidate)
        assert isinstance(updated, dict) and isinstance(issues, list)
        if not issues:
            json.dumps(updated, allow_nan=False)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"a fire with no network connected to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _no_dns(host: str, port: int) -> list[str]:
    raise OSError("no network in this test")


@SETTINGS
@given(REQUEST, st.one_of(st.none(), TEXT), st.dictionaries(st.sampled_from(["workspace", "x"]), TEXT))
def test_a_fire_with_no_network_ends_in_a_result(no_network: None, request: dict[str, Any], url: str | None,
                                                 params: dict[str, str]) -> None:
    key = "Kk" + "ab12" * 8 + '"\\/+=%'
    result = fire_install_request(request, FireContext(params=params), url=url, app_key=key,
                                  timeouts=Timeouts(0.5, 1.0), policy=AddressPolicy("team"), resolver=_no_dns)
    assert isinstance(result, FireResult) and result.category.value in CATEGORIES
    assert result.category in ("invalid_request", "dns", "timeout") and not result.ok
    text = json.dumps(result.to_dict(), ensure_ascii=False) + json.dumps(result.to_stored(), default=str)
    assert not keys.holds_key(text, key) and key not in text
    try:
        rendered = render_request(request, template_values(key, FireContext(params=params)), url)
    except InvalidRequest as exc:
        assert not keys.holds_key(str(exc), key)
    else:
        assert rendered.method in ("GET", "POST", "PUT", "PATCH", "DELETE")


@SETTINGS
@given(st.text(min_size=13, max_size=80).filter(lambda k: k.strip() == k and "\x00" not in k),
       st.lists(st.tuples(TEXT, st.integers(0, 6)), min_size=1, max_size=4))
def test_redaction_hides_every_wire_form(key: str, pieces: list[tuple[str, int]]) -> None:
    raw = key.encode()

    def form(kind: int, prefix: str) -> str:
        return [key, json.dumps(key)[1:-1], quote(key, safe=""), quote(key),
                base64.b64encode(prefix.encode()[:2] + raw).decode(),
                base64.urlsafe_b64encode(prefix.encode()[:1] + raw + b"}").decode(),
                json.dumps(key, ensure_ascii=False)[1:-1]][kind]

    text = "".join(filler + form(kind, filler) for filler, kind in pieces)
    assume(text)
    hidden = keys.redact(text, key)
    assert key not in hidden and not keys.holds_key(hidden, key)
    for plain in (json.dumps(key)[1:-1], json.dumps(key, ensure_ascii=False)[1:-1], quote(key, safe=""), quote(key)):
        assert plain not in hidden
    for run in re.findall(r"[A-Za-z0-9+/_=-]{16,}", hidden):  # an independent oracle for base64
        for skip in range(4):
            chunk = run[skip:]
            chunk = chunk[: len(chunk) // 4 * 4]
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    assert raw not in decode(chunk.replace("=", "A")), "the key survives in base64"
                except (ValueError, binascii.Error):
                    continue
