"""GitHub Actions workflow commands: one ``::error file=…,line=…,col=…,title=…::message`` line per finding.

Escaping follows the runner's rules: in the message ``%``, CR and LF become ``%25``, ``%0D`` and
``%0A``; in a property value ``:`` and ``,`` also become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

from console.checks.results import CheckRun
from console.formats.locate import Locator

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(run: CheckRun, path: str, locator: Locator | None) -> str:
    """Every result that is not a pass, located in the App JSON ``path`` (line 1 when it has no place)."""
    lines = []
    for result in run.results:
        if result.level == "pass":
            continue
        position = locator.locate(result.pointer) if locator is not None else None
        props = [f"file={escape_property(path)}"]
        if position is not None:
            props += [f"line={position.line}", f"col={position.column}"]
        else:
            props.append("line=1")
        props.append(f"title={escape_property(f'{result.id}: {result.title}')}")
        where = f" ({result.pointer})" if result.pointer else ""
        lines.append(f"::{COMMANDS[result.level]} {','.join(props)}::{escape_data(result.message + where)}")
    return "".join(line + "\n" for line in lines)
