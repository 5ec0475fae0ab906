"""Validation of App JSON: JSON Schema (Draft 2020-12) first, then lint rules.

Findings carry an RFC 6901 pointer into the document, a severity, a stable code, a message
and a fix hint.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Collection, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from console.manifest.calls import names_sent_to_manychat
from console.manifest.document import MAX_DEPTH, as_list, auth_of, is_json_content_type, param_names, split_header
from console.manifest.findings import ValidationIssue, ValidationReport
from console.manifest.lint_actions import lint_actions
from console.manifest.lint_installation import lint_page_id
from console.manifest.lint_mapping import lint_mapping
from console.manifest.lint_sources import lint_sources
from console.manifest.lint_triggers import lint_triggers
from console.manifest.request_rules import (
    Rule,
    header_line_rule,
    header_value_rule,
    method_rule,
    split_url,
    url_rule,
    without_placeholders,
)
from console.templating import KEY_VARIABLE, SYSTEM_VARIABLES, names_in, walk_strings

KEY_WORDS = re.compile(r"api[\s_-]*(key|token)|access[\s_-]*token|\b(key|token)\b", re.I)
MANYCHAT_NAMED = re.compile(r"many[\s_-]*chat", re.I)
AUTH_TYPES = ("APIKEY",)


def app_schema() -> dict[str, Any]:
    """The App JSON schema (Draft 2020-12); the test suite checks that it is a valid schema."""
    text = resources.files("console.manifest.schemas").joinpath("app.schema.json").read_text("utf-8")
    return dict(json.loads(text))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(app_schema())


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _schema_issue(error: ValidationError) -> ValidationIssue:
    if error.validator in ("oneOf", "anyOf") and error.context:
        deeper = best_match(error.context)
        if deeper is not None:
            error = deeper
    pointer = _pointer(error.absolute_path)
    field = pointer or "the document"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a field"
        return ValidationIssue(
            pointer, "error", "schema.required", f"{field} is missing the required field '{missing}'.",
            f"Add '{missing}'.",
        )
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(
            error.validator_value)
        return ValidationIssue(
            pointer, "error", "schema.type", f"{field} must be of type {expected}.",
            f"Change the value at {field} to {_with_article(expected)}.",
        )
    if error.validator == "const":
        return ValidationIssue(
            pointer, "error", "schema.const", f"{field} must be {json.dumps(error.validator_value)}.",
            f"Set it to {json.dumps(error.validator_value)}.",
        )
    if error.validator == "pattern" and pointer.endswith("/name"):
        return ValidationIssue(
            pointer, "error", "schema.pattern", f"{field} must be a name of letters, digits and '_'.",
            "Rename it, e.g. 'api_region'.",
        )
    return ValidationIssue(pointer, "error", f"schema.{error.validator}", f"{field}: {error.message}.", "")


def _with_article(type_name: str) -> str:
    """ "an object", "an array", "a string", "null": the JSON type as a sentence reads it."""
    if type_name.startswith("null"):
        return type_name
    return ("an " if type_name[:1] in "aeiou" else "a ") + type_name


_REPORTS: dict[tuple[str, bool, tuple[str, ...] | None], ValidationReport] = {}
_REPORTS_KEPT = 64  # the reports of the documents validated last (a page validates the same App JSON each rerun)
_REPORTS_LOCK = threading.Lock()


def validate_manifest(document: dict[str, Any], for_listing: bool = False,
                      scopes: Sequence[str] | None = None) -> ValidationReport:
    """Schema errors first, then lint findings for every part (auth, actions, sources, triggers),
    each with a pointer, code and fix hint. With ``scopes`` (the app's), the cross-checks too.

    The same document (by its canonical JSON), mode and scopes give the same report: it is kept for
    the next call in this process (reports are immutable)."""
    try:
        key = (json.dumps(document, sort_keys=True, ensure_ascii=False, allow_nan=False), for_listing,
               None if scopes is None else tuple(scopes))
    except (TypeError, ValueError, RecursionError):  # not plain JSON: validate it, keep nothing
        return _validate(document, for_listing, scopes)
    with _REPORTS_LOCK:
        kept = _REPORTS.get(key)
    if kept is not None:
        return kept
    report = _validate(document, for_listing, scopes)
    with _REPORTS_LOCK:
        if len(_REPORTS) >= _REPORTS_KEPT:
            _REPORTS.pop(next(iter(_REPORTS)))
        _REPORTS[key] = report
    return report


def _validate(document: dict[str, Any], for_listing: bool, scopes: Sequence[str] | None) -> ValidationReport:
    depth = _depth_of(document)
    if depth > MAX_DEPTH:
        return ValidationReport((ValidationIssue(
            "", "error", "json.too_deep", f"The document is nested {depth} levels deep; App JSON is limited to "
            f"{MAX_DEPTH} levels.", "Flatten the nested arrays or objects."),))
    issues = [_schema_issue(e) for e in _validator().iter_errors(document)]
    issues.extend(lint_manifest(document, for_listing=for_listing))
    issues.extend(lint_actions(document, for_listing, _lint_request))
    issues.extend(lint_sources(document, for_listing, _lint_request))
    issues.extend(lint_triggers(document))
    if scopes is not None:
        from console.manifest.scope_check import check_scopes  # the scope catalogue: only with the app's scopes

        issues.extend(check_scopes(document, scopes))
    seen: set[tuple[str, str]] = set()
    unique = []
    for issue in issues:
        if (issue.pointer, issue.code) not in seen:
            seen.add((issue.pointer, issue.code))
            unique.append(issue)
    return ValidationReport(tuple(unique))


def _depth_of(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (iterative: any depth is safe to measure)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _issue(pointer: str, rule: Rule, severity: str = "error") -> ValidationIssue:
    return ValidationIssue(pointer, severity, rule.code, rule.message, rule.hint)


def lint_manifest(document: dict[str, Any], for_listing: bool = False) -> list[ValidationIssue]:
    """The rules beyond the schema. Defensive: the document may be of any shape."""
    issues: list[ValidationIssue] = []
    auth = auth_of(document)
    if auth is None:
        issues.append(ValidationIssue(
            "/auth", "info", "request.missing",
            "No auth section: installers are not asked for anything and no App Key is delivered.",
            "Add an auth section with a 'request' object so your endpoint receives the App Key.",
        ))
        return issues
    names = set(SYSTEM_VARIABLES) | set(param_names(document))
    kind = auth.get("type")
    if isinstance(kind, str) and kind not in AUTH_TYPES:
        issues.append(ValidationIssue(
            "/auth/type", "warning", "auth.type_unknown",
            f"The auth type '{kind}' is not APIKEY, the one type the Specification describes.",
            "Use \"type\": \"APIKEY\" unless ManyChat told you otherwise: the console checks the rest as APIKEY.",
        ))
    issues.extend(_lint_params(auth, names_sent_to_manychat(document)))
    issues.extend(_lint_templates(auth.get("connection"), "/auth/connection", names))
    request = auth.get("request")
    if not isinstance(request, dict):
        if "request" not in auth:
            issues.append(ValidationIssue(
                "/auth", "info", "request.missing",
                "No 'request' object: installers will copy the App Key by hand (manual delivery).",
                "The App Store expects server-side delivery: add auth.request pointing at your endpoint.",
            ))
        return issues
    issues.extend(_lint_request(request, names, for_listing))
    issues.extend(lint_page_id(request))
    issues.extend(lint_mapping(request.get("mapping"), "/auth/request/mapping"))
    return issues


def _lint_params(auth: dict[str, Any], sent_to_manychat: Collection[str] = ()) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    params = auth.get("params")
    if not isinstance(params, list):
        return issues
    seen: set[str] = set()
    for index, param in enumerate(params):
        if not isinstance(param, dict):
            continue
        name, title = param.get("name"), param.get("title")
        pointer = f"/auth/params/{index}"
        if isinstance(name, str):
            if name in seen:
                issues.append(ValidationIssue(
                    pointer + "/name", "error", "params.duplicate", f"The param name '{name}' is declared twice.",
                    "Give every installer param a unique name.",
                ))
            seen.add(name)
            if name in SYSTEM_VARIABLES:
                issues.append(ValidationIssue(
                    pointer + "/name", "error", "params.reserved",
                    f"'{name}' is a ManyChat system variable and cannot be an installer param.",
                    "Rename the param.",
                ))
        text = " ".join(v for v in (name, title) if isinstance(v, str))
        # Keys for other services are what params are for: warn only about a ManyChat key.
        sent = isinstance(name, str) and name in sent_to_manychat
        if (MANYCHAT_NAMED.search(text) and KEY_WORDS.search(text)) or sent:
            issues.append(ValidationIssue(
                pointer, "warning", "params.legacy_api_key",
                f"The param '{name}' seems to ask installers for a ManyChat API key: the legacy way.",
                "Since 1 February 2021 apps must use the App Key: ManyChat issues one per installation and "
                "sends it with auth.request as {{app_token}}. Remove this param.",
            ))
    return issues


def _lint_templates(value: Any, base: str, names: set[str]) -> list[ValidationIssue]:
    issues = []
    for pointer, text in walk_strings(value, base):
        for name in dict.fromkeys(names_in(text)):
            if name not in names:
                issues.append(ValidationIssue(
                    pointer, "error", "template.unknown",
                    f"'{name}' is neither a system variable nor a declared param.",
                    f"Use one of {', '.join(sorted(names))}, or declare '{name}' in auth.params.",
                ))
    return issues


def _lint_request(request: dict[str, Any], names: set[str], for_listing: bool,
                  base: str = "/auth/request") -> list[ValidationIssue]:
    issues = _lint_url(request.get("url"), base + "/url", for_listing)
    method = request.get("method")
    bad_method = method_rule(method)
    if bad_method is not None:
        issues.append(_issue(base + "/method", bad_method))
    headers = as_list(request.get("headers"))
    issues.extend(_lint_headers(headers, base + "/headers"))
    payload = request.get("payload")
    has_payload = payload not in (None, "", {}, [])
    if isinstance(method, str) and method.upper() == "GET" and has_payload:
        issues.append(ValidationIssue(
            base + "/payload", "warning", "payload.with_get", "A payload with GET: many servers ignore a GET body.",
            "Use POST for the install request, or move the values into headers.",
        ))
    if isinstance(payload, str) and payload.strip() and is_json_content_type(headers):
        try:
            json.loads(payload)
        except json.JSONDecodeError:
            issues.append(ValidationIssue(
                base + "/payload", "error", "payload.not_json",
                "The Content-Type header says JSON but the payload is not JSON text.",
                "Make the payload a JSON object, or change the Content-Type header.",
            ))
    issues.extend(_lint_templates(request.get("url"), base + "/url", names))
    issues.extend(_lint_templates(headers, base + "/headers", names))
    issues.extend(_lint_templates(payload, base + "/payload", names))
    carriers = [request.get("url")] + list(headers) + [text for _, text in walk_strings(payload)]
    if not any(isinstance(c, str) and KEY_VARIABLE in names_in(c) for c in carriers):
        issues.append(ValidationIssue(
            base, "error", "key.not_delivered",
            "{{app_token}} appears nowhere in the request: your endpoint would never get the App Key.",
            'Add a header line "x-app-key: {{app_token}}" or a payload field "app_token": "{{app_token}}".',
        ))
    return issues


def _lint_url(url: Any, pointer: str, for_listing: bool) -> list[ValidationIssue]:
    """The request rules on the URL, with each placeholder standing in for a value."""
    probe = without_placeholders(url.strip()) if isinstance(url, str) else url
    broken = url_rule(probe, shown=url if isinstance(url, str) else None)
    if broken is not None:
        return [_issue(pointer, broken)]
    parts = split_url(probe)
    issues = []
    if parts is not None and parts.scheme.lower() == "http":
        issues.append(ValidationIssue(
            pointer, "error" if for_listing else "warning", "url.insecure",
            "The URL uses plain http://: the App Key would travel unencrypted.",
            "Serve your endpoint over https:// (required for an App Store listing).",
        ))
    query = split_url(url)
    if query is not None and KEY_VARIABLE in names_in(query.query):
        issues.append(ValidationIssue(
            pointer, "warning", "key.in_query",
            "The App Key is placed in the URL query: URLs end up in access logs and proxies.",
            "Send {{app_token}} in a header or in the payload instead.",
        ))
    return issues


def _lint_headers(headers: list[Any], base: str) -> list[ValidationIssue]:
    """The request rules on each header line (form, sendable value) and duplicate names."""
    issues = []
    seen: dict[str, int] = {}
    for index, line in enumerate(headers):
        pointer = f"{base}/{index}"
        broken = header_line_rule(line)
        if broken is not None:
            issues.append(_issue(pointer, broken))
            continue
        parsed = split_header(line)
        assert parsed is not None
        unsendable = header_value_rule(parsed[0], without_placeholders(parsed[1]))
        if unsendable is not None:
            issues.append(_issue(pointer, unsendable))
        lowered = parsed[0].lower()
        if lowered in seen:
            issues.append(ValidationIssue(
                pointer, "warning", "header.duplicate",
                f"The header '{parsed[0]}' is set twice (also line {seen[lowered] + 1}).",
                "Keep one line per header name.",
            ))
        else:
            seen[lowered] = index
    return issues
