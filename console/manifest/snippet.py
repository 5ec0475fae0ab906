"""App JSON as people paste it: ``//`` and ``/* */`` comments, and bare fragments.

ManyChat's App JSON field accepts JSON without comments, but its own help snippets carry ``//``
comments, and people paste a bare ``"request": {…}``, an ``"auth": {…}`` or a triggers list.
``read_snippet`` says where the first comment is, strips comments on request, recognises a
fragment for what it is and merges it into the current document at the right place.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from console.manifest.document import MAX_BYTES, ManifestError, as_list, parse_manifest

FRAGMENT_KEYS = ("auth", "actions", "triggers", "sources", "request")
KIND_LABELS = {
    "document": "a whole App JSON document",
    "request": "a bare \"request\" fragment (it goes to auth.request)",
    "auth": "a bare \"auth\" fragment (it replaces the auth section)",
    "actions": "a list of actions (each replaces the action of the same name, or is added)",
    "triggers": "a list of triggers (each replaces the trigger of the same name, or is added)",
    "sources": "a sources fragment (it replaces the sources)",
}


@dataclass(frozen=True)
class Comment:
    line: int
    column: int

    def describe(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True)
class Snippet:
    document: dict[str, Any]  # the whole document to save (a fragment already merged)
    kind: str  # a key of KIND_LABELS
    comment: Comment | None  # where the first comment was (they were stripped)
    cleaned_text: str  # the text as parsed: comments replaced by spaces

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def strip_comments(text: str) -> tuple[str, Comment | None]:
    """``text`` with every ``//`` and ``/* */`` comment outside strings blanked out (line breaks and
    columns kept, so later error positions still match the input), and where the first one was."""
    out: list[str] = []
    first: Comment | None = None
    line, column = 1, 1
    i, n = 0, len(text)
    in_string = False
    while i < n:
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                column += 2
                continue
            if char == '"':
                in_string = False
            elif char == "\n":
                line, column = line + 1, 0
            i += 1
            column += 1
            continue
        pair = text[i:i + 2]
        if pair in ("//", "/*"):
            first = first or Comment(line, column)
            end = text.find("\n", i) if pair == "//" else text.find("*/", i + 2)
            end = n if end < 0 else (end if pair == "//" else end + 2)
            for skipped in text[i:end]:
                out.append("\n" if skipped == "\n" else " ")
                line, column = (line + 1, 1) if skipped == "\n" else (line, column + 1)
            i = end
            continue
        if char == '"':
            in_string = True
        out.append(char)
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
        i += 1
    return "".join(out), first


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parse_manifest(data)  # raises the specific message (encoding, binary, size)
        raise


def _kind_of_object(value: dict[str, Any]) -> str:
    if "actions" in value or "auth" in value:
        return "document"
    if "url" in value and "method" in value:
        return "request"
    if "type" in value and ({"params", "connection", "request"} & set(value)):
        return "auth"
    return "document"


def _kind_of_list(items: list[Any]) -> str | None:
    objects = [item for item in items if isinstance(item, dict)]
    if not objects or len(objects) != len(items):
        return None
    if all("requests" in item or "forms" in item for item in objects):
        return "actions"
    if all("context" in item or ("name" in item and "title" in item and "requests" not in item) for item in objects):
        return "triggers"
    return None


def _fragment(text: str) -> tuple[str, Any] | None:
    """(kind, value) of a bare fragment, or None when the text is not one."""
    body = text.strip().rstrip(",").strip()
    if body.startswith('"'):
        try:
            wrapped = parse_manifest("{" + body + "}")
        except ManifestError:
            return None
        keys = set(wrapped)
        if {"auth", "actions"} <= keys:
            return "document", wrapped
        if len(wrapped) == 1 and keys <= set(FRAGMENT_KEYS):
            key = next(iter(keys))
            return key, wrapped[key]
        return None
    if body.startswith("["):
        try:
            items = parse_manifest('{"items": ' + body + "}")["items"]
        except ManifestError:
            return None
        kind = _kind_of_list(items)
        return (kind, items) if kind else None
    return None


def _merge_named(current: Any, incoming: list[Any]) -> list[Any]:
    merged = [copy.deepcopy(item) for item in as_list(current)]
    index = {item.get("name"): i for i, item in enumerate(merged) if isinstance(item, dict)}
    for item in incoming:
        name = item.get("name") if isinstance(item, dict) else None
        if name is not None and name in index:
            merged[index[name]] = item
        else:
            merged.append(item)
    return merged


def merge_fragment(current: dict[str, Any], kind: str, value: Any) -> dict[str, Any]:
    """A new document: ``current`` with the fragment put at its place (unknown fields kept)."""
    if kind == "document":
        return value if isinstance(value, dict) else copy.deepcopy(current)
    merged = copy.deepcopy(current)
    merged.setdefault("auth", None)
    merged.setdefault("actions", [])
    if kind == "request":
        existing = merged.get("auth")
        auth: dict[str, Any] = existing if isinstance(existing, dict) else {"type": "APIKEY", "params": []}
        auth["request"] = value
        merged["auth"] = auth
    elif kind == "auth":
        merged["auth"] = value
    elif kind in ("actions", "triggers"):
        merged[kind] = _merge_named(merged.get(kind), value)
    else:
        merged[kind] = value
    return merged


def comments_message(comment: Comment) -> str:
    return (f"The text has comments (the first at {comment.describe()}), and ManyChat's App JSON field accepts "
            "JSON without comments. Remove them, or let the console strip them.")


def read_snippet(data: bytes | str, current: dict[str, Any] | None = None,
                 strip: bool = True) -> Snippet:
    """Read App JSON as pasted. Comments: stripped when ``strip``, else a ManifestError that says where
    the first one is. A fragment is merged into ``current`` (an empty document when None)."""
    text = _decode(data)
    try:
        document = parse_manifest(text)
        kind = _kind_of_object(document)
        base = {"auth": None, "actions": []} if current is None else current
        return Snippet(document if kind == "document" else merge_fragment(base, kind, document), kind, None, text)
    except ManifestError as exc:
        error = exc
    if len(text) > MAX_BYTES:
        raise error  # too large to be App JSON: the size message, without scanning it for comments
    cleaned, comment = strip_comments(text)
    if comment is not None and not strip:
        raise ManifestError(comments_message(comment))
    candidate = cleaned if comment is not None else text
    if comment is not None:
        try:
            document = parse_manifest(candidate)
            kind = _kind_of_object(document)
            base = {"auth": None, "actions": []} if current is None else current
            merged = document if kind == "document" else merge_fragment(base, kind, document)
            return Snippet(merged, kind, comment, candidate)
        except ManifestError as exc:
            error = exc
    fragment = _fragment(candidate)
    if fragment is None:
        raise error
    kind, value = fragment
    base = {"auth": None, "actions": []} if current is None else current
    return Snippet(merge_fragment(base, kind, value), kind, comment, candidate)
