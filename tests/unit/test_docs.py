"""The README stays honest: every CLI command and every environment variable is documented."""

import re
from pathlib import Path

from console import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_every_cli_command_is_documented() -> None:
    parser = cli._parser()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001
    for name in commands:
        assert f"python -m console {name}" in README, f"README does not show `{name}`"


def test_every_environment_variable_is_documented() -> None:
    used = set()
    for path in [*Path(ROOT / "console").glob("*.py"), *Path(ROOT / "tests").rglob("*.py")]:
        used |= set(re.findall(r"CONSOLE_[A-Z_]+", path.read_text("utf-8")))
    documented = set(re.findall(r"`(CONSOLE_[A-Z_]+)`", README))
    assert used and used <= documented, f"undocumented: {sorted(used - documented)}"


def test_readme_gives_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_the_readme_shows_the_readiness_model_as_defined() -> None:
    from console.readiness import model_table

    assert model_table() in (ROOT / "README.md").read_text("utf-8")
