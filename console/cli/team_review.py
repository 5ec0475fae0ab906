"""`team role`, `team shared`, `team setting`, `team webhook`, `team members` and `team audit`: the
commands for reviewing as a team. The team command group (console/cli/team.py) calls ``add_arguments``
with its subparsers and ``run`` for the commands named in ``COMMANDS``; a refusal (service.ServiceError)
becomes exit 2 with its message, as for every command."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from console import audit, roles
from console.cli.common import ACTOR

if TYPE_CHECKING:
    from console.store import Store

COMMANDS = ("role", "shared", "setting", "webhook", "members", "audit")


def add_arguments(team_commands: Any) -> None:
    """Add the subcommands to the `team` group's subparsers."""
    role = team_commands.add_parser("role", help="give a member a role for one app or for every app",
                                    description="Roles: " + "; ".join(
                                        f"{r}: {', '.join(sorted(roles.PERMISSIONS[r]))}" for r in roles.ROLES))
    role.add_argument("name", metavar="NAME")
    role.add_argument("app", metavar="APP", help="the app's id, or 'all' for every app")
    role.add_argument("role", metavar="ROLE", help=f"{', '.join(roles.ROLES)}, or 'none' to take a per-app role away")
    shared = team_commands.add_parser("shared", help="switch the team's shared token off (or back on)")
    shared.add_argument("state", choices=("on", "off"))
    setting = team_commands.add_parser("setting", help="separation_of_duties on|off; default_role/shared_role ROLE")
    setting.add_argument("key", choices=("separation_of_duties", "default_role", "shared_role"))
    setting.add_argument("value")
    hook = team_commands.add_parser("webhook", help="the webhook told of sign-offs, changes requested, stale "
                                                    "sign-offs and failed conformance runs ('' removes it)")
    hook.add_argument("url", metavar="URL")
    hook.add_argument("--format", choices=("slack", "json"), default="slack",
                      help='slack: {"text": …} (default); json: an event object')
    team_commands.add_parser("members", help="everyone with their roles and how they sign in")
    log = team_commands.add_parser("audit", help="export the audit log (every entry, no cap)")
    log.add_argument("--since", metavar="WHEN", help="a date, a UTC time, or a span back from now: 7d, 12h, 30m")
    log.add_argument("--actor", metavar="NAME", help="only this person's entries")
    log.add_argument("--kind", action="append", default=[], metavar="KIND", choices=audit.KINDS,
                     help="only entries of this kind (repeatable)")
    log.add_argument("--app", type=int, metavar="ID", help="only this app's entries")
    log.add_argument("--format", choices=audit.FORMATS, default="csv",
                     help='csv (default) or json ({"entries": [...]}; --json says the same)')
    log.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace, store: Store) -> int:
    """Run one of COMMANDS as the command line (an admin); the exit code."""
    from console.service import conversation, review

    command = args.team_command
    if command == "role":
        before = review.set_role(store, args.name, args.app, args.role, actor=ACTOR)
        _say(args, {"name": args.name.strip(), "app": args.app, "role": args.role.lower(), "before": before},
             f"{args.name.strip()}: {before} → {args.role.lower()} for "
             f"{'every app' if str(args.app).lower() in ('all', '*') else 'app #' + str(args.app)}.")
    elif command == "shared":
        review.set_shared_token(store, args.state == "on", actor=ACTOR)
        _say(args, {"shared_token": args.state}, f"The shared token is {args.state}." + (
            " Rotate CONSOLE_ACCESS_TOKEN too if it was ever shared with someone who has left." if args.state == "off"
            else ""))
    elif command == "setting":
        review.set_team_setting(store, args.key, args.value, actor=ACTOR)
        _say(args, {"key": args.key, "value": args.value}, f"{args.key} = {args.value}")
    elif command == "webhook":
        review.set_webhook(store, args.url, args.format, actor=ACTOR)
        shown = review.team_settings(store).webhook_destination
        _say(args, {"webhook": shown, "format": args.format}, f"Webhook: {shown or 'none'} ({args.format}).")
    elif command == "members":
        _members(args, store)
    else:
        where = conversation.audit_filter(since=args.since, actor=args.actor, actions=tuple(args.kind),
                                                 app_ref=args.app)
        fmt = "json" if getattr(args, "json", False) else args.format
        pieces = conversation.audit_export(store, where, fmt, actor=ACTOR)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                out.writelines(pieces)
            print(f"Wrote the audit log to {args.output}.", file=sys.stderr)
        else:
            sys.stdout.writelines(pieces)
    return 0


def _members(args: argparse.Namespace, store: Store) -> None:
    from console.service import review

    members = review.members(store)
    if getattr(args, "json", False):
        print(json.dumps({"members": [{"name": m.name, "active": m.active, "email": m.email, "role": m.console_role,
                                       "app_roles": {str(a): r for a, r in m.app_roles}} for m in members]}))
        return
    for m in members:
        extra = ", ".join(f"app #{a}: {r}" for a, r in m.app_roles)
        print(f"{m.name:<30} {'active' if m.active else 'revoked':<8} {m.console_role:<9} {m.email or 'token':<30} "
              + extra)
    if not members:
        print("Nobody is a member yet: `python -m console team invite NAME`, or sign in through the identity provider.")


def _say(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data) if getattr(args, "json", False) else text)
