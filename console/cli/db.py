"""`db upgrade`: apply the database migrations (the console also does at start)."""

from __future__ import annotations

import argparse
import json

from console.cli.common import EXIT_PASS, open_store
from console.cli.options import add_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    upgrade = commands.add_parser("upgrade", help="apply the database migrations (the console also does at start)")
    add_json(upgrade)


def run(args: argparse.Namespace) -> int:
    from console.service import apps

    with open_store() as store:  # opening it migrates it
        url = apps.database_location(store)
        revision = apps.database_revision(store)
    if args.json:
        print(json.dumps({"database": url, "revision": revision}))
    else:
        print(f"{url}: at revision {revision}")
    return EXIT_PASS
