"""What a generated install endpoint must read, taken from the App JSON's own auth.request.

Every template string of the request (a header value, a payload leaf, a query value, the raw
body) becomes a ``Field``: where it sits and an anchored regular expression with one group per
placeholder, so the generated code reads each value exactly where ManyChat puts it. Pure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from console.manifest.document import as_list, is_json_content_type, param_names, request_of
from console.manifest.lint_installation import NO_PAGE_ID_HINT, NO_PAGE_ID_MESSAGE
from console.manifest.request_rules import split_header, split_url
from console.templating import KEY_VARIABLE, PLACEHOLDER, escape_pointer, names_in

REGEX_SPECIALS = set("\\.^$*+?()[]{}|/")
NO_PAGE_ID = f"{NO_PAGE_ID_MESSAGE} {NO_PAGE_ID_HINT}"


class ScaffoldError(ValueError):
    """The App JSON cannot be turned into an install endpoint; the message says why and how to fix it."""


@dataclass(frozen=True)
class Field:
    """One template string of the install request: where it sits and how to read its placeholders."""

    where: str  # "header" | "payload" | "query" | "body" | "path"
    name: str  # lowercase header name | JSON pointer | query name | "" | path parameter
    path: tuple[str | int, ...]  # the payload pointer as keys and indexes
    pattern: str  # anchored; one group per placeholder (Python and JavaScript read it alike)
    variables: tuple[str, ...]

    @property
    def location(self) -> str:
        """The console's name for this place ("header x-token", "payload /app_token")."""
        return f"{self.where} {self.name}".strip()

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "name": self.name, "path": list(self.path), "pattern": self.pattern,
                "variables": list(self.variables)}


@dataclass(frozen=True)
class InstallSpec:
    method: str
    path: str  # the URL path, placeholders of whole segments as {name}
    fields: tuple[Field, ...]
    params: tuple[str, ...]
    triggers: tuple[str, ...]
    json_body: bool

    def places(self, variable: str) -> list[str]:
        return [f.location for f in self.fields if variable in f.variables]

    @property
    def sends_page_id(self) -> bool:
        return bool(self.places("page_id"))

    @property
    def warnings(self) -> tuple[str, ...]:
        return () if self.sends_page_id else (NO_PAGE_ID,)


def pattern_of(template: str) -> tuple[str, tuple[str, ...]]:
    """An anchored regex for a template string, and the placeholder names its groups capture."""
    parts, names, last = ["^"], [], 0
    for match in PLACEHOLDER.finditer(template):
        parts.append(_literal(template[last:match.start()]))
        parts.append("([\\s\\S]*?)")
        names.append(match.group(1) if match.group(1) is not None else match.group(2))
        last = match.end()
    parts.append(_literal(template[last:]) + "$")
    return "".join(parts), tuple(names)


def _literal(text: str) -> str:
    return "".join("\\" + c if c in REGEX_SPECIALS else c for c in text)


def _payload_fields(value: Any, path: tuple[str | int, ...] = ()) -> list[Field]:
    if isinstance(value, str):
        if not names_in(value):
            return []
        pattern, names = pattern_of(value)
        pointer = "".join("/" + escape_pointer(str(p)) for p in path)
        return [Field("payload", pointer, path, pattern, names)]
    if isinstance(value, dict):
        if any(names_in(str(k)) for k in value):
            raise ScaffoldError("auth.request.payload has a placeholder in an object key; the scaffold reads values "
                                "only. Move it into a value, e.g. {\"page_id\": \"{{page_id}}\"}.")
        return [f for k, v in value.items() for f in _payload_fields(v, (*path, str(k)))]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _payload_fields(v, (*path, i))]
    return []


def _route(path: str) -> tuple[str, list[Field]]:
    segments, fields = [], []
    for segment in path.split("/"):
        found = names_in(segment)
        if not found:
            segments.append(segment)
        elif PLACEHOLDER.fullmatch(segment.strip()):
            segments.append("{" + found[0] + "}")
            fields.append(Field("path", found[0], (), "^([\\s\\S]*?)$", (found[0],)))
        else:
            raise ScaffoldError(f"auth.request.url puts a placeholder inside the path segment {segment!r}; the "
                                "scaffold routes whole segments only. Use e.g. /install/{{page_id}}.")
    return "/".join(segments) or "/", fields


def install_spec(document: dict[str, Any]) -> InstallSpec:
    """The spec of the install endpoint for this App JSON; ScaffoldError without auth.request."""
    request = request_of(document)
    if request is None:
        raise ScaffoldError("The App JSON has no auth.request: ManyChat shows the App Key to the installer (manual "
                            "delivery), so there is no install endpoint to generate. Add an auth.request object "
                            "pointing at your endpoint.")
    url = request.get("url")
    parts = split_url(url) if isinstance(url, str) else None
    if parts is None:
        raise ScaffoldError("auth.request.url is missing or not an absolute http(s) URL; fix it first "
                            "(python -m console validate APP_JSON says how).")
    path, fields = _route(parts.path or "/")
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if names_in(value):
            pattern, names = pattern_of(value)
            fields.append(Field("query", name, (), pattern, names))
    headers = [h for h in (split_header(line) for line in as_list(request.get("headers")) if isinstance(line, str))
               if h is not None]
    for name, value in headers:
        if names_in(value):
            pattern, names = pattern_of(value)
            fields.append(Field("header", name.lower(), (), pattern, names))
    payload = request.get("payload")
    json_body = isinstance(payload, dict | list) or (isinstance(payload, str) and _is_json(payload, headers))
    if isinstance(payload, str) and names_in(payload):
        if json_body:
            fields.extend(_payload_fields(json.loads(payload)))
        else:
            pattern, names = pattern_of(payload)
            fields.append(Field("body", "", (), pattern, names))
    elif not isinstance(payload, str):
        fields.extend(_payload_fields(payload))
    if not any(KEY_VARIABLE in f.variables for f in fields):
        raise ScaffoldError("{{app_token}} is neither in a header, the payload, the query nor the path of "
                            "auth.request, so the endpoint could never read the App Key. Add a header line "
                            "\"x-app-key: {{app_token}}\" or a payload field \"app_token\": \"{{app_token}}\".")
    method = str(request.get("method") or "POST").upper()
    triggers = tuple(str(t["name"]) for t in as_list(document.get("triggers"))
                     if isinstance(t, dict) and isinstance(t.get("name"), str))
    return InstallSpec(method, path, tuple(fields), tuple(param_names(document)), triggers, json_body)


def _is_json(payload: str, headers: list[tuple[str, str]]) -> bool:
    if not is_json_content_type([f"{n}: {v}" for n, v in headers]):
        return False
    try:
        json.loads(payload)
    except json.JSONDecodeError:
        return False
    return True

