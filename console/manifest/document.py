"""App JSON as a document: parse, load, dump, and read its parts (accessors).

Unknown fields are always kept.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from console.manifest.findings import ValidationIssue
from console.manifest.request_rules import HEADER_LINE, METHODS, split_header

__all__ = ["HEADER_LINE", "METHODS", "ManifestError", "ParsedManifest", "load_manifest_file", "parse_manifest",
           "read_manifest", "read_manifest_file", "split_header"]

def document_hash(document: object) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces): the same document always hashes the same.
    Fires and sign-offs keep it, so evidence is found for the exact App JSON it was gathered with."""
    import hashlib

    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# An App JSON document as parsed (a JSON object: its values are whatever JSON holds).
Document = dict[str, Any]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64  # nesting of arrays and objects; real App JSON is under 10 deep
MAX_NUMBER_DIGITS = 400


class ManifestError(ValueError):
    """App JSON that cannot be read at all. The message says what and how to fix it."""


@dataclass(frozen=True)
class ParsedManifest:
    """A parsed document and what parsing found: errors (not JSON) and warnings (duplicate keys)."""

    document: dict[str, Any]
    findings: tuple[ValidationIssue, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[ValidationIssue, ...]:
        return tuple(f for f in self.findings if f.severity == "error")


class _NotJson:
    """A number JSON cannot hold (NaN, Infinity, 1e999, an absurdly long integer), found while parsing."""

    def __init__(self, text: str, why: str):
        self.text, self.why = text, why


class _Pairs(dict[str, Any]):
    """An object as parsed, remembering the keys it held more than once."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Pairs:
    result = _Pairs()
    result.duplicates = []
    for key, value in pairs:
        if key in result and key not in result.duplicates:
            result.duplicates.append(key)
        result[key] = value
    return result


def _constant(text: str) -> _NotJson:
    return _NotJson(text, f"{text} is not a JSON number")


def _float(text: str) -> float | _NotJson:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _NotJson(text[:40], f"{text[:40]} is too large for a JSON number (it overflows to infinity)")
    return value


def _int(text: str) -> int | _NotJson:
    if len(text) > MAX_NUMBER_DIGITS:
        return _NotJson(text[:20] + "…", f"an integer of {len(text)} digits is too long for a JSON number")
    return int(text)


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects (strings skipped), without recursion."""
    # A string runs to its closing quote or, unclosed, to the end (as the JSON parser reads it):
    # a match never fails, so no quote is scanned from twice (linear in the text).
    brackets = re.sub(r'"(?:[^"\\]|\\.)*+"?', "", text, flags=re.DOTALL)
    steps = [1 if ch in "[{" else -1 for ch in brackets if ch in "[]{}"]
    return max(accumulate(steps), default=0)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _clean(value: Any, findings: list[ValidationIssue]) -> Any:
    """Plain dicts and lists again, with a finding (and its pointer) for each duplicate key and bad number."""
    root: list[Any] = [None]
    stack: list[tuple[Any, list[Any] | dict[str, Any], Any, str]] = [(value, root, 0, "")]
    while stack:
        item, parent, slot, pointer = stack.pop()
        if isinstance(item, _NotJson):
            findings.append(ValidationIssue(
                pointer, "error", "json.not_a_number", f"{pointer or '/'}: {item.why}; JSON has no such value.",
                "Use a finite number (or a string, or null)."))
            parent[slot] = None
        elif isinstance(item, dict):
            for key in getattr(item, "duplicates", []):
                findings.append(ValidationIssue(
                    f"{pointer}/{_escape(key)}", "warning", "json.duplicate_key",
                    f"{pointer or '/'}: the key '{key}' appears more than once; only the last one counts.",
                    "Keep one of them (JSON parsers disagree on which one wins)."))
            plain: dict[str, Any] = {}
            parent[slot] = plain
            for key, child in item.items():
                plain[key] = None
                stack.append((child, plain, key, f"{pointer}/{_escape(key)}"))
        elif isinstance(item, list):
            items: list[Any] = [None] * len(item)
            parent[slot] = items
            stack.extend((child, items, index, f"{pointer}/{index}") for index, child in enumerate(item))
        else:
            parent[slot] = item
    findings.sort(key=lambda f: (f.severity != "error", f.pointer))
    return root[0]


def _is_utf16(raw: bytes) -> bool:
    """UTF-16 text: a byte-order mark or ASCII interleaved with NULs, and the whole decodes as UTF-16."""
    head = raw[:64][: len(raw[:64]) // 2 * 2]
    little = raw.startswith(b"\xff\xfe") or (len(head) >= 4 and not head[1::2].strip(b"\0"))
    big = raw.startswith(b"\xfe\xff") or (len(head) >= 4 and not head[0::2].strip(b"\0"))
    for flag, codec in ((little, "utf-16-le"), (big, "utf-16-be")):
        if flag:
            try:
                raw.decode(codec)
            except UnicodeDecodeError:
                continue
            return True
    return False


def _decode(raw: bytes) -> str:
    if _is_utf16(raw):
        raise ManifestError("The file is UTF-16 text; App JSON is UTF-8. Save it as UTF-8 (without BOM) and "
                            "try again.")
    if b"\x00" in raw:
        raise ManifestError("The file is binary (it contains NUL bytes), not App JSON text. Pick a .json file.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"The file is not UTF-8 text (invalid byte at position {exc.start}). Save it as UTF-8 and try again."
        ) from None


def read_manifest(data: bytes | str) -> ParsedManifest:
    """Parse App JSON text: the document and the findings of parsing; raise ManifestError when unreadable."""
    raw = data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise ManifestError(
            f"The file is {len(raw) / 1024 / 1024:.1f} MiB; App JSON files are limited to 1 MiB. "
            "Check that you picked the right file."
        )
    text = _decode(raw)
    if not text.strip():
        raise ManifestError("The App JSON is empty. Paste or upload a JSON object with 'auth' and 'actions'.")
    parsed, findings = parse_json_value(text)
    if not isinstance(parsed, dict):
        kind = "a number" if isinstance(parsed, int | float) else \
            type(parsed).__name__.replace("dict", "object").replace("list", "array").replace("NoneType", "null")
        raise ManifestError(
            f"The top level of App JSON must be an object with 'auth' and 'actions', not {kind}."
        )
    return ParsedManifest(parsed, tuple(findings))


def parse_json_value(text: str) -> tuple[Any, list[ValidationIssue]]:
    """Any JSON text (bounded depth): the value, and findings for duplicate keys and numbers JSON cannot hold.

    Raise ManifestError when the text is not JSON at all (syntax, too deep).
    """
    depth = _depth(text)
    if depth > MAX_DEPTH:
        raise ManifestError(f"The JSON is nested {depth} levels deep; App JSON is limited to {MAX_DEPTH} levels. "
                            "Flatten the nested arrays or objects.")
    try:
        parsed = json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float,
                            parse_int=_int)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    except (ValueError, RecursionError) as exc:
        raise ManifestError(f"The JSON cannot be read: {str(exc)[:200]}.") from None
    findings: list[ValidationIssue] = []
    return _clean(parsed, findings), findings


def parse_manifest(data: bytes | str) -> dict[str, Any]:
    """Parse App JSON text; raise ManifestError with a specific, fixable message (naming the pointer)."""
    parsed = read_manifest(data)
    if parsed.errors:
        first = parsed.errors[0]
        more = f" ({len(parsed.errors) - 1} more like it)" if len(parsed.errors) > 1 else ""
        raise ManifestError(f"{first.message} {first.hint}{more}")
    return parsed.document


def _read_capped(file: Path) -> bytes:
    """The bytes of a regular file, at most MAX_BYTES + 1 (FIFOs, devices and folders refused)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(file, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ManifestError(f"{file} is a folder; give the path of an App JSON file.")
        if not stat.S_ISREG(mode):
            raise ManifestError(f"{file} is not a regular file (a device, pipe or socket); give the path of an "
                                "App JSON file.")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, min(65536, MAX_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_manifest_file(path: str | Path) -> ParsedManifest:
    """Read and parse an App JSON file with its parse findings; every failure becomes a ManifestError."""
    file = Path(path)
    try:
        raw = _read_capped(file)
    except FileNotFoundError:
        raise ManifestError(f"{file}: no such file.") from None
    except PermissionError:
        raise ManifestError(f"{file}: permission denied.") from None
    except IsADirectoryError:
        raise ManifestError(f"{file} is a folder; give the path of an App JSON file.") from None
    except OSError as exc:
        raise ManifestError(f"{file}: cannot be read ({exc.strerror}).") from None
    if len(raw) > MAX_BYTES:
        raise ManifestError(f"{file} is over 1 MiB; App JSON files are limited to 1 MiB.")
    try:
        return read_manifest(raw)
    except ManifestError as exc:
        raise ManifestError(f"{file}: {exc}") from None


def load_manifest_file(path: str | Path) -> dict[str, Any]:
    """Read and parse an App JSON file; every failure (and a value that is not JSON) becomes a ManifestError."""
    parsed = read_manifest_file(path)
    if parsed.errors:
        first = parsed.errors[0]
        raise ManifestError(f"{path}: {first.message} {first.hint}")
    return parsed.document


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
                "payload": {"app_token": "{{app_token}}", "page_id": "{{page_id}}"},
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


def is_json_content_type(headers: list[Any]) -> bool:
    for line in headers:
        parsed = split_header(line) if isinstance(line, str) else None
        if parsed and parsed[0].lower() == "content-type":
            media = parsed[1].split(";")[0].strip().lower()
            return media == "application/json" or media.endswith("+json")
    return False

