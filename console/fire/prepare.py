"""Render the install request and check it can be sent; mask the key for showing and storing.

Pure: no network. ``render_request`` holds the plain key (never store a RenderedRequest);
``masked_request`` is the form that may be shown, stored and printed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from console import keys
from console.manifest.document import is_json_content_type, split_header
from console.outcome import SentRequest
from console.templating import KEY_VARIABLE, UnknownNameError, names_in, render_text, render_value, walk_strings


@dataclass(frozen=True)
class FireContext:
    """The values ManyChat fills in besides the key: system variables and installer params."""

    app_id: str = "1000001"
    app_version: str = "1.0"
    page_id: str = "100200300"
    params: Mapping[str, str] = field(default_factory=dict)


class InvalidRequest(ValueError):
    """The install request cannot be rendered into something sendable; nothing is sent."""


@dataclass(frozen=True)
class RenderedRequest:
    """The request exactly as it would be sent (contains the plain key: never store it)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    expected_key_locations: tuple[tuple[str, str], ...]  # (location, rendered value)


def sample_value(name: str) -> str:
    """The value sent for an installer param nobody gave a value for."""
    return f"sample-{name}"


def fill_params(names: list[str], values: Mapping[str, str]) -> dict[str, str]:
    """A value for every declared param: the given one, else its sample value."""
    return {**{str(k): str(v) for k, v in values.items()},
            **{name: str(values.get(name) or sample_value(name)) for name in names}}


def template_values(app_key: str, context: FireContext) -> dict[str, str]:
    values = {str(k): str(v) for k, v in context.params.items()}
    values.update({
        KEY_VARIABLE: app_key,
        "app_id": str(context.app_id),
        "app_version": str(context.app_version),
        "page_id": str(context.page_id),
    })
    return values


def render_request(request: Mapping[str, Any], values: Mapping[str, str], url: str | None = None
                   ) -> RenderedRequest:
    """Render url, headers and payload; raise InvalidRequest saying what is wrong."""
    try:
        rendered_url = (url or "").strip() or render_text(str(request.get("url") or ""), values).strip()
        method = str(request.get("method") or "POST").upper()
        lines = request.get("headers") or []
        if not isinstance(lines, list):
            raise InvalidRequest("auth.request.headers must be a list of 'Name: value' lines.")
        headers: list[tuple[str, str]] = []
        locations: list[tuple[str, str]] = []
        for line in lines:
            parsed = split_header(str(line))
            if parsed is None:
                raise InvalidRequest(f"The header line {line!r} is not 'Name: value'.")
            value = render_text(parsed[1], values)
            if "\r" in value or "\n" in value:
                raise InvalidRequest(
                    f"The header {parsed[0]} would contain a line break after filling in the values: "
                    "a param value with CR/LF would inject headers. Remove the line break from the value."
                )
            headers.append((parsed[0], value))
            if KEY_VARIABLE in names_in(parsed[1]):
                locations.append((f"header {parsed[0].lower()}", value))
        payload = request.get("payload")
        body = None
        if payload is not None and payload != "":
            rendered = render_value(payload, values)
            if isinstance(rendered, str):
                body = rendered
            else:
                body = json.dumps(rendered, ensure_ascii=False, separators=(",", ":"))
                if not any(name.lower() == "content-type" for name, _ in headers):
                    headers.append(("Content-Type", "application/json"))
                for pointer, text in walk_strings(payload):
                    if KEY_VARIABLE in names_in(text):
                        locations.append((f"payload {pointer}", render_text(text, values)))
            if isinstance(rendered, str) and is_json_content_type([f"{n}: {v}" for n, v in headers]):
                try:
                    json.loads(rendered)
                except json.JSONDecodeError:
                    raise InvalidRequest("The Content-Type says JSON but the payload is not JSON text.") from None
        for name in names_in(str(request.get("url") or "")):
            if name == KEY_VARIABLE and not url:
                locations.append(("query", rendered_url))
    except UnknownNameError as exc:
        raise InvalidRequest(
            f"The request uses {', '.join(exc.names)}, which nothing defines: declare it in auth.params "
            "or give a value for it."
        ) from None
    check_url(rendered_url)
    return RenderedRequest(method, rendered_url, tuple(headers), body, tuple(locations))


def check_url(url: str) -> None:
    if not url:
        raise InvalidRequest("There is no URL to fire at: set auth.request.url or give a URL.")
    if any(ch in url for ch in "\r\n\t "):
        raise InvalidRequest("The URL contains whitespace or a line break; remove it.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidRequest(f"The URL scheme must be http or https, not '{parts.scheme or 'none'}'.")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise InvalidRequest(f"The URL {url!r} has an invalid port.") from None
    if not parts.hostname:
        raise InvalidRequest(f"The URL {url!r} has no host name.")


def masked_request(rendered: RenderedRequest, key: str) -> SentRequest:
    """The rendered request with the key masked everywhere: safe to show and store."""
    return SentRequest(
        rendered.method,
        keys.redact(rendered.url, key),
        tuple((n, keys.redact(v, key)) for n, v in rendered.headers),
        None if rendered.body is None else keys.redact(rendered.body, key),
    )

