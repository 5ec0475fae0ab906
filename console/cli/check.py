"""`check APP_JSON` / `check --app ID`: the readiness checklist, decided by the service's one readiness
function over the stored evidence (console/service/readiness.py says which fires count for a file)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.common import ACTOR, EXIT_FAIL, EXIT_PASS, UsageError, note
from console.cli.options import add_fire_options, context_from, file_name, load, timeouts_from

if TYPE_CHECKING:
    from console.service.readiness import Readiness
    from console.service.team import SignoffCheck
    from console.store import Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_fire_options(parser, app_json="optional")
    parser.add_argument("--for-listing", action=argparse.BooleanOptionalAction, default=None,
                        help="make https, server-side delivery and a 200 required (with --app: default the "
                             "app's stored choice; --no-for-listing judges it as being built)")
    parser.add_argument("--require-signoff", action="store_true",
                        help="fail unless a reviewer signed off this exact App JSON in the console (and it is fresh)")
    parser.add_argument("--app", type=int, metavar="ID",
                        help="the console app to check (as its Checklist does), or, with APP_JSON and "
                             "--require-signoff, the app whose sign-off counts")


def _open() -> Store:
    from console import service

    try:
        return service.open_console_store()
    except Exception as exc:  # noqa: BLE001 - any database failure: the verdict has no evidence
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise UsageError(f"could not store the fires in the database ({reason}), so the checklist has no "
                         "evidence to decide on. Check CONSOLE_DATABASE_URL and that the database is "
                         "writable, then run the check again.") from None


def run(args: argparse.Namespace) -> int:
    if args.app_json is None:
        if args.app is None:
            raise UsageError("give an APP_JSON file to check, or --app ID for a console app.")
        if args.url or args.var or args.timeout is not None:
            raise UsageError("--url, --var and --timeout check a file: with --app ID the app's own settings apply.")
        return _check_app(args)
    if args.app is not None and not args.require_signoff:
        raise UsageError("--app ID with APP_JSON only has a meaning with --require-signoff.")
    return _check_file(args)


def _check_file(args: argparse.Namespace) -> int:
    from console.service import firing, readiness, team

    manifest = load(args.app_json)
    context, timeouts = context_from(args.var, manifest), timeouts_from(args.timeout)
    store = _open()
    try:
        kind = "endpoint"
        if args.url:
            if not args.json:
                note(f"Running the conformance runs against {args.url} …")
            fires = firing.conformance_for_file(store, manifest, file_name(args.app_json), context, url=args.url,
                                                timeouts=timeouts, actor=ACTOR)
            kind = fires[0].target_kind if fires else firing.file_target_kind(args.url)
        for_listing = bool(args.for_listing)
        check = readiness.file_readiness(store, manifest, kind, for_listing)
        signoff = team.require_signoff(store, manifest, args.app, for_listing) if args.require_signoff else None
    finally:
        store.close()
    if args.json:
        report = readiness.file_report(manifest, Path(args.app_json).stem, context.app_id, context.app_version,
                                       check, target_label=args.url or f"(stored fires at the {kind})",
                                       for_listing=for_listing,
                                       signoff=signoff.signoff if signoff else None)
        if signoff is not None:
            report["signoff_required"] = {"ok": signoff.ok, "message": signoff.message}
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print(check, args.app_json, for_listing, signoff)
        if check.verdict.not_run and not args.url:
            note("  To run the fires the checklist needs: add --url https://your.endpoint/install")
    return EXIT_PASS if check.verdict.ready and (signoff is None or signoff.ok) else EXIT_FAIL


def _check_app(args: argparse.Namespace) -> int:
    from console import service
    from console.service import readiness, team

    store = _open()
    try:
        app = service.must_get(store, args.app)
        settings = service.settings_of(app)
        for_listing = settings.for_listing if args.for_listing is None else bool(args.for_listing)
        check = readiness.checklist(store, app, for_listing)
        signoff = team.require_signoff(store, app.manifest, app.id, for_listing) if args.require_signoff else None
        if args.json:
            files = readiness.report_files(store, app, check, f"the {settings.checklist_kind}",
                                           for_listing, readiness.signoffs_for_app(store, app))
            report = json.loads(files.json)
            if signoff is not None:
                report["signoff_required"] = {"ok": signoff.ok, "message": signoff.message}
            print(json.dumps(report, ensure_ascii=False))
        else:
            _print(check, f"app #{app.id} ({app.name}) at the {settings.checklist_kind}", for_listing, signoff)
    finally:
        store.close()
    return EXIT_PASS if check.verdict.ready and (signoff is None or signoff.ok) else EXIT_FAIL


def _print(check: Readiness, subject: str, for_listing: bool, signoff: SignoffCheck | None) -> None:
    from console.readiness import STATUS_LABELS

    for item in check.items:
        flag = "required" if item.required else "optional"
        print(f"[{STATUS_LABELS[item.status]:>12}] {item.title} ({flag})\n{'':15}{item.why}")
    print(f"{subject}: {'READY' if check.verdict.ready else 'NOT READY'}"
          f"{' for an App Store listing' if for_listing else ''}: {check.verdict.summary}.")
    if signoff is not None:
        print(f"Sign-off: {'OK' if signoff.ok else 'MISSING'}: {signoff.message}")
