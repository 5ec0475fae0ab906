"""App JSON as a document: parse, load, dump, and read its parts (accessors).

Unknown fields are always kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

MAX_BYTES = 1024 * 1024
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HEADER_LINE = re.compile(r"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*)$")


class ManifestError(ValueError):
    """App JSON that cannot be read at all. The message says what and how to fix it."""


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


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (App JSON may be of any shape)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


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

