"""App JSON: parse, validate (JSON Schema + lint), import/export.

Validation findings carry an RFC 6901 pointer into the document, a severity, a stable
code, a message and a fix hint. Unknown fields are always kept.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from console.templating import KEY_VARIABLE, SYSTEM_VARIABLES, names_in, walk_strings

MAX_BYTES = 1024 * 1024
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HEADER_LINE = re.compile(r"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*)$")
LEGACY_KEY_PARAM = re.compile(r"api[\s_-]*(key|token)|access[\s_-]*token|manychat[\s_-]*(key|token)", re.I)
SEVERITIES = ("error", "warning", "info")


class ManifestError(ValueError):
    """App JSON that cannot be read at all. The message says what and how to fix it."""


@dataclass(frozen=True)
class ValidationIssue:
    pointer: str
    severity: str
    code: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, str]:
        message = f"{self.message} {self.hint}".strip()
        return {"pointer": self.pointer, "severity": self.severity, "code": self.code, "message": message}


@dataclass(frozen=True)
class ValidationReport:
    issues: tuple[ValidationIssue, ...]

    @property
    def valid(self) -> bool:
        return not any(issue.severity == "error" for issue in self.issues)

    def by_code(self, code: str) -> list[ValidationIssue]:
        return [issue for issue in self.issues if issue.code == code]

    def at(self, pointer_prefix: str) -> list[ValidationIssue]:
        return [i for i in self.issues if i.pointer == pointer_prefix or i.pointer.startswith(pointer_prefix + "/")]

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "issues": [issue.to_dict() for issue in self.issues]}


# ---------------------------------------------------------------- reading


def parse_manifest(data: bytes | str) -> dict[str, Any]:
    """Parse App JSON text; raise ManifestError with a specific, fixable message."""
    if isinstance(data, str):
        raw = data.encode("utf-8")
    else:
        raw = data
    if len(raw) > MAX_BYTES:
        raise ManifestError(
            f"The file is {len(raw) / 1024 / 1024:.1f} MiB; App JSON files are limited to 1 MiB. "
            "Check that you picked the right file."
        )
    if b"\x00" in raw:
        raise ManifestError("The file is binary (it contains NUL bytes), not App JSON text. Pick a .json file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"The file is not UTF-8 text (invalid byte at position {exc.start}). Save it as UTF-8 and try again."
        ) from None
    if not text.strip():
        raise ManifestError("The App JSON is empty. Paste or upload a JSON object with 'auth' and 'actions'.")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    if not isinstance(document, dict):
        kind = type(document).__name__.replace("dict", "object").replace("list", "array")
        raise ManifestError(
            f"The top level of App JSON must be an object with 'auth' and 'actions', not {kind}."
        )
    return document


def load_manifest_file(path: str | Path) -> dict[str, Any]:
    """Read and parse an App JSON file; every failure becomes a ManifestError."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if file.is_dir():
            raise ManifestError(f"{file} is a folder; give the path of an App JSON file.")
        if size > MAX_BYTES:
            raise ManifestError(f"{file} is {size / 1024 / 1024:.1f} MiB; App JSON files are limited to 1 MiB.")
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"{file}: no such file.") from None
    except PermissionError:
        raise ManifestError(f"{file}: permission denied.") from None
    except OSError as exc:
        raise ManifestError(f"{file}: cannot be read ({exc.strerror}).") from None
    try:
        return parse_manifest(raw)
    except ManifestError as exc:
        raise ManifestError(f"{file}: {exc}") from None


