"""Render an install endpoint project (Python or Node) from an App JSON: every file as text, in memory.

Templates live beside this module (``templates/<lang>/``, package data found through
importlib.resources): ``*.j2`` files are rendered with Jinja2, ``*.tmpl`` files are copied as
they are. Values from the App JSON reach code only as Python or JSON literals.
"""

from __future__ import annotations

import functools
import io
import json
import pprint
import re
import zipfile
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from console.manifest.document import request_of
from console.scaffold.spec import InstallSpec, ScaffoldError, install_spec

LANGS = ("python", "node")
RENAMED = {"gitignore": ".gitignore"}
COMMANDS = {
    "python": ("python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt",
               '.venv/bin/python -m uvicorn app:app --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" '
               "--no-access-log"),
    "node": ("npm install --no-audit --no-fund", "node server.js"),
}


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # relative, "/"-separated
    text: str


@dataclass(frozen=True)
class Scaffold:
    lang: str
    files: tuple[GeneratedFile, ...]
    install: str  # shell command to run inside the project directory
    run: str  # shell command that serves the endpoint on $PORT
    path: str  # the install request's path
    warnings: tuple[str, ...]


def _py(value: Any) -> str:
    return pprint.pformat(_plain(value), width=110, sort_dicts=False)


def _js(value: Any, indent: int | None = None) -> str:
    text = json.dumps(_plain(value), indent=indent, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _templates(lang: str) -> list[tuple[str, Traversable]]:
    root = resources.files("console.scaffold").joinpath("templates", lang)
    found: list[tuple[str, Traversable]] = []
    stack: list[tuple[str, Traversable]] = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        for item in folder.iterdir():
            if item.is_dir():
                stack.append((f"{prefix}{item.name}/", item))
            elif item.name.endswith((".j2", ".tmpl")):
                found.append((prefix + item.name, item))
    return sorted(found)


def _context(document: dict[str, Any], spec: InstallSpec, lang: str, name: str) -> dict[str, Any]:
    install, run = COMMANDS[lang]
    example = re.sub(r"\{([^}]*)\}", lambda m: "100200300" if m.group(1) == "page_id" else "sample", spec.path)
    return {
        "spec": spec, "name": name, "install": install, "run": run, "request": request_of(document),
        "fields": [f.to_dict() for f in spec.fields], "key_places": spec.places("app_token"),
        "express_path": re.sub(r"\{([^}]*)\}", r":\1", spec.path), "example_path": example,
        "package_name": re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:60] or "install-endpoint",
    }


@functools.cache
def _compiled(lang: str) -> tuple[tuple[str, Any], ...]:
    """Each file of ``lang``'s project: its path and its compiled template (or its text, copied as it is).

    Compiled once per process: compiling every template took most of a preview (about 0.1 s, on every
    load of the Endpoint code page); the templates are package data and do not change while it runs.
    """
    from jinja2 import Environment, StrictUndefined

    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)  # noqa: S701 - code
    env.filters.update(py=_py, js=_js)
    compiled = []
    for relative, item in _templates(lang):
        text = item.read_text("utf-8")
        target = relative.rsplit(".", 1)[0]
        folder, _, base = target.rpartition("/")
        target = (folder + "/" if folder else "") + RENAMED.get(base, base)
        compiled.append((target, env.from_string(text) if relative.endswith(".j2") else text))
    return tuple(compiled)


def render_scaffold(document: dict[str, Any], lang: str, name: str = "ManyChat app") -> Scaffold:
    """Every file of the project; ScaffoldError for an unknown language or an App JSON without auth.request."""
    if lang not in LANGS:
        raise ScaffoldError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}.")
    spec = install_spec(document)
    context = _context(document, spec, lang, name)
    files = tuple(GeneratedFile(target, template if isinstance(template, str) else template.render(context))
                  for target, template in _compiled(lang))
    install, run = COMMANDS[lang]
    return Scaffold(lang, files, install, run, spec.path, spec.warnings)


def zip_bytes(scaffold: Scaffold, folder: str = "install-endpoint") -> bytes:
    """The project as a zip archive, its files under ``folder/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in scaffold.files:
            archive.writestr(f"{folder}/{file.path}", file.text)
    return buffer.getvalue()
