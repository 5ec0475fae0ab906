"""`demo seed`: the demo app with N stored fires (for stakeholder demos)."""

from __future__ import annotations

import argparse
import json
import sys

from console.cli.common import ACTOR, EXIT_PASS, note, open_store
from console.cli.options import add_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="demo_command", required=True, metavar="SUBCOMMAND")
    seed = commands.add_parser("seed", help="create the demo app with N stored fires; prints its id")
    seed.add_argument("--fires", type=int, default=1000, metavar="N", help="how many fires (default 1000)")
    seed.add_argument("--app-name", metavar="NAME", help="the demo app's name (default: Demo: Order Notifier)")
    add_json(seed)


def run(args: argparse.Namespace) -> int:
    from console.service import apps

    def progress(done: int) -> None:
        if sys.stderr.isatty():
            print(f"\rseeded {done:,} of {args.fires:,} fires", end="", file=sys.stderr, flush=True)

    with open_store() as store:
        app = apps.seed_demo(store, args.fires, args.app_name, on_batch=progress, actor=ACTOR)
    if sys.stderr.isatty():
        note("")
    if args.json:
        print(json.dumps({"app": app.id, "name": app.name, "fires": args.fires}))
    else:
        print(app.id)
    return EXIT_PASS
