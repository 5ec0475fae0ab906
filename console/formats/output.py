"""Which formats go where, and writing them.

The convention (documented in the README): ``--format`` names one format, or ``FORMAT=FILE`` to
write that format to a file; repeat it for several outputs at once. ``--output FILE`` writes the one
format given without a file there. At most one format goes to standard output (the default: text).

    check app.json --url … --format junit=reports/check.xml --format sarif=check.sarif   # text on stdout too
    validate app.json --format github                                                  # annotations on stdout
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from console.checks.results import CheckRun

FORMATS = ("text", "json", "junit", "sarif", "github")


class OutputError(ValueError):
    """Bad format options or an output file that cannot be written: the message says which and why."""


@dataclass(frozen=True)
class Output:
    format: str
    file: str | None  # None: standard output


def plan_outputs(formats: Sequence[str] | None, output: str | None, as_json: bool = False) -> list[Output]:
    """The outputs the options ask for (checked before any work is done)."""
    specs = list(formats or [])
    if as_json:
        specs.append("json")
    plan: list[Output] = []
    for spec in specs:
        name, sep, file = spec.partition("=")
        name = name.strip().lower()
        if name not in FORMATS:
            raise OutputError(f"--format {spec}: unknown format '{name}'; choose one of {', '.join(FORMATS)} "
                              "(FORMAT=FILE writes it to a file).")
        if sep and not file.strip():
            raise OutputError(f"--format {spec}: give a file after '=' (e.g. {name}=report.{name}).")
        plan.append(Output(name, file if sep else None))
    to_stdout = [o for o in plan if o.file is None]
    if output is not None:
        if len(to_stdout) != 1:
            raise OutputError("--output FILE needs exactly one --format without its own file "
                              "(or write FORMAT=FILE for each).")
        plan = [Output(o.format, output) if o.file is None else o for o in plan]
    elif len(to_stdout) > 1:
        raise OutputError("only one format can go to standard output: give the others a file "
                          "(--format junit=check.xml).")
    if not any(o.file is None for o in plan):
        plan.insert(0, Output("text", None))  # the normal output stays next to the files
    files = [o.file for o in plan if o.file is not None]
    if len(files) != len(set(files)):
        raise OutputError("two formats would be written to the same file: give each its own.")
    return plan


def file_uri(path: str) -> str:
    """The App JSON's path as SARIF and GitHub want it: relative to the working directory when inside it."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd().resolve())
        return quote(relative.as_posix())
    except ValueError:
        return Path(path).resolve().as_uri()


def render(run: CheckRun, fmt: str, fail_on: str, file_text: str | None) -> str:
    """One format of the run (each renderer is imported only when its format is asked for)."""
    if fmt == "json":
        from console.formats import json_format

        return json_format.render(run, fail_on)
    if fmt == "junit":
        from console.formats import junit

        return junit.render(run, fail_on)
    if fmt in ("sarif", "github"):
        from console.formats import github, sarif
        from console.formats.locate import Locator

        locator = Locator(file_text) if file_text is not None else None
        if fmt == "sarif":
            return sarif.render(run, file_uri(run.file), locator)
        path = file_uri(run.file)
        return github.render(run, path if "://" not in path else run.file, locator)
    from console.formats import text

    return text.render(run, fail_on)


def write_file(path: str, content: str) -> None:
    """Write atomically (a reader never sees half a report); a missing folder is created."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(temp, target)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}. Choose a writable path.") from None


def emit(run: CheckRun, plan: Sequence[Output], fail_on: str, file_text: str | None) -> str:
    """Write the file outputs; return what goes to standard output."""
    printed = ""
    for output in plan:
        content = render(run, output.format, fail_on, file_text)
        if output.file is None:
            printed = content
        else:
            write_file(output.file, content)
    return printed
