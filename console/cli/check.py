"""`check APP_JSON` / `check --app ID`: the readiness checklist, decided by the service's one readiness
function over the stored evidence (console/service/readiness.py says which fires count for a file). With
--since the compatibility items, with --for-listing and an https --url the endpoint scan's items are added;
--format/--output/--fail-on write the CI formats (console/cli/formats.py), the stored fires as their proof."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.common import ACTOR, UsageError, note
from console.cli.formats import add_format_options, finish_run, plan, quiet
from console.cli.options import add_fire_options, context_from, file_name, load, timeouts_from

if TYPE_CHECKING:
    from console.checks.results import CheckRun
    from console.formats.output import Output
    from console.manifest.document import Document
    from console.readiness import ChecklistItem
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
    parser.add_argument("--since", metavar="OLD_APP_JSON",
                        help="add the compatibility items: what changed since this App JSON, and what it breaks")
    add_format_options(parser)
    parser.add_argument("--actions", action="store_true",
                        help="also rehearse every action and rpc source (form defaults or sample values) and add "
                             "their items to the checklist")


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
    outputs = plan(args)  # a bad --format/--output is exit 2 before any work
    if args.app_json is None:
        if args.app is None:
            raise UsageError("give an APP_JSON file to check, or --app ID for a console app.")
        if args.url or args.var or args.timeout is not None or args.actions:
            raise UsageError("--url, --var, --timeout and --actions check a file: with --app ID the app's own "
                             "settings and its stored rehearsals (the Checklist's Run conformance) apply.")
        return _check_app(args, outputs)
    if args.app is not None and not args.require_signoff:
        raise UsageError("--app ID with APP_JSON only has a meaning with --require-signoff.")
    return _check_file(args, outputs)


def _since_items(path: str | None, manifest: Document) -> list[ChecklistItem]:
    from console.service import readiness

    return readiness.since_items(load(path), manifest, Path(path).name) if path else []


def _scan_items(args: argparse.Namespace, silent: bool) -> list[ChecklistItem]:
    """With --for-listing and an https URL: the endpoint security scan (no key is sent)."""
    if not (args.for_listing and args.url and str(args.url).lower().startswith("https://")):
        return []
    from console.service import readiness

    if not silent:
        note(f"Scanning the TLS setup of {args.url} (no key is sent) …")
    return readiness.scan_items(args.url, timeout=min(10.0, args.timeout or 10.0))


def _check_file(args: argparse.Namespace, outputs: list[Output]) -> int:
    from console.service import readiness

    manifest = load(args.app_json)
    args.for_listing = bool(args.for_listing)  # a file has no stored choice: unset is "as being built"
    since = _since_items(args.since, manifest)
    silent = quiet(outputs)
    context, timeouts = context_from(args.var, manifest), timeouts_from(args.timeout)
    store = _open()
    try:
        kind = "endpoint"
        if args.url:
            from console.service import firing  # the HTTP client: only when there is something to fire at

            if not silent:
                note(f"Running the conformance runs against {args.url} …")
            fires = firing.conformance_for_file(store, manifest, file_name(args.app_json), context, url=args.url,
                                                timeouts=timeouts, actor=ACTOR)
            kind = fires[0].target_kind if fires else firing.file_target_kind(args.url)
        check = readiness.file_readiness(store, manifest, kind, args.for_listing)
        if args.actions:
            check = _with_actions(check, manifest, args)
        signoff = _signoff(store, manifest, args.app, args.for_listing) if args.require_signoff else None
    finally:
        store.close()
    check = check.with_items(since + _scan_items(args, silent))
    report = readiness.file_report(manifest, Path(args.app_json).stem, context.app_id, context.app_version,
                                   check, target_label=args.url or f"(stored fires at the {kind})",
                                   for_listing=args.for_listing, signoff=signoff.signoff if signoff else None)
    if signoff is not None:
        report["signoff_required"] = {"ok": signoff.ok, "message": signoff.message}
    result = _check_run(args.app_json, check, report, _text(check, args.app_json, args.for_listing, signoff))
    if check.verdict.not_run and not args.url and not silent:
        note("  To run the fires the checklist needs: add --url https://your.endpoint/install")
    return finish_run(result, outputs, args.fail_on, extra_failure=signoff is not None and not signoff.ok)


def _signoff(store: Store, manifest: Document, app: int | None, for_listing: bool) -> SignoffCheck:
    """``--require-signoff``: the sign-off that counts (the team's use cases load only for it)."""
    from console.service import team

    return team.require_signoff(store, manifest, app, for_listing)


def _with_actions(check: Readiness, manifest: Document, args: argparse.Namespace) -> Readiness:
    """`--actions`: every action and rpc source rehearsed (stored in History), their items joined to the
    checklist, the verdict decided again over all of them."""
    from console.cli.action import check_items

    return check.with_items(check_items(manifest, args.app_json, args.var, args.timeout, args.for_listing,
                                        quiet=args.json))


def _check_app(args: argparse.Namespace, outputs: list[Output]) -> int:
    from console import service
    from console.service import readiness

    store = _open()
    try:
        app = service.must_get(store, args.app)
        settings = service.settings_of(app)
        for_listing = settings.for_listing if args.for_listing is None else bool(args.for_listing)
        check = readiness.checklist(store, app, for_listing).with_items(_since_items(args.since, app.manifest))
        signoff = _signoff(store, app.manifest, app.id, for_listing) if args.require_signoff else None
        files = readiness.report_files(store, app, check, f"the {settings.checklist_kind}",
                                       for_listing, readiness.signoffs_for_app(store, app))
    finally:
        store.close()
    report = json.loads(files.json)
    if signoff is not None:
        report["signoff_required"] = {"ok": signoff.ok, "message": signoff.message}
    subject = f"app #{app.id} ({app.name}) at the {settings.checklist_kind}"
    result = _check_run(f"app #{app.id}", check, report, _text(check, subject, for_listing, signoff))
    return finish_run(result, outputs, args.fail_on, extra_failure=signoff is not None and not signoff.ok)


def _check_run(subject: str, check: Readiness, report: dict[str, object], text: str) -> CheckRun:
    """The run every format renders: one result per item, each fire it cites with its request and response."""
    from console.checks.results import CheckRun, proof_of_fire, results_of_items

    proofs = {str(f.id): proof_of_fire(f) for f in check.fires}
    return CheckRun("check", subject, tuple(results_of_items(check.items, proofs)), check.verdict.summary,
                    extra=report, text=text)


def _text(check: Readiness, subject: str, for_listing: bool, signoff: SignoffCheck | None) -> str:
    from console.readiness import STATUS_LABELS

    lines = []
    for item in check.items:
        flag = "required" if item.required else "optional"
        lines.append(f"[{STATUS_LABELS[item.status]:>12}] {item.id}: {item.title} ({flag})\n{'':15}{item.why}")
    lines.append(f"{subject}: {'READY' if check.verdict.ready else 'NOT READY'}"
                 f"{' for an App Store listing' if for_listing else ''}: {check.verdict.summary}.")
    if signoff is not None:
        lines.append(f"Sign-off: {'OK' if signoff.ok else 'MISSING'}: {signoff.message}")
    return "\n".join(lines) + "\n"
