"""`python -m console …`: validate, fire, check, sandbox serve.

Exit 0 = pass, 1 = the check failed, 2 = bad usage or unreadable input (message on
stderr, never a traceback). ``--json`` prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from console import __version__
from console.callback import FireContext, FireResult, Timeouts, fill_params, fire_install_request, sample_value
from console.config import allowed_hosts, console_mode
from console.diagnosis import diagnose
from console.manifest import (
    ManifestError,
    load_manifest_file,
    param_names,
    request_of,
    request_or_default,
    validate_manifest,
)
from console.netpolicy import AddressPolicy

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

    sandbox = commands.add_parser("sandbox", help="the local sample install endpoint")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="SUBCOMMAND")
    serve = sandbox_commands.add_parser("serve", help="serve the sample install endpoint until Ctrl-C")
    serve.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
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
    if seconds is None:
        return Timeouts()
    if not 0 < seconds <= 300:
        raise UsageError(f"--timeout {seconds:g}: give a number of seconds between 0 and 300.")
    return Timeouts(connect=min(5.0, seconds), total=seconds)


def _load(path: str) -> dict[str, Any]:
    try:
        return load_manifest_file(path)
    except ManifestError as exc:
        raise UsageError(str(exc)) from None


def _policy() -> AddressPolicy:
    return AddressPolicy(console_mode(), allowed_hosts())


def _record(results: Sequence[tuple[FireResult, str | None]], app_name: str, run_id: str | None = None
            ) -> list[Any]:
    """Store the fires in the shared database; a storage failure is a warning, not a crash."""
    try:
        from console.store import FireFilter, open_store

        store = open_store()
        for result, step in results:
            store.record_fire(result, app_ref=None, app_name=app_name, source="cli", target_kind="endpoint",
                              run_id=run_id, step=step)
        if run_id is None:
            return []
        return list(reversed(store.list_fires(FireFilter(run_id=run_id), limit=100, with_detail=True)))
    except Exception as exc:  # noqa: BLE001 - storage must never break a check
        print(f"warning: could not record the fires in the database: {exc}", file=sys.stderr)
        return []


def cmd_validate(args: argparse.Namespace) -> int:
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
    manifest = _load(args.app_json)
    context, timeouts = _context(args.var, manifest), _timeouts(args.timeout)
    if request_of(manifest) is None and not args.url:
        raise UsageError(f"{args.app_json} has no auth.request (manual delivery): give the endpoint with --url.")
    if args.app_key is not None and (not args.app_key.strip() or any(c in args.app_key for c in "\r\n \t")):
        raise UsageError("--app-key: give a key without spaces or line breaks.")
    result = fire_install_request(request_or_default(manifest), context, app_key=args.app_key, url=args.url,
                                  timeouts=timeouts, policy=_policy())
    _record([(result, None)], Path(args.app_json).name)
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
    from console.profile import AppProfile
    from console.readiness import ReadinessInput, evaluate_checklist, is_ready
    from console.report import build_report

    manifest = _load(args.app_json)
    context, timeouts = _context(args.var, manifest), _timeouts(args.timeout)
    fires: list[Any] = []
    if args.url:
        request = request_or_default(manifest)
        if not args.json:
            print(f"Running the conformance runs against {args.url} …", file=sys.stderr)
        run = run_conformance(request, context, url=args.url, timeouts=timeouts, policy=_policy())
        fires = _record([(f.result, f.step) for f in run], Path(args.app_json).name, run_id=new_run_id())
    items = evaluate_checklist(ReadinessInput(
        manifest=manifest, scopes=(), target_kind="endpoint", recent_fires=list(reversed(fires)),
        conformance=fires, for_listing=args.for_listing))
    items = [item for item in items if item.id != "scopes.review"]  # scopes live in ManyChat, not App JSON
    ready = is_ready(items)
    if args.json:
        profile = AppProfile(Path(args.app_json).stem, context.app_id, context.app_version)
        report = build_report(profile, (), manifest, items, target=args.url or "(none: validation only)",
                              for_listing=args.for_listing)
        print(json.dumps(report, ensure_ascii=False))
    else:
        from console.readiness import STATUS_LABELS

        for item in items:
            flag = "required" if item.required else "optional"
            print(f"[{STATUS_LABELS[item.status]:>12}] {item.title} ({flag})\n{'':15}{item.why}")
        print(f"{args.app_json}: {'READY' if ready else 'NOT READY'}"
              f"{' for an App Store listing' if args.for_listing else ''}")
    return EXIT_PASS if ready else EXIT_FAIL


def cmd_sandbox(args: argparse.Namespace) -> int:
    from console.sandbox import MODE_HELP, SampleEndpoint

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
    handlers = {"validate": cmd_validate, "fire": cmd_fire, "check": cmd_check, "sandbox": cmd_sandbox}
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
