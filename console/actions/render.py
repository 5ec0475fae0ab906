"""Render an action's (or an rpc source's) request as ManyChat would, into a form the fire engine sends.

ManyChat adds ``auth.connection`` headers and query string to every action request, fills
``[[form field]]`` and ``[[param]]`` with the installer's values and ``{{system}}`` with its own.
Each value is bound to a private placeholder (``[[__v0]]``…) so the engine fills it in exactly
once: a value that itself looks like ``[[x]]`` is sent as it is, never rendered again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

from console.fire.prepare import InvalidRequest
from console.manifest.document import as_dict, as_list, auth_of
from console.templating import PLACEHOLDER, SYSTEM_VARIABLES, escape_pointer

SAMPLE_ACTION_PREFIX = "/action/"


@dataclass(frozen=True)
class PreparedRequest:
    """A request template holding only system names and bound placeholders, with their values."""

    request: dict[str, Any]
    values: dict[str, str]
    pointer: str  # where the request is in the App JSON


class _Binder:
    def __init__(self, known: Mapping[str, str], pointer: str):
        self.known = known
        self.pointer = pointer
        self.values: dict[str, str] = {}
        self.unknown: list[tuple[str, str]] = []  # (name, pointer)

    def bind(self, value: str) -> str:
        slot = f"__v{len(self.values)}"
        self.values[slot] = value
        return f"[[{slot}]]"

    def text(self, text: str, pointer: str, url: bool = False) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1) if match.group(1) is not None else match.group(2)
            if name in SYSTEM_VARIABLES:
                return "{{" + name + "}}"
            if name not in self.known:
                self.unknown.append((name, pointer))
                return match.group(0)
            value = self.known[name]
            if url and match.start() > 0:
                value = quote(value, safe="")  # a value inside a URL travels percent-encoded
            return self.bind(value)

        return PLACEHOLDER.sub(substitute, text)

    def value(self, value: Any, pointer: str) -> Any:
        if isinstance(value, str):
            return self.text(value, pointer)
        if isinstance(value, dict):
            return {self.text(str(k), pointer): self.value(v, f"{pointer}/{escape_pointer(str(k))}")
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item, f"{pointer}/{i}") for i, item in enumerate(value)]
        return value


def sample_url(url: str, sample_base_url: str, mode: str) -> str:
    """The action's URL aimed at the sample endpoint in ``mode`` (its path and query kept after the mode)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    path = rest[rest.find("/"):] if "/" in rest else ""
    return sample_base_url.rstrip("/") + SAMPLE_ACTION_PREFIX + mode + (path if path.startswith("/") else "/" + path)


def prepare(request: dict[str, Any], pointer: str, document: dict[str, Any], form_values: Mapping[str, str],
            params: Mapping[str, str], url: str | None = None) -> PreparedRequest:
    """Bind every name; raise InvalidRequest naming each unknown one and where it is."""
    known = {**{str(k): str(v) for k, v in params.items()}, **{str(k): str(v) for k, v in form_values.items()}}
    binder = _Binder(known, pointer)
    raw_url = url if url is not None else request.get("url")
    if not isinstance(raw_url, str) or not raw_url.strip():
        raise InvalidRequest(f"{pointer}/url: the request has no URL. Give it the https:// address to call.")
    rendered_url = binder.text(raw_url.strip(), f"{pointer}/url", url=True)
    headers = [binder.text(line, f"{pointer}/headers/{i}") if isinstance(line, str) else line
               for i, line in enumerate(as_list(request.get("headers")) if "headers" in request else [])]
    if "headers" in request and not isinstance(request.get("headers"), list):
        raise InvalidRequest(f"{pointer}/headers must be a list of 'Name: value' lines.")
    connection = as_dict((auth_of(document) or {}).get("connection"))
    for name, value in as_dict(connection.get("headers")).items():
        headers.append(f"{name}: " + binder.text(str(value), f"/auth/connection/headers/{escape_pointer(str(name))}"))
    query = []
    for name, value in as_dict(connection.get("qs")).items():
        filled = _filled(str(value), known)
        query.append(quote_plus(str(name)) + "=" + binder.bind(quote_plus(filled)) if filled is not None
                     else binder.text(str(value), f"/auth/connection/qs/{escape_pointer(str(name))}"))
    if query:
        rendered_url += ("&" if "?" in rendered_url else "?") + "&".join(query)
    payload = request.get("payload")
    prepared = {"url": rendered_url, "method": request.get("method") or "GET", "headers": headers}
    if payload is not None and payload != "":
        prepared["payload"] = binder.value(payload, f"{pointer}/payload")
    if binder.unknown:
        raise InvalidRequest(unknown_message(binder.unknown))
    return PreparedRequest(prepared, binder.values, pointer)


def _filled(template: str, known: Mapping[str, str]) -> str | None:
    """``template`` with installer and form values filled in (None when a name is unknown or a system one)."""
    names = [m.group(1) if m.group(1) is not None else m.group(2) for m in PLACEHOLDER.finditer(template)]
    if any(name not in known for name in names):
        return None
    return PLACEHOLDER.sub(lambda m: known[m.group(1) if m.group(1) is not None else m.group(2)], template)


def unknown_message(unknown: list[tuple[str, str]]) -> str:
    names = sorted({name for name, _ in unknown})
    where = ", ".join(sorted({pointer for _, pointer in unknown}))
    shown = ", ".join(f"[[{name}]]" for name in names)
    return (f"The request uses {shown} (at {where}), which is neither a form field of this action, an installer "
            "param nor a ManyChat system value ({{app_id}}, {{page_id}}…). Add a form field of that name, declare "
            "it in auth.params, or fix the spelling.")
