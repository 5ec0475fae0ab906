"""The auth builder's fields <-> the App JSON auth section (unknown fields kept)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from console.manifest.document import (
    ManifestError,
    as_dict,
    as_list,
    auth_of,
    new_manifest,
    parse_json_value,
    request_of,
)
from console.manifest.findings import ValidationIssue


@dataclass(frozen=True)
class AuthForm:
    """The auth section as the builder's fields hold it."""

    delivery: str = "server"  # "server" | "manual"
    url: str = ""
    method: str = "POST"
    headers_text: str = ""
    payload_text: str = ""
    mapping_text: str = "[]"
    params_text: str = ""  # one param a line: name: Title
    connection_headers_text: str = ""
    connection_qs_text: str = ""


def auth_form_from(document: dict[str, Any]) -> AuthForm:
    """The builder's field values for a document's auth section (defaults where it has none)."""
    auth = auth_of(document) or {}
    request = request_of(document)
    shown = request if request is not None else new_manifest()["auth"]["request"]
    params = as_list(auth.get("params"))
    connection = as_dict(auth.get("connection"))
    conn_headers = as_dict(connection.get("headers"))
    conn_qs = as_dict(connection.get("qs"))
    headers = as_list(shown.get("headers"))
    payload = shown.get("payload")
    return AuthForm(
        delivery="server" if request is not None else "manual",
        url=_text(shown.get("url", "")),
        method=_text(shown.get("method", "POST")),
        headers_text="\n".join(_text(h) for h in headers),
        payload_text="" if payload is None else _dump(payload),
        mapping_text=_dump(shown.get("mapping", [])),
        params_text="\n".join(f"{_text(p.get('name'))}: {_text(p.get('title'))}" for p in params
                               if isinstance(p, dict)),
        connection_headers_text="\n".join(f"{k}: {_text(v)}" for k, v in conn_headers.items()),
        connection_qs_text="\n".join(f"{k}={_text(v)}" for k, v in conn_qs.items()),
    )


def _text(value: Any) -> str:
    """A field value as one line of text (a non-string shown as its JSON)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _dump(value).replace("\n", " ")


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        return "null"


def _json_field(text: str, pointer: str, label: str) -> tuple[Any, ValidationIssue | None]:
    """The field's JSON value, read by the same rules as an imported App JSON (no NaN, bounded depth)."""
    try:
        value, findings = parse_json_value(text)
    except ManifestError as exc:
        return None, ValidationIssue(pointer, "error", "form.json", f"{label} is not valid JSON: {exc}",
                                     "Fix the JSON; nothing was saved.")
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        return None, ValidationIssue(pointer, "error", "form.json", f"{label} is not valid JSON: {errors[0].message}",
                                     f"{errors[0].hint} Nothing was saved.")
    return value, None


def _pairs(text: str, separator: str, pointer: str, label: str) -> tuple[dict[str, str], list[ValidationIssue]]:
    result: dict[str, str] = {}
    issues = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(separator)
        if not sep or not name.strip():
            issues.append(ValidationIssue(
                pointer, "error", "form.pair", f"{label}, line {number}: '{line}' has no '{separator}'.",
                f"Write one per line as name{separator}value; nothing was saved.",
            ))
            continue
        result[name.strip()] = value.strip()
    return result, issues


def apply_auth_form(document: dict[str, Any], form: AuthForm) -> tuple[dict[str, Any], list[ValidationIssue]]:
    """A new document with the form's auth section; unknown fields kept.

    When a field cannot be read (bad JSON, a malformed line), the issues say which, and the
    document is returned unchanged.
    """
    issues: list[ValidationIssue] = []
    payload = None
    if form.payload_text.strip():
        payload, issue = _json_field(form.payload_text, "/auth/request/payload", "The payload")
        issues += [issue] if issue else []
    mapping, issue = _json_field(form.mapping_text or "[]", "/auth/request/mapping", "The mapping")
    issues += [issue] if issue else []
    if issue is None and not isinstance(mapping, list):
        issues.append(ValidationIssue("/auth/request/mapping", "error", "form.json",
                                      "The mapping must be a JSON array.", "Use [] for none; nothing was saved."))
    params, more = _pairs(form.params_text, ":", "/auth/params", "Installer params")
    issues += more
    conn_headers, more = _pairs(form.connection_headers_text, ":", "/auth/connection/headers", "Connection headers")
    issues += more
    conn_qs, more = _pairs(form.connection_qs_text, "=", "/auth/connection/qs", "Connection query string")
    issues += more
    if issues:
        return document, issues

    updated = copy.deepcopy(document)
    auth: dict[str, Any] = as_dict(updated.get("auth")) or {"type": "APIKEY"}
    updated["auth"] = auth
    auth.setdefault("type", "APIKEY")
    old_params = {p["name"]: p for p in as_list(auth.get("params"))
                  if isinstance(p, dict) and isinstance(p.get("name"), str)}
    auth["params"] = [
        {**old_params.get(name, {}), "name": name, "title": title}
        for name, title in params.items()
    ]
    connection = as_dict(auth.get("connection"))
    if conn_headers or conn_qs or connection:
        connection = dict(connection)
        for key, value in (("headers", conn_headers), ("qs", conn_qs)):
            if value:
                connection[key] = value
            else:
                connection.pop(key, None)
        auth["connection"] = connection
    if form.delivery == "manual":
        auth.pop("request", None)
        return updated, []
    request = dict(as_dict(auth.get("request")))
    request["url"] = form.url.strip()
    request["method"] = form.method
    request["headers"] = [line.rstrip("\r") for line in form.headers_text.split("\n") if line.strip()]
    request["mapping"] = mapping
    if payload is None:
        request.pop("payload", None)
    else:
        request["payload"] = payload
    auth["request"] = request
    return updated, []

