"""The CI output options of ``validate`` and ``check`` (``--format``, ``--output``, ``--fail-on``), ``check
--since`` and ``diff --compat``: the command line's side, shared by the validate, diff and check commands.

Convention: ``--format FORMAT`` or ``--format FORMAT=FILE``, repeatable; ``--output FILE`` for the one
format without its own file; the text output stays on standard output unless a format takes its place.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from console.checks.results import FAIL_ON, CheckResult, CheckRun, from_finding
from console.cli.common import EXIT_FAIL, EXIT_PASS, UsageError
from console.formats.output import FORMATS, Output, OutputError, emit, plan_outputs

if TYPE_CHECKING:
    from console.manifest.findings import ValidationIssue


def add_format_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", action="append", metavar="FORMAT[=FILE]", dest="formats",
                        help=f"output format: {', '.join(FORMATS)}; FORMAT=FILE writes it to a file; repeat for "
                             "several at once (default: text on standard output)")
    parser.add_argument("--output", metavar="FILE", help="write the one --format given without a file to FILE")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="error",
                        help="which results fail the run (exit 1): error (default), warning (errors and warnings), "
                             "never")


def add_compat_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--compat", action="store_true",
                        help="classify each change: breaking (what breaks, for whom), needs review, or safe")
    parser.add_argument("--kind", choices=("public", "dev"),
                        help="with --compat: the app's kind (a scope change re-keys a public app after review, "
                             "a dev app at once; default: judged as public)")
    parser.add_argument("--old-scope", action="extend", nargs="+", metavar="PATH", default=None,
                        help="with --compat: the scopes of A (scopes are not in App JSON)")
    parser.add_argument("--new-scope", action="extend", nargs="+", metavar="PATH", default=None,
                        help="with --compat: the scopes of B")
    parser.add_argument("--fail-on", choices=("breaking", "review", "never"), default=None,
                        help="with --compat: exit 1 on a breaking change (breaking), on one that is breaking or "
                             "needs review (review), or never; without it, exit 1 on any change (as without "
                             "--compat)")


def output_plan(args: argparse.Namespace) -> list[Output]:
    """Checked before any work: a bad option is exit 2 (raised as OutputError)."""
    return plan_outputs(args.formats, args.output, as_json=bool(getattr(args, "json", False)))


def plan(args: argparse.Namespace) -> list[Output]:
    """The outputs asked for, checked first: a bad option is exit 2 before any work is done."""
    try:
        return output_plan(args)
    except OutputError as exc:
        raise UsageError(str(exc)) from None


def quiet(outputs: Sequence[Output]) -> bool:
    """A format other than text takes standard output: progress messages stay out of the way."""
    return any(o.file is None and o.format != "text" for o in outputs)


def finish_run(run: CheckRun, outputs: Sequence[Output], fail_on: str, extra_failure: bool = False) -> int:
    """Write every output and return the exit code; ``extra_failure`` (a missing sign-off) fails the run
    unless ``--fail-on never``. An output file that cannot be written is exit 2."""
    try:
        code = finish(run, outputs, fail_on)
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_FAIL if extra_failure and fail_on != "never" else code


def read_text(path: str) -> str | None:
    """The App JSON as written, to locate findings by line and column (None when it cannot be read as text)."""
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def finish(run: CheckRun, plan: Sequence[Output], fail_on: str) -> int:
    """Write every output; the exit code at ``--fail-on``."""
    printed = emit(run, plan, fail_on, read_text(run.file))
    if printed:
        sys.stdout.write(printed)
    return EXIT_FAIL if run.fails(fail_on) else EXIT_PASS


def validation_results(issues: Sequence[ValidationIssue]) -> tuple[CheckResult, ...]:
    """One result per finding; a file with no error also gets a passing ``manifest.valid`` (a JUnit test case)."""
    results = [from_finding(i.pointer, i.severity, i.code, f"{i.message} {i.hint}".strip()) for i in issues]
    if not any(i.severity == "error" for i in issues):
        results.insert(0, CheckResult("manifest.valid", "The App JSON validates with no errors", "pass", "pass",
                                      "Schema and lint found no errors.", ""))
    return tuple(results)


__all__ = ["OutputError", "add_compat_options", "add_format_options", "finish", "finish_run", "output_plan", "plan",
           "quiet", "validation_results"]
