"""`python -m console …`: validate, diff, fire, check, burst, sandbox (serve, install, uninstall, rescope,
approve, reject, log), demo seed, db upgrade, team (invite, revoke, list, status).

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
    validate.add_argument("--strip-comments", action="store_true",
                          help="accept // and /* */ comments (ManyChat's field does not: a warning says where)")
    validate.add_argument("--scope", action="extend", nargs="+", default=None, metavar="PATH",
                          help="the app's scopes, e.g. /fb/subscriber/addTag: cross-check the API calls (repeatable)")
    validate.add_argument("--json", action="store_true", help="print one JSON object")

    diff = commands.add_parser("diff", help="the semantic difference of two App JSON files")
    diff.add_argument("old", metavar="A")
    diff.add_argument("new", metavar="B")
    diff.add_argument("--strip-comments", action="store_true", help="accept // and /* */ comments in the files")
    diff.add_argument("--json", action="store_true", help="print one JSON object")

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

    burst = commands.add_parser("burst", help="fire the install request for N installations at once (re-keying)")
    burst.add_argument("app_json", metavar="APP_JSON")
    burst.add_argument("--installations", type=int, metavar="N", help="how many installations (1 to 100,000)")
    burst.add_argument("--concurrency", type=int, default=50, metavar="C", help="requests in flight (default 50)")
    burst.add_argument("--url", help="fire at this URL instead of auth.request.url")
    burst.add_argument("--var", action="extend", nargs="+", default=[], metavar="NAME=VALUE",
                       help="a value for an installer param or system variable (repeatable)")
    burst.add_argument("--timeout", type=float, metavar="S", help="each fire's total deadline in seconds (default 10)")
    burst.add_argument("--resume", metavar="RUN_ID", help="fire only the installations of this run with no result")
    burst.add_argument("--workers", type=int, metavar="W", help="worker processes (default: one per CPU, up to 4)")
    burst.add_argument("--json", action="store_true", help="print one JSON object")

    sandbox = commands.add_parser("sandbox", help="the local ManyChat API, installations, the sample endpoint")
    _sandbox_commands(sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="SUBCOMMAND"))
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
    from console import cli_team_review

    cli_team_review.add_arguments(team_commands)
    for name, sub in team_commands.choices.items():
        if name != "audit":
            sub.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _sandbox_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve the local ManyChat API and the sample install endpoint")
    serve.add_argument("--port", type=int, default=8765, help="the API's port (default 8765; 0 = any free)")
    serve.add_argument("--sample-port", type=int, metavar="Q",
                       help="the sample install endpoint's port (default: the API's port + 1; 0 = any free)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    install = commands.add_parser("install", help="install an app on a sandbox page: a new App Key, delivered")
    install.add_argument("app_json", metavar="APP_JSON")
    install.add_argument("--page-id", required=True, metavar="ID", help="the sandbox page (digits)")
    install.add_argument("--scope", action="extend", nargs="+", default=[], metavar="PATH",
                         help="a granted Public API endpoint, e.g. /fb/page/getInfo (repeatable)")
    install.add_argument("--kind", choices=("dev", "public"), default="dev", help="a new app's kind (default dev)")
    install.add_argument("--url", help="send the install request here instead of auth.request.url")
    install.add_argument("--json", action="store_true", help="print one JSON object")
    for name, text in (("uninstall", "uninstall an installation (its key then answers 500)"),
                       ("approve", "approve the review of the installation's public app: apply, re-key, fire"),
                       ("reject", "reject the review of the installation's public app: nothing changes")):
        command = commands.add_parser(name, help=text)
        command.add_argument("installation", type=int, metavar="ID", help="an installation id")
        command.add_argument("--json", action="store_true", help="print one JSON object")
    rescope = commands.add_parser("rescope", help="change the scopes of the installation's app (dev: re-key now; "
                                                  "public: republish, then approve or reject)")
    rescope.add_argument("installation", type=int, metavar="ID", help="an installation id")
    rescope.add_argument("--scope", action="extend", nargs="+", default=[], metavar="PATH",
                         help="the new scopes (repeatable; none = no scopes)")
    rescope.add_argument("--json", action="store_true", help="print one JSON object")
    log = commands.add_parser("log", help="list the calls made to the local ManyChat API, newest first")
    log.add_argument("--app", type=int, metavar="N", help="only this console app's calls")
    log.add_argument("--limit", type=int, default=50, metavar="N", help="how many (default 50)")
    log.add_argument("--json", action="store_true", help="print one JSON object")


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


class StorageError(UsageError):
    """The fires could not be stored: a check without stored evidence has no verdict."""


def _policy() -> AddressPolicy:
    from console.config import allowed_hosts, console_mode
    from console.netpolicy import AddressPolicy

    return AddressPolicy(console_mode(), allowed_hosts())


def _record(results: Sequence[tuple[FireResult, str | None]], app_name: str, target_kind: str,
            run_id: str | None = None, *, required: bool = False) -> list[Any]:
    """Store the fires in the shared database. A failure is a warning for ``fire``; for ``check``
    (``required``) it is an error: the checklist is decided from the stored fires, and missing
    evidence is never a pass."""
    try:
        from console import service

        store = service.open_console_store()
        try:
            return service.record_cli_fires(store, results, app_name, target_kind, run_id)
        finally:
            store.close()
    except Exception as exc:  # noqa: BLE001 - storage must never crash the CLI
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        if required:
            raise StorageError(f"could not store the fires in the database ({reason}), so the checklist has no "
                               "evidence to decide on. Check CONSOLE_DATABASE_URL and that the database is "
                               "writable, then run the check again.") from None
        print(f"warning: could not record the fires in the database: {reason}", file=sys.stderr)
        return []


def _load_snippet(path: str, strip_comments: bool) -> tuple[dict[str, Any], Any, tuple[Any, ...]]:
    """A whole App JSON document from a file, where its first comment was (None without any), and what
    reading it found (duplicate keys, numbers JSON cannot hold: findings with pointers).
    Comments without ``strip_comments`` and bare fragments are refused with a message that says so."""
    from console.manifest.document import MAX_BYTES, ManifestError, read_manifest_file
    from console.manifest.snippet import comments_message, read_snippet

    try:
        parsed = read_manifest_file(path)
        return parsed.document, None, parsed.findings
    except ManifestError as exc:
        error = exc
    try:
        file = Path(path)
        raw = file.read_bytes() if file.is_file() and file.stat().st_size <= MAX_BYTES else None
    except OSError:
        raw = None
    if raw is None:
        raise UsageError(str(error)) from None
    try:
        snippet = read_snippet(raw, None, strip=True)
    except ManifestError:
        raise UsageError(str(error)) from None
    if snippet.comment is not None and not strip_comments:
        raise UsageError(f"{path}: {comments_message(snippet.comment)} To check it anyway: --strip-comments.")
    if snippet.kind != "document":
        raise UsageError(f"{path} holds {snippet.label}, not a whole App JSON document. Put it into a document "
                         "with 'auth' and 'actions' (page 2's Import merges it into an app's App JSON).")
    return snippet.document, snippet.comment, ()


def cmd_validate(args: argparse.Namespace) -> int:
    from console.manifest.findings import ValidationIssue, ValidationReport
    from console.manifest.validate import validate_manifest

    document, comment, parse_findings = _load_snippet(args.app_json, args.strip_comments)
    if args.scope is not None:
        from console.catalog import get_scope

        unknown = [path for path in args.scope if get_scope(path) is None]
        if unknown:
            raise UsageError(f"--scope {' '.join(unknown)}: not a Public API endpoint (e.g. /fb/page/getInfo).")
    checked = validate_manifest(document, for_listing=args.for_listing, scopes=args.scope)
    report = ValidationReport(tuple(parse_findings) + checked.issues)
    if comment is not None:
        report = ValidationReport((ValidationIssue(
            "", "warning", "json.comments",
            f"The file has comments (the first at {comment.describe()}): ManyChat's App JSON field accepts JSON "
            "without comments.", "They were stripped for this check; remove them before pasting into ManyChat.",
        ), *report.issues))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for issue in report.issues:
            print(f"{issue.severity:<8} {issue.pointer or '/':<28} {issue.code:<24} {issue.message} {issue.hint}")
        errors = sum(1 for i in report.issues if i.severity == "error")
        print(f"{args.app_json}: {'valid' if report.valid else 'INVALID'} "
              f"({errors} error(s), {len(report.issues) - errors} other finding(s))")
    return EXIT_PASS if report.valid else EXIT_FAIL


def cmd_diff(args: argparse.Namespace) -> int:
    from console.manifest.diff import diff_documents

    old = _load_snippet(args.old, args.strip_comments)[0]
    new = _load_snippet(args.new, args.strip_comments)[0]
    changes = diff_documents(old, new)
    if args.json:
        print(json.dumps({"same": not changes, "changes": [c.to_dict() for c in changes]}, ensure_ascii=False))
    else:
        for change in changes:
            print(change.describe())
        print(f"{args.old} → {args.new}: " + (f"{len(changes)} change(s)" if changes else "no semantic difference"))
    return EXIT_PASS if not changes else EXIT_FAIL


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
    _record([(result, None)], Path(args.app_json).name, _target_kind(args.url, [result]))
    delivered = result.delivery is None or result.delivery.status not in ("missing", "mismatch")
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        verdict = diagnose(result.category, result.status, result.message)
        verdict_word = "OK" if result.ok and delivered else "FAILED"
        print(f"{verdict_word}: {result.message} ({result.elapsed_ms:.0f} ms)")
        print(f"  {verdict.title}. {verdict.explanation}")
        if not result.ok:
            print(f"  Next step: {verdict.next_step}")
        print(f"  {result.request.method} {result.request.url}  key {result.key_masked} ({result.key_fingerprint})")
        if result.delivery is not None:
            print(f"  Key delivery: {result.delivery.message}")
    return EXIT_PASS if result.ok and delivered else EXIT_FAIL


def cmd_check(args: argparse.Namespace) -> int:
    from console.conformance import new_run_id, run_conformance
    from console.manifest.document import request_or_default
    from console.profile import AppProfile
    from console.readiness import ReadinessInput, evaluate_checklist, verdict_of

    manifest = _load(args.app_json)
    context, timeouts = _context(args.var, manifest), _timeouts(args.timeout)
    fires: list[Any] = []
    target_kind = "endpoint"
    if args.url:
        request = request_or_default(manifest)
        if not args.json:
            print(f"Running the conformance runs against {args.url} …", file=sys.stderr)
        run = run_conformance(request, context, url=args.url, timeouts=timeouts, policy=_policy())
        target_kind = _target_kind(args.url, [f.result for f in run])
        fires = _record([(f.result, f.step) for f in run], Path(args.app_json).name, target_kind,
                        run_id=new_run_id(), required=True)
        if len(fires) != len(run):
            raise StorageError(f"stored {len(fires)} of the {len(run)} fires, so the checklist lacks evidence. "
                               "Check the database and run the check again.")
    items = evaluate_checklist(ReadinessInput(
        manifest=manifest, scopes=(), target_kind=target_kind, recent_fires=list(reversed(fires)),
        conformance=fires, for_listing=args.for_listing, scopes_known=False))
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
    from console import review_service

    store = _open_store()
    try:
        return review_service.require_signoff(store, manifest, app_ref, for_listing)
    finally:
        store.close()


def cmd_team(args: argparse.Namespace) -> int:
    from console import service

    store = _open_store()
    try:
        from console import cli_team_review

        if args.team_command in cli_team_review.COMMANDS:
            try:
                return cli_team_review.run(args, store)
            except service.ServiceError as exc:
                raise UsageError(str(exc)) from None
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


def cmd_burst(args: argparse.Namespace) -> int:
    from console import service
    from console.burst_run import BurstSpec

    if args.workers is not None and not 1 <= args.workers <= 16:
        raise UsageError(f"--workers {args.workers}: give a number from 1 to 16.")
    store = _open_store()
    try:
        if args.resume:
            if args.installations is not None or args.url:
                print("note: --resume fires the run as it was recorded; --installations and --url are ignored",
                      file=sys.stderr)
            run_id = args.resume
        else:
            if args.installations is None:
                raise UsageError("--installations N is required (or --resume RUN_ID to continue a run).")
            manifest = _load(args.app_json)
            from console.manifest.document import request_of, request_or_default

            if request_of(manifest) is None and not args.url:
                raise UsageError(f"{args.app_json} has no auth.request (manual delivery): give the endpoint with "
                                 "--url.")
            request = request_or_default(manifest)
            spec = BurstSpec(request, _context(args.var, manifest), args.url,
                             args.url or str(request.get("url") or ""), args.installations, args.concurrency,
                             _timeouts(args.timeout), _policy(), app_name=Path(args.app_json).name,
                             target_kind=_target_kind(args.url))
            try:
                run_id = service.create_burst(store, spec)
            except service.ServiceError as exc:
                raise UsageError(f"{exc} (--installations, --concurrency)") from None
        tty = sys.stderr.isatty()
        if not args.json or tty:
            print(f"burst run {run_id}", file=sys.stderr)

        def progress(p: Any) -> None:
            if tty:
                eta = "" if p.eta_s is None else f", about {p.eta_s:.0f} s left"
                print(f"\r{p.done:,}/{p.total:,} fired · {p.succeeded:,} ok · {p.failed:,} failed · "
                      f"{p.rate:,.0f}/s{eta}   ", end="", file=sys.stderr, flush=True)

        try:
            report = service.run_burst(store, run_id, workers=args.workers, policy=_policy(), on_progress=progress)
        except service.ServiceError as exc:
            raise UsageError(str(exc)) from None
        except KeyboardInterrupt:
            print(f"\ninterrupted: resume with --resume {run_id}", file=sys.stderr)
            return EXIT_FAIL
        if tty:
            print(file=sys.stderr)
    finally:
        store.close()
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        def ms(value: float | None) -> str:
            return "—" if value is None else f"{value:.1f} ms"

        print(f"{report.status.upper()}: {report.succeeded:,} of {report.sent:,} installations re-keyed (200), "
              f"{report.failed:,} failed, {report.rps:,.0f} requests/s over {report.elapsed_s:.2f} s")
        print(f"  latency p50 {ms(report.p50_ms)} · p95 {ms(report.p95_ms)} · p99 {ms(report.p99_ms)}")
        print("  " + " · ".join(f"{k} {v:,}" for k, v in sorted(report.by_category.items())))
        if report.status != "done":
            print(f"  Resume: python -m console burst {args.app_json} --resume {report.run_id}")
    complete = report.status == "done" and report.sent == report.total
    return EXIT_PASS if complete and report.failed == 0 else EXIT_FAIL


def _target_kind(url: str | None, results: Sequence[FireResult] = ()) -> str:
    """'sample' when the fires went to a sample endpoint on this machine (a rehearsal), else 'endpoint'.

    A URL that looks like the sample endpoint's counts as one only if what answered says it is.
    """
    from console.sandbox.sample_endpoint import is_sample_url

    if not url or not is_sample_url(url):
        return "endpoint"
    answered = [r for r in results if r.response is not None]
    return "sample" if not answered or any(_is_sample_answer(r.response.body) for r in answered
                                           if r.response is not None) else "endpoint"


def _is_sample_answer(body: str) -> bool:
    try:
        echo = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(echo, dict) and echo.get("sample_endpoint") is True


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
    handlers = {"serve": _sandbox_serve, "install": _sandbox_install, "uninstall": _sandbox_uninstall,
                "rescope": _sandbox_rescope, "approve": _sandbox_review, "reject": _sandbox_review,
                "log": _sandbox_log}
    return handlers[args.sandbox_command](args)


def _sandbox_serve(args: argparse.Namespace) -> int:
    from console.sandbox.api import SandboxServer
    from console.sandbox.sample_endpoint import MODE_HELP, SampleEndpoint

    sample_port = args.sample_port if args.sample_port is not None else (args.port + 1 if args.port else 0)
    for option, port in (("--port", args.port), ("--sample-port", sample_port)):
        if not 0 <= port <= 65535:
            raise UsageError(f"{option} {port}: give a port between 0 and 65535.")
    store = _open_store()
    try:
        endpoint = SampleEndpoint(args.host, sample_port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{sample_port}: {exc.strerror or exc}. "
                         "Pick another --sample-port (0 = any free port).") from None
    try:
        server = SandboxServer(store, args.host, args.port)
    except OSError as exc:
        endpoint.stop()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}. "
                         "Pick another --port (0 = any free port).") from None
    endpoint.start()
    print(f"Sample install endpoint on {endpoint.base_url}  (Ctrl-C to stop)")
    for mode, text in MODE_HELP.items():
        print(f"  {endpoint.install_url(mode)}  {text}")
    print(f"ManyChat API sandbox on {server.base_url}  (Authorization: Bearer <App Key>; "
          f"OpenAPI at {server.base_url}/openapi.json)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.stop()
        store.close()
    print("stopped")
    return EXIT_PASS


def _delivery_row(delivery: Any) -> dict[str, Any]:
    result = delivery.result
    return {"installation_id": delivery.installation.id, "page_id": delivery.installation.page_id,
            "key_fingerprint": delivery.installation.key_fingerprint, "delivery": delivery.state,
            "status": None if result is None else result.status,
            "category": None if result is None else result.category.value}


def _sandbox_install(args: argparse.Namespace) -> int:
    from console import service

    manifest = _load(args.app_json)
    store = _open_store()
    try:
        delivery = service.install_from_file(store, manifest, Path(args.app_json).stem, args.page_id, args.scope,
                                             args.kind, args.url, _policy())
    except service.ServiceError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    result = delivery.result
    if args.json:
        print(json.dumps({"installation_id": delivery.installation.id, "app_key": delivery.app_key,
                          "key_fingerprint": delivery.installation.key_fingerprint,
                          "delivery": None if result is None else result.to_dict()}, ensure_ascii=False))
    else:
        print(f"Installed as installation #{delivery.installation.id} on page {delivery.installation.page_id} "
              f"(app #{delivery.installation.app_ref}).")
        print(f"App Key (shown once, as ManyChat shows it): {delivery.app_key}  "
              f"({delivery.installation.key_fingerprint})")
        if result is None:
            print("Manual delivery: the App JSON has no auth.request; copy the key into the app's own settings.")
        else:
            print(f"Install request: {'OK' if result.ok else 'FAILED'}: {result.message}")
    return EXIT_PASS if result is None or result.ok else EXIT_FAIL


def _sandbox_uninstall(args: argparse.Namespace) -> int:
    from console import service

    store = _open_store()
    try:
        installation = service.uninstall_installation(store, args.installation)
    except service.ServiceError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    if args.json:
        print(json.dumps({"installation_id": installation.id, "page_id": installation.page_id,
                          "status": installation.status}))
    else:
        print(f"Installation #{installation.id} on page {installation.page_id} is uninstalled: its key now "
              "answers 500 {\"status\": \"exception\",\"message\": \"Something went wrong\"}.")
    return EXIT_PASS


def _print_change(change: Any, as_json: bool) -> int:
    rows = [_delivery_row(d) for d in change.deliveries]
    if as_json:
        print(json.dumps({"app": change.app.id, "review_state": change.sandbox.review_state,
                          "live_scopes": list(change.sandbox.live_scopes),
                          "saved_scopes": list(change.app.scopes), "message": change.message,
                          "installations": rows}))
    else:
        print(change.message)
        for row in rows:
            print(f"  installation #{row['installation_id']} (page {row['page_id']}): new key "
                  f"{row['key_fingerprint']}, {row['delivery']}"
                  + (f" (HTTP {row['status']})" if row["status"] is not None else ""))
    return EXIT_FAIL if any(row["delivery"] == "failed" for row in rows) else EXIT_PASS


def _sandbox_rescope(args: argparse.Namespace) -> int:
    from console import service

    store = _open_store()
    try:
        installation = store.installations.get(args.installation)
        if installation is None:
            raise UsageError(f"There is no installation #{args.installation}.")
        change = service.rescope(store, installation.app_ref, args.scope, _policy())
        if change.app.kind == "public" and change.sandbox.review_state in ("republish_needed", "rejected"):
            change = service.republish_app(store, installation.app_ref)
    except service.ServiceError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    return _print_change(change, args.json)


def _sandbox_review(args: argparse.Namespace) -> int:
    from console import service

    store = _open_store()
    try:
        installation = store.installations.get(args.installation)
        if installation is None:
            raise UsageError(f"There is no installation #{args.installation}.")
        if args.sandbox_command == "approve":
            change = service.approve_review(store, installation.app_ref, _policy())
        else:
            change = service.reject_review(store, installation.app_ref)
    except service.ServiceError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    return _print_change(change, args.json)


def _sandbox_log(args: argparse.Namespace) -> int:
    from console import service

    if not 1 <= args.limit <= 10_000:
        raise UsageError(f"--limit {args.limit}: give a number from 1 to 10000.")
    store = _open_store()
    try:
        calls = service.sandbox_calls(store, args.app, args.limit)
    finally:
        store.close()
    rows: list[dict[str, Any]] = [{"id": c.id, "called_at": c.called_at.isoformat(), "method": c.method, "path": c.path,
             "key_fingerprint": c.key_fingerprint, "app": c.app_ref, "installation_id": c.installation_ref,
             "status": c.status, "outcome": c.outcome, "note": c.note} for c in calls]
    if args.json:
        print(json.dumps({"calls": rows}, ensure_ascii=False))
    else:
        for row in rows:
            print(f"{row['called_at'][:19]}  {row['status']}  {row['method']:<4} {row['path']:<40} "
                  f"{row['key_fingerprint'] or '(no key)':<20} #{row['installation_id'] or '-'}  {row['outcome']}  "
                  f"{row['note']}")
        if not rows:
            print("No calls yet.")
    return EXIT_PASS


def _check_environment() -> None:
    """Refuse to start with a CONSOLE_MODE the console does not know (a typo must not mean local mode)."""
    from console.config import ConfigError, console_mode

    try:
        console_mode()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handlers = {"validate": cmd_validate, "diff": cmd_diff, "fire": cmd_fire, "check": cmd_check, "burst": cmd_burst,
                "sandbox": cmd_sandbox, "demo": cmd_demo, "db": cmd_db, "team": cmd_team}
    try:
        _check_environment()
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
