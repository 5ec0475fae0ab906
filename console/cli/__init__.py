"""`python -m console …`: the command line, a thin face over console.service.

Exit 0 = pass, 1 = the check failed, 2 = bad usage or unreadable input (message on stderr, never a
traceback). ``--json`` prints one JSON object on stdout. Every write is attributed to ``cli``.

The command table maps each command to the module that holds it (as pip's does): a module is
imported only when its command runs, so ``validate`` starts without requests, SQLAlchemy or Jinja2.
Each command module has ``add_arguments(parser)`` and ``run(args) -> int``. To add a command: write
``console/cli/NAME.py`` with those two functions and add a line to COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NamedTuple

from console import __version__
from console.cli.common import EXIT_FAIL, EXIT_USAGE, UsageError, user_error

__all__ = ["COMMANDS", "main"]


class Command(NamedTuple):
    module: str
    help: str


COMMANDS: dict[str, Command] = {
    "validate": Command("console.cli.validate", "validate an App JSON file (schema + lint)"),
    "diff": Command("console.cli.diff", "the semantic difference of two App JSON files"),
    "fire": Command("console.cli.fire", "send the install request as ManyChat would"),
    "check": Command("console.cli.check", "the readiness checklist (with --url, the conformance runs)"),
    "action": Command("console.cli.action", "list the actions; rehearse one as ManyChat sends it"),
    "burst": Command("console.cli.burst", "fire the install request for N installations at once (re-keying)"),
    "scaffold": Command("console.cli.scaffold", "generate an install endpoint (Python or Node) from the App JSON"),
    "sandbox": Command("console.cli.sandbox", "the local ManyChat API, installations, the sample endpoint"),
    "demo": Command("console.cli.demo", "the demo app, with a realistic history for stakeholder demos"),
    "db": Command("console.cli.db", "the console's database"),
    "team": Command("console.cli.team", "the access gate's people (invite, revoke, list, status) and reviewing "
                                        "as a team (role, shared, setting, webhook, members, audit)"),
}


def command_module(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name].module)


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser. Without ``command`` every command is listed (``--help``, a usage error); with it only that
    command's parser is built and only its module imported (each parser costs start-up time)."""
    parser = argparse.ArgumentParser(
        prog="python -m console", description="App Key Console: check a ManyChat app's App Key delivery.")
    parser.add_argument("--version", action="version", version=f"App Key Console {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, entry in COMMANDS.items():
        if command is None or name == command:
            sub = commands.add_parser(name, help=entry.help, description=entry.help)
        if name == command:
            command_module(name).add_arguments(sub)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (the first word that is not an option), if it is one."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in COMMANDS else None


def _check_environment() -> None:
    """Refuse to start with a CONSOLE_MODE the console does not know (a typo must not mean local mode)."""
    from console.config import ConfigError, console_mode

    try:
        console_mode()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_in(argv)
    args = _parser(command).parse_args(argv)
    try:
        _check_environment()
        result: int = command_module(args.command).run(args)
        return result
    except KeyboardInterrupt:
        return EXIT_FAIL
    except Exception as exc:  # noqa: BLE001 - never a traceback for users
        message = user_error(exc)
        if message is None and os.environ.get("CONSOLE_DEBUG"):
            raise
        print(f"error: {message or f'unexpected failure: {exc} (set CONSOLE_DEBUG=1 to see details)'}",
              file=sys.stderr)
        return EXIT_USAGE
