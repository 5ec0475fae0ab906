"""`python -m console …`: validate, fire, check, sandbox serve, demo seed, db upgrade, team.

Exit 0 = pass, 1 = the check failed, 2 = bad usage or unreadable input (message on
stderr, never a traceback). ``--json`` prints one JSON object on stdout.

Each command imports only what it uses (``validate`` needs neither requests nor SQLAlchemy
nor Jinja2), so the CLI starts fast in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console import __version__

if TYPE_CHECKING:
    from console.fire.prepare import FireContext
    from console.fire.send import Timeouts
    from console.netpolicy import AddressPolicy
    from console.outcome import FireResult

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or unreadable input: exit 2 with this message."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m console", description="App Key Console: check a ManyChat app's App Key delivery.")
    parser.add_argument("--version", action="version", version=f"App Key Console {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="validate an App JSON file (schema + lint)")
    validate.add_argument("app_json", metavar="APP_JSON")
    validate.add_argument("--for-listing", action="store_true", help="apply App Store listing rules")
    validate.add_argument("--json", action="store_true", help="print one JSON object")

    fire = commands.add_parser("fire", help="send the install request as ManyChat would")
    _fire_options(fire)
    fire.add_argument("--app-key", metavar="KEY", help="the App Key to send (default: a fresh one)")

    check = commands.add_parser("check", help="the readiness checklist (with --url, the conformance runs)")
    _fire_options(check)
    check.add_argument("--for-listing", action="store_true",
                       help="make https, server-side delivery and a 200 required")
    check.add_argument("--require-signoff", action="store_true",
                       help="fail unless a reviewer signed off this exact App JSON in the console (and it is fresh)")
    check.add_argument("--app", type=int, metavar="ID", help="with --require-signoff: the console app to look at")

    sandbox = commands.add_parser("sandbox", help="the local sample install endpoint")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="SUBCOMMAND")
    serve = sandbox_commands.add_parser("serve", help="serve the sample install endpoint until Ctrl-C")
    serve.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    demo = commands.add_parser("demo", help="the demo app, with a realistic history for stakeholder demos")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True, metavar="SUBCOMMAND")
    seed = demo_commands.add_parser("seed", help="create the demo app with N stored fires; prints its id")
    seed.add_argument("--fires", type=int, default=1000, metavar="N", help="how many fires (default 1000)")
    seed.add_argument("--app-name", metavar="NAME", help="the demo app's name (default: Demo: Order Notifier)")
    seed.add_argument("--json", action="store_true", help="print one JSON object")

    db = commands.add_parser("db", help="the console's database")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    upgrade = db_commands.add_parser("upgrade", help="apply the database migrations (the console also does at start)")
    upgrade.add_argument("--json", action="store_true", help="print one JSON object")

    team = commands.add_parser("team", help="the access gate's people: invite, revoke, list; status")
    team_commands = team.add_subparsers(dest="team_command", required=True, metavar="SUBCOMMAND")
    invite = team_commands.add_parser("invite", help="invite a person: prints their personal token once")
    invite.add_argument("name", metavar="NAME")
    revoke = team_commands.add_parser("revoke", help="revoke a person's token (their sessions end at once)")
    revoke.add_argument("name", metavar="NAME")
    team_commands.add_parser("list", help="everyone invited, active or revoked")
    team_commands.add_parser("status", help="is the gate on? exit 2 when CONSOLE_MODE=team has no gate")
    for sub in team_commands.choices.values():
        sub.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _fire_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_json", metavar="APP_JSON")
    parser.add_argument("--url", help="fire at this URL instead of auth.request.url")
    parser.add_argument("--var", action="extend", nargs="+", default=[], metavar="NAME=VALUE",
                        help="a value for an installer param or system variable (repeatable)")
    parser.add_argument("--timeout", type=float, metavar="S", help="total deadline in seconds (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _context(variables: Sequence[str], manifest: dict[str, Any]) -> FireContext:
    """System values and param values from --var; declared params without one get a sample value."""
    from console.fire.prepare import FireContext, fill_params, sample_value
    from console.manifest.document import param_names

    values: dict[str, str] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {item!r}: write it as NAME=VALUE, e.g. --var workspace=acme.")
        values[name.strip()] = value
    system = {k: values.pop(k) for k in ("app_id", "app_version", "page_id") if k in values}
    if "app_token" in values:
        raise UsageError("--var app_token=…: give the key with --app-key instead.")
    missing = [name for name in param_names(manifest) if name not in values]
    if missing:
        print("note: no --var for " + ", ".join(missing) + "; sending sample value(s) "
              + ", ".join(f"{n}={sample_value(n)}" for n in missing), file=sys.stderr)
    return FireContext(**system, params=fill_params(param_names(manifest), values))


def _timeouts(seconds: float | None) -> Timeouts:
    from console.fire.send import Timeouts

    if seconds is None:
        return Timeouts()
    if not 0 < seconds <= 300:
        raise UsageError(f"--timeout {seconds:g}: give a number of seconds between 0 and 300.")
    return Timeouts(connect=min(5.0, seconds), total=seconds)


def _load(path: str) -> dict[str, Any]:
    from console.manifest.document import ManifestError, load_manifest_file

    try:
        return load_manifest_file(path)
    except ManifestError as exc:
        raise UsageError(str(exc)) from None


def _policy() -> AddressPolicy:
    from console.config import allowed_hosts, console_mode
    from console.netpolicy import AddressPolicy

    return AddressPolicy(console_mode(), allowed_hosts())


def _record(results: Sequence[tuple[FireResult, str | None]], app_name: str, target_kind: str,
            run_id: str | None = None) -> list[Any]:
    """Store the fires in the shared database; a storage failure is a warning, not a crash."""
    try:
        from console import service

        store = service.open_console_store()
        try:
            return service.record_cli_fires(store, results, app_name, target_kind, run_id)
        finally:
            store.close()
    except Exception as exc:  # noqa: BLE001 - storage must never break a check
        print(f"warning: could not record the fires in the database: {exc}", file=sys.stderr)
        return []


def cmd_validate(args: argparse.Namespace) -> int:
    from console.manifest.validate import validate_manifest

    report = validate_manifest(_load(args.app_json), for_listing=args.for_listing)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for issue in report.issues:
            print(f"{issue.severity:<8} {issue.pointer or '/':<28} {issue.code:<24} {issue.message} {issue.hint}")
        errors = sum(1 for i in report.issues if i.severity == "error")
        print(f"{args.app_json}: {'valid' if report.valid else 'INVALID'} "
              f"({errors} error(s), {len(report.issues) - errors} other finding(s))")
    return EXIT_PASS if report.valid else EXIT_FAIL


def cmd_fire(args: argparse.Namespace) -> int:
    from console.diagnosis import diagnose
    from console.fire.send import fire_install_request
    from console.manifest.document import request_of, request_or_default

    manifest = _load(args.app_json)
    context, timeouts = _context(args.var, manifest), _timeouts(args.timeout)
    if request_of(manifest) is None and not args.url:
        raise UsageError(f"{args.app_json} has no auth.request (manual delivery): give the endpoint with --url.")
    if args.app_key is not None and (not args.app_key.strip() or any(c in args.app_key for c in "\r\n \t")):
        raise UsageError("--app-key: give a key without spaces or line breaks.")
    result = fire_install_request(request_or_default(manifest), context, app_key=args.app_key, url=args.url,
                                  timeouts=timeouts, policy=_policy())
    _record([(result, None)], Path(args.app_json).name, _target_kind(args.url))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        verdict = diagnose(result.category, result.status)
        print(f"{'OK' if result.ok else 'FAILED'}: {result.message} ({result.elapsed_ms:.0f} ms)")
        print(f"  {verdict.title}. {verdict.explanation}")
        if not result.ok:
            print(f"  Next step: {verdict.next_step}")
        print(f"  {result.request.method} {result.request.url}  key {result.key_masked} ({result.key_fingerprint})")
        if result.delivery is not None:
            print(f"  Key delivery: {result.delivery.message}")
    return EXIT_PASS if result.ok else EXIT_FAIL


def cmd_check(args: argparse.Namespace) -> int:
    from console.conformance import new_run_id, run_conformance
    from console.manifest.document import request_or_default
    from console.profile import AppProfile
    from console.readiness import ReadinessInput, evaluate_checklist, verdict_of

    manifest = _load(args.app_json)
    context, timeouts = _context(args.var, manifest), _timeouts(args.timeout)
    fires: list[Any] = []
    if args.url:
        request = request_or_default(manifest)
        if not args.json:
            print(f"Running the conformance runs against {args.url} …", file=sys.stderr)
        run = run_conformance(request, context, url=args.url, timeouts=timeouts, policy=_policy())
        fires = _record([(f.result, f.step) for f in run], Path(args.app_json).name, _target_kind(args.url),
                        run_id=new_run_id())
    items = evaluate_checklist(ReadinessInput(
        manifest=manifest, scopes=(), target_kind=_target_kind(args.url), recent_fires=list(reversed(fires)),
        conformance=fires, for_listing=args.for_listing))
    items = [item for item in items if item.id != "scopes.review"]  # scopes live in ManyChat, not App JSON
    verdict = verdict_of(items)
    ready = verdict.ready
    signoff = _signoff_check(manifest, args.app, args.for_listing) if args.require_signoff else None
    if args.app is not None and not args.require_signoff:
        raise UsageError("--app ID only has a meaning with --require-signoff.")
    if args.json:
        from console.report import build_report

        profile = AppProfile(Path(args.app_json).stem, context.app_id, context.app_version)
        report = build_report(profile, (), manifest, items, target=args.url or "(none: validation only)",
                              for_listing=args.for_listing,
                              signoffs=[signoff.signoff.to_dict()] if signoff and signoff.signoff else ())
        if signoff is not None:
            report["signoff_required"] = {"ok": signoff.ok, "message": signoff.message}
        print(json.dumps(report, ensure_ascii=False))
    else:
        from console.readiness import STATUS_LABELS

        for item in items:
            flag = "required" if item.required else "optional"
            print(f"[{STATUS_LABELS[item.status]:>12}] {item.title} ({flag})\n{'':15}{item.why}")
        print(f"{args.app_json}: {'READY' if ready else 'NOT READY'}"
              f"{' for an App Store listing' if args.for_listing else ''}: {verdict.summary}.")
        if verdict.not_run and not args.url:
            print("  To run the fires the checklist needs: add --url https://your.endpoint/install", file=sys.stderr)
        if signoff is not None:
            print(f"Sign-off: {'OK' if signoff.ok else 'MISSING'}: {signoff.message}")
    return EXIT_PASS if ready and (signoff is None or signoff.ok) else EXIT_FAIL


def _signoff_check(manifest: dict[str, Any], app_ref: int | None, for_listing: bool) -> Any:
    from console import service

    store = _open_store()
    try:
        return service.require_signoff(store, manifest, app_ref, for_listing)
    finally:
        store.close()


def cmd_team(args: argparse.Namespace) -> int:
    from console import service

    store = _open_store()
    try:
        if args.team_command == "status":
            return _team_status(store, args.json)
        if args.team_command == "list":
            people = service.list_people(store)
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
        try:
            if args.team_command == "invite":
                token = service.invite_person(store, args.name, actor="cli")
            else:
                service.revoke_person(store, args.name, actor="cli")
        except service.ServiceError as exc:
            raise UsageError(str(exc)) from None
    finally:
        store.close()
    name = args.name.strip()
    if args.team_command == "invite":
        if args.json:
            print(json.dumps({"name": name, "token": token}, ensure_ascii=False))
        else:
            print(token)
            print(f"Personal token for {name}: shown only now (the console stores only its hash). "
                  "Give it to them over a private channel.", file=sys.stderr)
    elif args.json:
        print(json.dumps({"name": name, "revoked": True}, ensure_ascii=False))
    else:
        print(f"Revoked {name}'s token; their open sessions have ended.")
    return EXIT_PASS


def _team_status(store: Any, as_json: bool) -> int:
    from console import service
    from console.config import access_token, console_mode

    problem = service.gate_problem(store)
    status = {"mode": console_mode(), "gate": service.gate_enabled(store), "shared_token": bool(access_token()),
              "people": sum(1 for p in service.list_people(store) if p.active), "problem": problem}
    if as_json:
        print(json.dumps(status))
    else:
        print(f"mode {status['mode']} · gate {'on' if status['gate'] else 'off'} · shared token "
              f"{'set' if status['shared_token'] else 'unset'} · {status['people']} active invite(s)")
    if problem:
        print(f"error: the console refuses to start: {problem}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_PASS


def _target_kind(url: str | None) -> str:
    """'sample' when the URL is the console's own sample endpoint (a rehearsal), else 'endpoint'."""
    from console.sandbox.sample_endpoint import is_sample_url

    return "sample" if url and is_sample_url(url) else "endpoint"


