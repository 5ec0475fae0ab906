"""The layer rules are import-linter contracts in pyproject.toml (`make test` runs `lint-imports`).

These tests keep the contracts whole: every module of the core sits in a layer (an unlisted module
would escape every rule), the contracts hold, Home.py (outside any package, so out of import-linter's
reach) follows the pages' rule, and each command imports only what it uses.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"]


def listed(contract_id: str) -> set[str]:
    contract = next(c for c in CONTRACTS if c["id"] == contract_id)
    return {name.strip() for layer in contract["layers"] for name in layer.replace(":", "|").split("|")}


def test_every_module_of_the_core_is_in_a_layer() -> None:
    layered = listed("layers")
    top = {f"console.{p.stem}" for p in (ROOT / "console").glob("*.py") if p.stem not in ("__init__", "__main__")}
    top |= {f"console.{p.name}" for p in (ROOT / "console").iterdir() if (p / "__init__.py").exists()}
    assert top <= layered, f"not in the layers contract of pyproject.toml: {sorted(top - layered)}"
    use_cases = {f"console.service.{p.stem}" for p in (ROOT / "console" / "service").glob("*.py")
                 if p.stem != "__init__"}
    missing = use_cases - listed("use-cases")
    assert not missing, f"service modules not in the use-cases contract: {sorted(missing)}"


def test_the_import_contracts_hold() -> None:
    linter = str(Path(sys.executable).parent / "lint-imports")
    out = subprocess.run([linter, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


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


def test_home_never_imports_the_store_nor_the_fire_engine() -> None:
    for imported in imports_of(ROOT / "Home.py"):  # `from console import store` counts as console.store
        assert not imported.startswith(("console.store", "console.fire", "sqlalchemy")), \
            f"Home.py imports {imported}: call console.service instead"


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
