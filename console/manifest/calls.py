"""Where an App JSON document sends requests, and which of them call ManyChat's Public API.

Pure accessors over a document of any shape: every request object with its JSON pointer
(``auth.request``, each action's requests, each ``enum:rpc`` source's request).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from console.manifest.document import as_dict, as_list, auth_of
from console.templating import escape_pointer, mask_placeholders, names_in, walk_strings

MANYCHAT_API_HOST = "api.manychat.com"


@dataclass(frozen=True)
class RequestAt:
    pointer: str  # e.g. /actions/0/requests/1
    request: dict[str, Any]
    place: str  # "auth" | "action" | "source"
    owner: str = ""  # the action's or source's name


def sources_of(document: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    """(pointer, name, definition) of every source: ``sources`` may be a list of objects with a
    ``name`` or an object keyed by name (the Specification shows no single form)."""
    sources = document.get("sources")
    if isinstance(sources, dict):
        return [(f"/sources/{escape_pointer(str(name))}", str(name), item) for name, item in sources.items()]
    found = []
    for index, item in enumerate(as_list(sources)):
        name = item.get("name") if isinstance(item, dict) else None
        found.append((f"/sources/{index}", name if isinstance(name, str) else None, item))
    return found


def requests_of(document: dict[str, Any]) -> Iterator[RequestAt]:
    """Every request object the document declares, with its pointer."""
    auth = auth_of(document)
    if auth is not None and isinstance(auth.get("request"), dict):
        yield RequestAt("/auth/request", auth["request"], "auth")
    for a_index, action in enumerate(as_list(document.get("actions"))):
        if not isinstance(action, dict):
            continue
        owner = str(action.get("name") or "")
        for r_index, request in enumerate(as_list(action.get("requests"))):
            if isinstance(request, dict):
                yield RequestAt(f"/actions/{a_index}/requests/{r_index}", request, "action", owner)
    for pointer, name, source in sources_of(document):
        request = as_dict(source).get("request")
        if isinstance(request, dict):
            yield RequestAt(pointer + "/request", request, "source", name or "")


def manychat_api_path(url: Any) -> str | None:
    """The ``/fb/...`` path when ``url`` calls ManyChat's Public API, else None (templates tolerated)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(mask_placeholders(url.strip()))
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an unbalanced "[": the URL rules report it; it calls nobody
        return None
    if host != MANYCHAT_API_HOST:
        return None
    path = parts.path.rstrip("/")
    return path if path.startswith("/fb/") else None


def names_sent_to_manychat(document: dict[str, Any]) -> set[str]:
    """Template names that travel to api.manychat.com: in such a request, or in auth.connection
    (added to every action request) when some action calls api.manychat.com."""
    found: set[str] = set()
    calls_api = False
    for item in requests_of(document):
        if manychat_api_path(item.request.get("url")) is None:
            continue
        calls_api = calls_api or item.place == "action"
        for _, text in walk_strings(item.request):
            found.update(names_in(text))
    auth = auth_of(document)
    if calls_api and auth is not None:
        for _, text in walk_strings(auth.get("connection")):
            found.update(names_in(text))
    return found
