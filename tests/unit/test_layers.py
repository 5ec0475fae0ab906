"""The layer order of DESIGN.md, checked on every module's imports (the checked contract).

Each module imports only modules of its own layer or below; the store is the bottom layer and
imports nothing else of the core; nothing in console/ imports streamlit; pages never import
the store's engine or the fire engine directly (they call console.service).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Lowest first. A module's layer is that of the longest prefix listed here.
LAYERS: list[tuple[str, ...]] = [
    ("console.store",),
    ("console.keys", "console.catalog", "console.templating", "console.netpolicy", "console.profile",
     "console.config", "console.outcome", "console.diagnosis", "console", "console.roles", "console.identity",
     "console.audit"),
    ("console.manifest",),
    ("console.fire", "console.conformance", "console.notify"),
    ("console.readiness", "console.report", "console.sandbox", "console.demo", "console.burst_run", "console.team",
     "console.signoff", "console.access", "console.review_hooks", "console.separation"),
    ("console.service", "console.review_service", "console.review_conversation"),
    ("console.cli", "console.__main__", "console.cli_team_review"),
]


def layer_of(module: str) -> int:
    best, depth = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and prefix.count(".") > depth:
                best, depth = index, prefix.count(".")
    assert best >= 0, f"{module} is in no layer: add it to LAYERS"
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


CORE = sorted(p for p in (ROOT / "console").rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_modules_import_only_their_layer_or_below(path: Path) -> None:
    name = module_name(path)
    mine = layer_of(name)
    for imported in imports_of(path):
        assert not (imported == "streamlit" or imported.startswith("streamlit.")), f"{name} imports streamlit"
        if not (imported == "console" or imported.startswith("console.")):
            continue
        if mine == 0:
            assert imported.startswith("console.store"), f"the store imports {imported}: it is the bottom layer"
        assert layer_of(imported) <= mine, f"{name} (layer {mine}) imports {imported} (layer {layer_of(imported)})"


FACES = sorted([ROOT / "Home.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


@pytest.mark.parametrize("path", FACES, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_and_ui_go_through_the_service(path: Path) -> None:
    forbidden = ("console.store.engine", "console.store.schema", "console.store.apps", "console.store.fires",
                 "console.fire.send", "console.conformance", "sqlalchemy")
    for imported in imports_of(path):
        assert not imported.startswith(forbidden), f"{path.name} imports {imported}: call console.service instead"
    aggregates = r"apps|fires|versions|installations|bursts|people|activity|signoffs|sandbox_[a-z]+|engine"
    reach_in = re.search(rf"\.({aggregates})\.", path.read_text("utf-8"))
    assert reach_in is None, f"{path.name} reaches into the store ({reach_in.group(0)}): call console.service instead"


def test_console_imports_no_streamlit_at_run_time() -> None:
    modules = [module_name(p) for p in CORE if p.name != "__main__.py"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"console pulls in streamlit: {out.stdout}"


@pytest.mark.parametrize(("command", "heavy"), [
    (["validate", "assets/demo_app.json"], ("requests", "sqlalchemy", "jinja2", "pandas", "streamlit")),
    (["--version"], ("requests", "sqlalchemy", "jinja2", "jsonschema")),
])
def test_each_command_imports_only_what_it_uses(command: list[str], heavy: tuple[str, ...]) -> None:
    code = ("import sys, runpy\nsys.argv = ['console', *" + repr(command) + "]\n"
            "try:\n    runpy.run_module('console', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('LOADED:' + ','.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    loaded = set(out.stderr.rsplit("LOADED:", 1)[1].strip().split(","))
    assert not loaded & set(heavy), f"`{' '.join(command)}` imports {sorted(loaded & set(heavy))}"
