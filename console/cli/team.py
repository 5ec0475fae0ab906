"""`team invite|revoke|list|status`: the access gate's people; `team role|shared|setting|webhook|members|audit`:
reviewing as a team (console/cli/team_review.py)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from console.cli import team_review
from console.cli.common import ACTOR, EXIT_PASS, EXIT_USAGE, note, open_store
from console.cli.options import add_json

if TYPE_CHECKING:
    from console.store import Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="team_command", required=True, metavar="SUBCOMMAND")
    invite = commands.add_parser("invite", help="invite a person: prints their personal token once")
    invite.add_argument("name", metavar="NAME")
    revoke = commands.add_parser("revoke", help="revoke a person's token (their sessions end at once)")
    revoke.add_argument("name", metavar="NAME")
    commands.add_parser("list", help="everyone invited, active or revoked")
    commands.add_parser("status", help="is the gate on? exit 2 when CONSOLE_MODE=team has no gate")
    team_review.add_arguments(commands)
    for sub in commands.choices.values():
        add_json(sub)  # for `team audit`, --json is --format json


def run(args: argparse.Namespace) -> int:
    handlers = {"status": _status, "list": _list, "invite": _invite, "revoke": _revoke}
    with open_store() as store:
        if args.team_command in team_review.COMMANDS:
            return team_review.run(args, store)
        return handlers[args.team_command](store, args)


def _list(store: Store, args: argparse.Namespace) -> int:
    from console.service import team

    people = team.list_people(store)
    if args.json:
        print(json.dumps({"people": [{
            "name": p.name, "active": p.active, "invited_at": p.created_at.isoformat(),
            "invited_by": p.created_by, "revoked_at": p.revoked_at.isoformat() if p.revoked_at else None,
        } for p in people]}, ensure_ascii=False))
    else:
        for p in people:
            state = "active" if p.active else f"revoked {p.revoked_at:%Y-%m-%d %H:%M} UTC"
            print(f"{p.name:<40} {state:<28} invited {p.created_at:%Y-%m-%d %H:%M} UTC by {p.created_by}")
        if not people:
            print("Nobody is invited yet: `python -m console team invite NAME`.")
    return EXIT_PASS


def _invite(store: Store, args: argparse.Namespace) -> int:
    from console.service import team

    token = team.invite_person(store, args.name, actor=ACTOR)
    name = args.name.strip()
    if args.json:
        print(json.dumps({"name": name, "token": token}, ensure_ascii=False))
    else:
        print(token)
        note(f"Personal token for {name}: shown only now (the console stores only its hash). "
             "Give it to them over a private channel.")
    return EXIT_PASS


def _revoke(store: Store, args: argparse.Namespace) -> int:
    from console.service import team

    team.revoke_person(store, args.name, actor=ACTOR)
    name = args.name.strip()
    if args.json:
        print(json.dumps({"name": name, "revoked": True}, ensure_ascii=False))
    else:
        print(f"Revoked {name}'s token; their open sessions have ended.")
    return EXIT_PASS


def _status(store: Store, args: argparse.Namespace) -> int:
    from console.config import access_token, console_mode
    from console.service import team

    problem = team.gate_problem(store)
    status = {"mode": console_mode(), "gate": team.gate_enabled(store), "shared_token": bool(access_token()),
              "people": sum(1 for p in team.list_people(store) if p.active), "problem": problem}
    if args.json:
        print(json.dumps(status))
    else:
        print(f"mode {status['mode']} · gate {'on' if status['gate'] else 'off'} · shared token "
              f"{'set' if status['shared_token'] else 'unset'} · {status['people']} active invite(s)")
    if problem:
        note(f"error: the console refuses to start: {problem}")
        return EXIT_USAGE
    return EXIT_PASS
