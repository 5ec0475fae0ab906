"""Rendering of ``{{name}}`` and ``[[name]]`` placeholders, and the lint for unknown names.

Both spellings are accepted for any name: ManyChat system variables and installer params.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

SYSTEM_VARIABLES = ("app_token", "app_id", "app_version", "page_id")
KEY_VARIABLE = "app_token"

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]*)\s*\}\}|\[\[\s*([A-Za-z0-9_.\-]*)\s*\]\]")


class UnknownNameError(ValueError):
    """A placeholder names something that nothing defines."""

    def __init__(self, names: list[str]):
        self.names = names
        super().__init__("unknown template name(s): " + ", ".join(names))


def names_in(text: str) -> list[str]:
    """Placeholder names in ``text``, in order of appearance."""
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in PLACEHOLDER.finditer(text)]


def walk_strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every string leaf (and object key) of a JSON value, with its RFC 6901 pointer."""
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{pointer}/{escape_pointer(str(key))}"
            yield child, str(key)
            yield from walk_strings(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{pointer}/{index}")


def escape_pointer(token: str) -> str:
    """Escape one RFC 6901 reference token."""
    return token.replace("~", "~0").replace("/", "~1")


def render_text(text: str, values: Mapping[str, str]) -> str:
    """Replace every placeholder; raise UnknownNameError naming those without a value."""
    missing = [name for name in names_in(text) if name not in values]
    if missing:
        raise UnknownNameError(sorted(set(missing)))

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        return str(values[name])

    return PLACEHOLDER.sub(substitute, text)


def render_value(value: Any, values: Mapping[str, str]) -> Any:
    """Render every string leaf (object keys too) of a JSON value."""
    if isinstance(value, str):
        return render_text(value, values)
    if isinstance(value, dict):
        return {render_text(str(k), values): render_value(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(item, values) for item in value]
    return value
