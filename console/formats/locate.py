"""Where a JSON pointer points in the original text of a JSON file: line and column, both from 1.

A small scanner over the file as written, so positions are those of the file the user has open:
``//`` and ``/* */`` comments count as whitespace (files checked with ``--strip-comments``), keys are
compared after their escapes are decoded (``"na\\u006de"`` is ``name``), and of a key written twice
the last one is the one that counts, as when the file is parsed. Columns count characters (Unicode code
points). A pointer to something absent (a missing field) is located at its nearest present ancestor.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from console.templating import escape_pointer

MAX_DEPTH = 256
_WS = " \t\r\n\ufeff"


class _Stop(Exception):
    """The text stops being JSON: keep what was located so far."""


@dataclass(frozen=True)
class Position:
    line: int
    column: int


class Locator:
    """Pointer → offset of the member's key (or the array element, or the root value)."""

    def __init__(self, text: str):
        self.text = text
        self.offsets: dict[str, int] = {}
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        try:
            self._value(self._skip(0), "", 0)
        except (_Stop, IndexError):
            pass

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self._line_starts, offset)
        return Position(line, offset - self._line_starts[line - 1] + 1)

    def locate(self, pointer: str | None) -> Position:
        """The line and column of ``pointer``, or of its nearest located ancestor (1:1 when none)."""
        current = pointer or ""
        while True:
            if current in self.offsets:
                return self.position(self.offsets[current])
            if not current:
                return Position(1, 1)
            current = current.rsplit("/", 1)[0]

    def exact(self, pointer: str) -> bool:
        return pointer in self.offsets

    def _skip(self, i: int) -> int:
        text = self.text
        while i < len(text):
            ch = text[i]
            if ch in _WS:
                i += 1
            elif text.startswith("//", i):
                end = text.find("\n", i)
                i = len(text) if end < 0 else end + 1
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                i = len(text) if end < 0 else end + 2
            else:
                break
        return i

    def _string(self, i: int) -> int:
        """The offset just past the string that starts (with its quote) at ``i``."""
        text, j = self.text, i + 1
        while True:
            ch = text[j]
            if ch == "\\":
                j += 2
            elif ch == '"':
                return j + 1
            else:
                j += 1

    def _value(self, i: int, pointer: str, depth: int) -> int:
        if depth > MAX_DEPTH or i >= len(self.text):
            raise _Stop
        self.offsets.setdefault(pointer, i)
        ch = self.text[i]
        if ch == "{":
            return self._object(i + 1, pointer, depth)
        if ch == "[":
            return self._array(i + 1, pointer, depth)
        if ch == '"':
            return self._string(i)
        j = i
        while j < len(self.text) and self.text[j] not in ",]}" and self.text[j] not in _WS and \
                not self.text.startswith("/", j):
            j += 1
        if j == i:
            raise _Stop
        return j

    def _object(self, i: int, pointer: str, depth: int) -> int:
        i = self._skip(i)
        if self.text[i] == "}":
            return i + 1
        while True:
            if self.text[i] != '"':
                raise _Stop
            end = self._string(i)
            try:
                key = json.loads(self.text[i:end])
            except ValueError:
                key = self.text[i + 1:end - 1]
            child = f"{pointer}/{escape_pointer(str(key))}"
            if child in self.offsets:  # a duplicate key: the last one counts, as in parsing
                for stale in [p for p in self.offsets if p.startswith(child + "/")]:
                    del self.offsets[stale]
            self.offsets[child] = i
            i = self._skip(end)
            if self.text[i] != ":":
                raise _Stop
            i = self._value(self._skip(i + 1), child, depth + 1)
            i = self._skip(i)
            if self.text[i] == ",":
                i = self._skip(i + 1)
            elif self.text[i] == "}":
                return i + 1
            else:
                raise _Stop

    def _array(self, i: int, pointer: str, depth: int) -> int:
        i = self._skip(i)
        if self.text[i] == "]":
            return i + 1
        index = 0
        while True:
            i = self._value(i, f"{pointer}/{index}", depth + 1)
            index += 1
            i = self._skip(i)
            if self.text[i] == ",":
                i = self._skip(i + 1)
            elif self.text[i] == "]":
                return i + 1
            else:
                raise _Stop


def locate_in_file_text(text: str, pointer: str | None) -> Position:
    return Locator(text).locate(pointer)
