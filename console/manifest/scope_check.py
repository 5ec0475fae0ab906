"""Cross-checks of the App JSON with the app's scopes (the Public API endpoints its App Key may call).

An action that calls ``api.manychat.com/fb/...`` with the App Key needs that endpoint among the
scopes, or ManyChat answers 401 "Wrong access token". Scopes that no request calls are candidates
to drop (least privilege).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.catalog import get_scope, sort_paths
from console.manifest.calls import manychat_api_path, requests_of
from console.manifest.findings import ValidationIssue


@dataclass(frozen=True)
class ApiCall:
    pointer: str  # the request's url
    path: str
    method: str


def api_calls(document: dict[str, Any]) -> list[ApiCall]:
    """Every request of the document that calls ManyChat's Public API."""
    calls = []
    for item in requests_of(document):
        path = manychat_api_path(item.request.get("url"))
        if path is not None:
            method = item.request.get("method")
            calls.append(ApiCall(item.pointer + "/url", path, method.upper() if isinstance(method, str) else "POST"))
    return calls


def missing_scopes(document: dict[str, Any], scopes: Sequence[str]) -> list[ApiCall]:
    """Calls to catalog endpoints that are not among ``scopes`` (each one answers 401)."""
    chosen = set(scopes)
    return [call for call in api_calls(document) if get_scope(call.path) is not None and call.path not in chosen]


def unused_scopes(document: dict[str, Any], scopes: Sequence[str]) -> list[str]:
    """Selected scopes that no request of the document calls, in catalog order."""
    called = {call.path for call in api_calls(document)}
    return [path for path in sort_paths(scopes) if path not in called]


def check_scopes(document: dict[str, Any], scopes: Sequence[str]) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    chosen = set(scopes)
    for call in api_calls(document):
        scope = get_scope(call.path)
        if scope is None:
            issues.append(ValidationIssue(
                call.pointer, "warning", "scopes.unknown_endpoint",
                f"{call.path} is not one of the 34 Public API endpoints the console knows.",
                "Check the path against ManyChat's API reference (e.g. /fb/subscriber/getInfo).",
            ))
            continue
        if call.path not in chosen:
            issues.append(ValidationIssue(
                call.pointer, "error", "scopes.missing",
                f"This request calls {call.path}, which is not among the app's scopes: with the App Key ManyChat "
                "answers 401 \"Wrong access token\".",
                f"Add the scope {call.path} (Scopes page), or stop calling it.",
            ))
        if call.method != scope.method:
            issues.append(ValidationIssue(
                call.pointer.removesuffix("/url") + "/method", "warning", "scopes.method_mismatch",
                f"{call.path} is a {scope.method} endpoint; this request uses {call.method}.",
                f"Use method {scope.method}.",
            ))
    unused = unused_scopes(document, scopes)
    if unused:
        issues.append(ValidationIssue(
            "", "info", "scopes.unused",
            f"{len(unused)} scope(s) that no request of the App JSON calls: " + ", ".join(unused) + ".",
            "Candidates to drop (least privilege): installers see every scope before they confirm. Keep the "
            "ones your own server calls with the App Key (the sandbox shows what is called at run time).",
        ))
    return issues
