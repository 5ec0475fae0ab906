"""`burst APP_JSON --installations N`: fire the install request for N installations at once (re-keying)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.common import ACTOR, EXIT_FAIL, EXIT_PASS, UsageError, note, open_store
from console.cli.options import add_json, add_vars, context_from, load, timeouts_from

if TYPE_CHECKING:
    from console.service.bursts import BurstProgress, BurstReport, BurstSpec
    from console.store import Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_json", metavar="APP_JSON")
    parser.add_argument("--installations", type=int, metavar="N", help="how many installations (1 to 100,000)")
    parser.add_argument("--concurrency", type=int, default=50, metavar="C", help="requests in flight (default 50)")
    parser.add_argument("--url", help="fire at this URL instead of auth.request.url")
    add_vars(parser)
    parser.add_argument("--timeout", type=float, metavar="S", help="each fire's total deadline in seconds (default 10)")
    parser.add_argument("--resume", metavar="RUN_ID", help="fire only the installations of this run with no result")
    parser.add_argument("--workers", type=int, metavar="W", help="worker processes (default: one per CPU, up to 4)")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from console.service import base, bursts

    if args.workers is not None and not 1 <= args.workers <= 16:
        raise UsageError(f"--workers {args.workers}: give a number from 1 to 16.")
    if args.resume and (args.installations is not None or args.url):
        note("note: --resume fires the run as it was recorded; --installations and --url are ignored")
    spec = None if args.resume else _new_spec(args)  # a usage problem is told before any database is opened
    with open_store() as store:
        run_id = str(args.resume) if spec is None else _create(store, spec)
        tty = sys.stderr.isatty()
        if not args.json or tty:
            note(f"burst run {run_id}")

        def progress(p: BurstProgress) -> None:
            if tty:
                eta = "" if p.eta_s is None else f", about {p.eta_s:.0f} s left"
                print(f"\r{p.done:,}/{p.total:,} fired · {p.succeeded:,} ok · {p.failed:,} failed · "
                      f"{p.rate:,.0f}/s{eta}   ", end="", file=sys.stderr, flush=True)

        try:
            report = bursts.run_burst(store, run_id, workers=args.workers, policy=base.address_policy(),
                                      on_progress=progress)
        except KeyboardInterrupt:
            note(f"\ninterrupted: resume with --resume {run_id}")
            return EXIT_FAIL
        if tty:
            note("")
    _print(report, args)
    complete = report.status == "done" and report.sent == report.total
    return EXIT_PASS if complete and report.failed == 0 else EXIT_FAIL


def _new_spec(args: argparse.Namespace) -> BurstSpec:
    """The burst the arguments describe (no database needed); bad numbers or a file with nothing to fire are
    usage errors."""
    from console.service import base, bursts, firing

    if args.installations is None:
        raise UsageError("--installations N is required (or --resume RUN_ID to continue a run).")
    manifest = load(args.app_json)
    from console.manifest.document import request_of, request_or_default

    if request_of(manifest) is None and not args.url:
        raise UsageError(f"{args.app_json} has no auth.request (manual delivery): give the endpoint with --url.")
    request = request_or_default(manifest)
    spec = bursts.BurstSpec(request, context_from(args.var, manifest), args.url,
                            args.url or str(request.get("url") or ""), args.installations, args.concurrency,
                            timeouts_from(args.timeout), base.address_policy(), app_name=Path(args.app_json).name,
                            target_kind=firing.file_target_kind(args.url))
    try:
        bursts.refuse_bad_spec(spec)
    except base.ServiceError as exc:
        raise UsageError(f"{exc} (--installations, --concurrency)") from None
    return spec


def _create(store: Store, spec: BurstSpec) -> str:
    """Record the new run (the service checks the spec again); its id."""
    from console.service import base, bursts

    try:
        return bursts.create_burst(store, spec, actor=ACTOR)
    except base.ServiceError as exc:
        raise UsageError(f"{exc} (--installations, --concurrency)") from None


def _print(report: BurstReport, args: argparse.Namespace) -> None:
    if args.json:
        print(json.dumps(report.to_dict()))
        return

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} ms"

    print(f"{report.status.upper()}: {report.succeeded:,} of {report.sent:,} installations re-keyed (200), "
          f"{report.failed:,} failed, {report.rps:,.0f} requests/s over {report.elapsed_s:.2f} s")
    print(f"  latency p50 {ms(report.p50_ms)} · p95 {ms(report.p95_ms)} · p99 {ms(report.p99_ms)}")
    print("  " + " · ".join(f"{k} {v:,}" for k, v in sorted(report.by_category.items())))
    if report.status != "done":
        print(f"  Resume: python -m console burst {args.app_json} --resume {report.run_id}")
