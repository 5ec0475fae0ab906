"""Render the install request and check it can be sent; mask the key for showing and storing.

Pure: no network. ``render_request`` holds the plain key (never store a RenderedRequest);
``masked_request`` is the form that may be shown, stored and printed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console import keys
from console.manifest.document import is_json_content_type
from console.manifest.request_rules import (
    header_line_rule,
    header_value_rule,
    method_rule,
    split_header,
    split_url,
    url_rule,
)
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
    dropped_key_locations: tuple[str, ...] = ()  # where the manifest puts the key but this fire does not send it


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
    """Render url, headers and payload; raise InvalidRequest saying what is wrong (never quoting the key)."""
    key = str(values.get(KEY_VARIABLE) or "")
    try:
        return _render(request, values, url, key)
    except UnknownNameError as exc:
        raise InvalidRequest(
            f"The request uses {', '.join(exc.names)}, which nothing defines: declare it in auth.params "
            "or give a value for it."
        ) from None
    except RecursionError:
        raise InvalidRequest("The payload is nested too deeply to send; flatten it (App JSON is limited to "
                             "64 levels).") from None


def _render(request: Mapping[str, Any], values: Mapping[str, str], url: str | None, key: str) -> RenderedRequest:
    manifest_url = request.get("url")
    manifest_url = manifest_url if isinstance(manifest_url, str) else ""
    given = (url or "").strip()
    rendered_url = given or render_text(manifest_url, values).strip()
    where = "the URL given" if given else "/auth/request/url"
    broken = url_rule(rendered_url, shown=keys.redact(rendered_url, key))
    if broken is not None:
        raise InvalidRequest(broken.text(where))
    method_value = request.get("method")
    broken = method_rule(method_value)
    if broken is not None:
        raise InvalidRequest(broken.text("/auth/request/method"))
    method = str(method_value or "POST").upper()
    lines = request.get("headers") or []
    if not isinstance(lines, list):
        raise InvalidRequest("auth.request.headers must be a list of 'Name: value' lines.")
    headers: list[tuple[str, str]] = []
    locations: list[tuple[str, str]] = []
    for index, line in enumerate(lines):
        pointer = f"/auth/request/headers/{index}"
        broken = header_line_rule(line)
        if broken is not None:
            raise InvalidRequest(keys.redact(broken.text(pointer), key))
        parsed = split_header(line)
        assert parsed is not None
        value = render_text(parsed[1], values)
        broken = header_value_rule(parsed[0], value)
        if broken is not None:
            raise InvalidRequest(keys.redact(broken.text(pointer), key) + " (after filling in the values)")
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
            try:
                body = json.dumps(rendered, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            except ValueError:
                raise InvalidRequest("The payload holds NaN or Infinity, which JSON cannot carry; use finite "
                                     "numbers (/auth/request/payload).") from None
            if not any(name.lower() == "content-type" for name, _ in headers):
                headers.append(("Content-Type", "application/json"))
            for pointer, text in walk_strings(payload):
                if KEY_VARIABLE in names_in(text):
                    locations.append((f"payload {pointer}", render_text(text, values)))
        if isinstance(rendered, str) and is_json_content_type([f"{n}: {v}" for n, v in headers]):
            try:
                json.loads(rendered)
            except (json.JSONDecodeError, RecursionError):
                raise InvalidRequest("The Content-Type says JSON but the payload is not JSON text.") from None
    dropped: tuple[str, ...] = ()
    if KEY_VARIABLE in names_in(manifest_url):
        if given:
            dropped = ("auth.request.url",)
        else:
            manifest_parts = split_url(manifest_url)
            in_query = manifest_parts is not None and KEY_VARIABLE in names_in(manifest_parts.query)
            locations.append(("query" if in_query else "url", rendered_url))
    return RenderedRequest(method, rendered_url, tuple(headers), body, tuple(locations), dropped)


def check_url(url: str) -> None:
    """Raise InvalidRequest when ``url`` is not an absolute http(s) URL that can be sent."""
    broken = url_rule(url)
    if broken is not None:
        raise InvalidRequest(broken.text())


def masked_request(rendered: RenderedRequest, key: str) -> SentRequest:
    """The rendered request with the key masked everywhere: safe to show and store."""
    return SentRequest(
        rendered.method,
        keys.redact(rendered.url, key),
        tuple((n, keys.redact(v, key)) for n, v in rendered.headers),
        None if rendered.body is None else keys.redact(rendered.body, key),
    )