def dump_manifest(document: dict[str, Any]) -> str:
    """The App JSON document as pretty-printed UTF-8 JSON text (key order kept)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def new_manifest() -> dict[str, Any]:
    """An App JSON document with an empty server-side auth section."""
    return {
        "auth": {
            "type": "APIKEY",
            "params": [],
            "request": {
                "url": "",
                "method": "POST",
                "headers": ["Content-Type: application/json"],
                "mapping": [],
                "payload": {"app_token": "{{app_token}}"},
            },
        },
        "actions": [],
    }


# ---------------------------------------------------------------- accessors


def auth_of(document: dict[str, Any]) -> dict[str, Any] | None:
    auth = document.get("auth")
    return auth if isinstance(auth, dict) else None


def request_of(document: dict[str, Any]) -> dict[str, Any] | None:
    auth = auth_of(document)
    request = auth.get("request") if auth else None
    return request if isinstance(request, dict) else None


def request_or_default(document: dict[str, Any]) -> dict[str, Any]:
    """auth.request, or (manual delivery) a POST carrying the key in the payload, for firing at a given URL."""
    return request_of(document) or {"method": "POST", "headers": ["Content-Type: application/json"],
                                     "payload": {"app_token": "{{app_token}}"}}


def param_names(document: dict[str, Any]) -> list[str]:
    auth = auth_of(document)
    params = auth.get("params") if auth else None
    if not isinstance(params, list):
        return []
    return [p["name"] for p in params if isinstance(p, dict) and isinstance(p.get("name"), str)]


def split_header(line: str) -> tuple[str, str] | None:
    """``Name: value`` → (name, value); None when the line is not of that form."""
    if "\r" in line or "\n" in line:
        return None
    match = HEADER_LINE.match(line)
    return (match.group(1), match.group(2)) if match else None


def is_json_content_type(headers: list[Any]) -> bool:
    for line in headers:
        parsed = split_header(line) if isinstance(line, str) else None
        if parsed and parsed[0].lower() == "content-type":
            media = parsed[1].split(";")[0].strip().lower()
            return media == "application/json" or media.endswith("+json")
    return False


# ---------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    text = resources.files("console.schemas").joinpath("app.schema.json").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


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
            f"Change the value at {field} to a {expected}.",
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


def validate_manifest(document: dict[str, Any], for_listing: bool = False) -> ValidationReport:
    """Schema errors first, then lint findings, each with a pointer, code and fix hint."""
    issues = [_schema_issue(e) for e in _validator().iter_errors(document)]
    issues.extend(lint_manifest(document, for_listing=for_listing))
    seen: set[tuple[str, str]] = set()
    unique = []
    for issue in issues:
        if (issue.pointer, issue.code) not in seen:
            seen.add((issue.pointer, issue.code))
            unique.append(issue)
    return ValidationReport(tuple(unique))


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
    issues.extend(_lint_params(auth))
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
    return issues


def _lint_params(auth: dict[str, Any]) -> list[ValidationIssue]:
    issues = []
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
        if LEGACY_KEY_PARAM.search(text):
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


def _lint_request(request: dict[str, Any], names: set[str], for_listing: bool) -> list[ValidationIssue]:
    base = "/auth/request"
    issues = _lint_url(request.get("url"), base + "/url", for_listing)
    method = request.get("method")
    if isinstance(method, str) and method.upper() not in METHODS:
        issues.append(ValidationIssue(
            base + "/method", "error", "method.invalid", f"The method '{method}' is not supported.",
            f"Use one of {', '.join(METHODS)} (ManyChat sends POST by default).",
        ))
    headers = request.get("headers") if isinstance(request.get("headers"), list) else []
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
    if not isinstance(url, str) or not url.strip():
        return [ValidationIssue(
            pointer, "error", "url.missing", "The request URL is missing.",
            "Enter the full address of your install endpoint, e.g. https://example.com/manychat/installed.",
        )]
    probe = re.sub(r"\{\{[^}]*\}\}|\[\[[^\]]*\]\]", "x", url.strip())
    parts = urlsplit(probe)
    if not parts.scheme or not parts.netloc:
        return [ValidationIssue(
            pointer, "error", "url.not_absolute", f"'{url}' is not an absolute URL.",
            "Start it with https:// and the host name, e.g. https://example.com/manychat/installed.",
        )]
    issues = []
    if parts.scheme.lower() not in ("http", "https"):
        issues.append(ValidationIssue(
            pointer, "error", "url.scheme", f"The scheme '{parts.scheme}' is not http or https.",
            "ManyChat sends the install request over HTTPS: use an https:// URL.",
        ))
    elif parts.scheme.lower() == "http":
        issues.append(ValidationIssue(
            pointer, "error" if for_listing else "warning", "url.insecure",
            "The URL uses plain http://: the App Key would travel unencrypted.",
            "Serve your endpoint over https:// (required for an App Store listing).",
        ))
    if KEY_VARIABLE in names_in(urlsplit(url).query):
        issues.append(ValidationIssue(
            pointer, "warning", "key.in_query",
            "The App Key is placed in the URL query: URLs end up in access logs and proxies.",
            "Send {{app_token}} in a header or in the payload instead.",
        ))
    return issues


def _lint_headers(headers: list[Any], base: str) -> list[ValidationIssue]:
    issues = []
    seen: dict[str, int] = {}
    for index, line in enumerate(headers):
        pointer = f"{base}/{index}"
        if not isinstance(line, str):
            continue
        if "\r" in line or "\n" in line:
            issues.append(ValidationIssue(
                pointer, "error", "header.crlf", "The header line contains a line break (CR/LF).",
                "Put each header on its own line item; line breaks would inject headers.",
            ))
            continue
        parsed = split_header(line)
        if parsed is None:
            issues.append(ValidationIssue(
                pointer, "error", "header.malformed", f"'{line}' is not a 'Name: value' header line.",
                "Write it as Name: value, e.g. x-token-header: {{app_token}}.",
            ))
            continue
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


# ---------------------------------------------------------------- auth form <-> document


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
    params = auth.get("params") if isinstance(auth.get("params"), list) else []
    connection = auth.get("connection") if isinstance(auth.get("connection"), dict) else {}
    conn_headers = connection.get("headers") if isinstance(connection.get("headers"), dict) else {}
    conn_qs = connection.get("qs") if isinstance(connection.get("qs"), dict) else {}
    headers = shown.get("headers") if isinstance(shown.get("headers"), list) else []
    payload = shown.get("payload")
    return AuthForm(
        delivery="server" if request is not None else "manual",
        url=str(shown.get("url", "")),
        method=str(shown.get("method", "POST")),
        headers_text="\n".join(str(h) for h in headers),
        payload_text="" if payload is None else json.dumps(payload, indent=2, ensure_ascii=False),
        mapping_text=json.dumps(shown.get("mapping", []), indent=2, ensure_ascii=False),
        params_text="\n".join(f"{p.get('name', '')}: {p.get('title', '')}" for p in params if isinstance(p, dict)),
        connection_headers_text="\n".join(f"{k}: {v}" for k, v in conn_headers.items()),
        connection_qs_text="\n".join(f"{k}={v}" for k, v in conn_qs.items()),
    )


def _json_field(text: str, pointer: str, label: str) -> tuple[Any, ValidationIssue | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, ValidationIssue(
            pointer, "error", "form.json", f"{label} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}).", "Fix the JSON; nothing was saved.",
        )


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
    auth = updated.get("auth") if isinstance(updated.get("auth"), dict) else {"type": "APIKEY"}
    updated["auth"] = auth
    auth.setdefault("type", "APIKEY")
    old_params = {p.get("name"): p for p in auth.get("params", []) if isinstance(p, dict)} \
        if isinstance(auth.get("params"), list) else {}
    auth["params"] = [
        {**old_params.get(name, {}), "name": name, "title": title}
        for name, title in params.items()
    ]
    connection = auth.get("connection") if isinstance(auth.get("connection"), dict) else {}
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
    request = dict(auth.get("request")) if isinstance(auth.get("request"), dict) else {}
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
