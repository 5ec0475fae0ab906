"""A command imports only what it needs: what a person notices as start-up time.

Each command runs in a fresh interpreter, which then lists the modules it loaded. The tests are about what is
imported, never about timings (bench/cli.py measures those).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from console.sandbox.sample_endpoint import SampleEndpoint
from tests.conftest import ROOT

DEMO = str(ROOT / "assets" / "demo_app.json")
RUN_AND_LIST = """
import json, os, runpy, sys
sys.argv = ["console", *json.loads(sys.argv[1])]
try:
    runpy.run_module("console", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(os.environ["MODULES_FILE"], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def loaded_by(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    """The exit code of ``python -m console ARGS`` and every module it loaded."""
    listing = tmp_path / "modules.json"
    environment = {**os.environ, **(env or {}), "MODULES_FILE": str(listing)}
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, json.dumps(args)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert listing.exists(), done.stderr
    result = json.loads(listing.read_text())
    return result["code"], set(result["modules"])


def present(modules: set[str], *names: str) -> list[str]:
    """Which of ``names`` (a package counts with its submodules) were loaded."""
    return [name for name in names if any(m == name or m.startswith(name + ".") for m in modules)]


def test_validate_loads_the_schema_and_the_rules_only(tmp_path: Path) -> None:
    code, modules = loaded_by(tmp_path, "validate", DEMO)
    assert code == 0
    assert "jsonschema" in modules and "console.manifest.validate" in modules
    assert not present(modules, "sqlalchemy", "requests", "urllib3", "alembic", "jinja2", "console.store",
                       "console.service", "console.readiness", "console.evidence", "console.outcome",
                       "console.fire", "console.catalog", "xml", "console.formats.junit", "console.formats.sarif")


def test_validate_in_a_ci_format_loads_that_renderer_only(tmp_path: Path) -> None:
    code, modules = loaded_by(tmp_path, "validate", DEMO, "--format", "junit")
    assert code == 0 and "console.formats.junit" in modules
    assert not present(modules, "console.formats.sarif", "console.formats.github", "sqlalchemy", "requests")


def test_help_loads_no_command(tmp_path: Path) -> None:
    code, modules = loaded_by(tmp_path, "--help")
    assert code == 0
    assert not present(modules, "jsonschema", "sqlalchemy", "requests", "console.manifest", "console.cli.validate",
                       "console.cli.check", "console.checks")


def test_check_of_a_database_at_head_skips_alembic_and_the_burst_engine(tmp_path: Path) -> None:
    env = {"CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}"}
    first, at_first = loaded_by(tmp_path, "check", DEMO, env=env)  # a new database: migrated, with Alembic
    assert first == 1 and "alembic" in at_first  # no stored fires: not ready
    assert not present(at_first, "requests", "urllib3", "console.fire.send", "console.service.team")  # no network
    endpoint = SampleEndpoint().start()
    try:
        code, modules = loaded_by(tmp_path, "check", DEMO, "--url", endpoint.install_url("ok"), env=env)
    finally:
        endpoint.stop()
    assert code == 0 and "console.conformance" in modules and "sqlalchemy" in modules
    assert not present(modules, "alembic", "mako", "jinja2", "aiohttp", "pandas", "console.burst_run",
                       "console.fire.burst", "console.formats.junit", "streamlit",
                       "sqlalchemy.dialects.postgresql")  # on SQLite: PostgreSQL's dialect loads asyncio
