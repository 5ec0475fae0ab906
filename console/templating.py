"""Rendering of ``{{name}}`` and ``[[name]]`` placeholders, and the lint for unknown names.

Both spellings are accepted for any name: ManyChat system variables and installer params.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

SYSTEM_VARIABLES = ("app_token", "app_id", "app_version", "page_id")
KEY_VARIABLE = "app_token"

# Possessive quantifiers (``*+``): whitespace and name characters are disjoint, so giving nothing
# back loses no match, and a scan from one ``{{`` stops at the first character that is neither;
# every character is looked at a bounded number of times (linear in the text, see
# tests/unit/test_templating_linear.py).
PLACEHOLDER = re.compile(r"\{\{\s*+([A-Za-z0-9_.\-]*+)\s*+\}\}|\[\[\s*+([A-Za-z0-9_.\-]*+)\s*+\]\]")


class UnknownNameError(ValueError):
    """A placeholder names something that nothing defines."""

    def __init__(self, names: list[str]):
        self.names = names
        super().__init__("unknown template name(s): " + ", ".join(names))


def names_in(text: str) -> list[str]:
    """Placeholder names in ``text``, in order of appearance."""
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in PLACEHOLDER.finditer(text)]


def _next(text: str, needle: str, cache: dict[str, int], start: int) -> int:
    """``text.find(needle, start)``, remembered: positions only grow, so each part of the text is searched once."""
    found = cache.get(needle, -2)
    if found == -1 or start <= found:
        return found
    cache[needle] = found = text.find(needle, start)
    return found


def loose_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every ``{{...}}`` and ``[[...]]`` run, whatever is inside (no ``}`` / ``]``):
    the spans ``re.finditer(r"\\{\\{[^}]*\\}\\}|\\[\\[[^\\]]*\\]\\]", text)`` gives, in linear time
    (that pattern rescans to the next brace from every ``{{`` of ``{{{{{{...``)."""
    spans: list[tuple[int, int]] = []
    cache: dict[str, int] = {}
    pos = 0
    floor = {"{{": 0, "[[": 0}  # below these, an opener is known to fail (same first closing brace)
    closing = {"{{": "}", "[[": "]"}
    while True:
        starts = [(_next(text, opener, cache, max(pos, floor[opener])), opener) for opener in ("{{", "[[")]
        found = [(at, opener) for at, opener in starts if at >= 0]
        if not found:
            return spans
        at, opener = min(found)
        close = _next(text, closing[opener], cache, at + 2)
        if close < 0:
            floor[opener] = len(text)
            pos = at + 1
        elif text.startswith(closing[opener], close + 1):
            spans.append((at, close + 2))
            pos = close + 2
        else:
            floor[opener] = close + 1
            pos = at + 1


def mask_placeholders(text: str, letter: str = "x") -> str:
    """``text`` with each loose ``{{...}}`` / ``[[...]]`` run replaced by ``letter`` (linear time)."""
    parts: list[str] = []
    last = 0
    for start, end in loose_spans(text):
        parts += [text[last:start], letter]
        last = end
    parts.append(text[last:])
    return "".join(parts)


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
