"""The options several commands share (APP_JSON, --url, --var, --timeout, --json) and reading them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.common import UsageError, note

if TYPE_CHECKING:
    from console.fire.prepare import FireContext
    from console.fire.timeouts import Timeouts
    from console.manifest.document import Document
    from console.manifest.findings import ValidationIssue
    from console.manifest.snippet import Comment

MAX_TIMEOUT = 300.0


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_vars(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--var", action="extend", nargs="+", default=[], metavar="NAME=VALUE",
                        help="a value for an installer param or system variable (repeatable)")


def add_fire_options(parser: argparse.ArgumentParser, *, app_json: str = "required") -> None:
    """APP_JSON, --url, --var, --timeout, --json (``app_json`` 'optional': APP_JSON may be left out)."""
    if app_json == "optional":
        parser.add_argument("app_json", metavar="APP_JSON", nargs="?")
    else:
        parser.add_argument("app_json", metavar="APP_JSON")
    parser.add_argument("--url", help="fire at this URL instead of auth.request.url")
    add_vars(parser)
    parser.add_argument("--timeout", type=float, metavar="S", help="total deadline in seconds (default 10)")
    add_json(parser)


def context_from(variables: list[str], manifest: Document) -> FireContext:
    """System values and param values from --var; declared params without one get a sample value."""
    from console.fire.prepare import FireContext, fill_params, sample_value
    from console.manifest.document import param_names

    values: dict[str, str] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {item!r}: write it as NAME=VALUE, e.g. --var workspace=acme.")
        values[name.strip()] = value
    system = {k: values.pop(k) for k in ("app_id", "app_version", "page_id") if k in values}
    if "app_token" in values:
        raise UsageError("--var app_token=…: give the key with --app-key instead.")
    missing = [name for name in param_names(manifest) if name not in values]
    if missing:
        note("note: no --var for " + ", ".join(missing) + "; sending sample value(s) "
             + ", ".join(f"{n}={sample_value(n)}" for n in missing))
    return FireContext(**system, params=fill_params(param_names(manifest), values))


def timeouts_from(seconds: float | None) -> Timeouts:
    """--timeout S: each fire's total deadline (the connect deadline at most 5 s)."""
    from console.fire.timeouts import Timeouts

    if seconds is None:
        return Timeouts()
    if not 0 < seconds <= MAX_TIMEOUT:
        raise UsageError(f"--timeout {seconds:g}: give a number of seconds between 0 and {MAX_TIMEOUT:g}.")
    return Timeouts(connect=min(5.0, seconds), total=seconds)


def load(path: str) -> Document:
    """An App JSON file (a ManifestError says what is wrong with it: exit 2)."""
    from console.manifest.document import load_manifest_file

    return load_manifest_file(path)


def file_name(path: str) -> str:
    """The name the file's fires are stored under."""
    return Path(path).name


def load_snippet(path: str, strip_comments: bool) -> tuple[Document, Comment | None, tuple[ValidationIssue, ...]]:
    """A whole App JSON document from a file, where its first comment was (None without any), and what
    reading it found (duplicate keys, numbers JSON cannot hold: findings with pointers).
    Comments without ``strip_comments`` and bare fragments are refused with a message that says so."""
    from console.manifest.document import MAX_BYTES, ManifestError, read_manifest_file
    from console.manifest.snippet import comments_message, read_snippet

    try:
        parsed = read_manifest_file(path)
        return parsed.document, None, tuple(parsed.findings)
    except ManifestError as exc:
        error = exc
    try:
        file = Path(path)
        raw = file.read_bytes() if file.is_file() and file.stat().st_size <= MAX_BYTES else None
    except OSError:
        raw = None
    if raw is None:
        raise UsageError(str(error)) from None
    try:
        snippet = read_snippet(raw, None, strip=True)
    except ManifestError:
        raise UsageError(str(error)) from None
    if snippet.comment is not None and not strip_comments:
        raise UsageError(f"{path}: {comments_message(snippet.comment)} To check it anyway: --strip-comments.")
    if snippet.kind != "document":
        raise UsageError(f"{path} holds {snippet.label}, not a whole App JSON document. Put it into a document "
                         "with 'auth' and 'actions' (page 2's Import merges it into an app's App JSON).")
    return snippet.document, snippet.comment, ()