def cmd_demo(args: argparse.Namespace) -> int:
    from console import service

    store = _open_store()
    try:
        def progress(done: int) -> None:
            if sys.stderr.isatty():
                print(f"\rseeded {done:,} of {args.fires:,} fires", end="", file=sys.stderr, flush=True)

        try:
            app = service.seed_demo(store, args.fires, args.app_name, on_batch=progress, actor="cli")
        except service.ServiceError as exc:
            raise UsageError(str(exc)) from None
        if sys.stderr.isatty():
            print(file=sys.stderr)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"app": app.id, "name": app.name, "fires": args.fires}))
    else:
        print(app.id)
    return EXIT_PASS


def cmd_db(args: argparse.Namespace) -> int:
    store = _open_store()
    from console.store.engine import current_revision

    revision = current_revision(store.engine)
    url = store.engine.url.render_as_string(hide_password=True)
    store.close()
    if args.json:
        print(json.dumps({"database": url, "revision": revision}))
    else:
        print(f"{url}: at revision {revision}")
    return EXIT_PASS


def _open_store() -> Any:
    from console import service
    from console.store import DatabaseError

    try:
        return service.open_console_store()
    except DatabaseError as exc:
        raise UsageError(str(exc)) from None


def cmd_sandbox(args: argparse.Namespace) -> int:
    from console.sandbox.sample_endpoint import MODE_HELP, SampleEndpoint

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: give a port between 0 and 65535.")
    try:
        endpoint = SampleEndpoint(args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}. "
                         "Pick another --port (0 = any free port).") from None
    print(f"Sample install endpoint on {endpoint.base_url}  (Ctrl-C to stop)")
    for mode, text in MODE_HELP.items():
        print(f"  {endpoint.install_url(mode)}  {text}")
    sys.stdout.flush()
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    return EXIT_PASS


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handlers = {"validate": cmd_validate, "fire": cmd_fire, "check": cmd_check, "sandbox": cmd_sandbox,
                "demo": cmd_demo, "db": cmd_db, "team": cmd_team}
    try:
        return handlers[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAIL
    except Exception as exc:  # noqa: BLE001 - never a traceback for users
        if os.environ.get("CONSOLE_DEBUG"):
            raise
        print(f"error: unexpected failure: {exc} (set CONSOLE_DEBUG=1 to see details)", file=sys.stderr)
        return EXIT_USAGE
