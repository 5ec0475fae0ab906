"""`fire APP_JSON`: send the install request as ManyChat would; stored (actor cli) as the page's fires are."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from console.cli.common import ACTOR, EXIT_FAIL, EXIT_PASS, UsageError, note
from console.cli.options import add_fire_options, context_from, file_name, load, timeouts_from

if TYPE_CHECKING:
    from console.outcome import FireResult
    from console.store import Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_fire_options(parser)
    parser.add_argument("--app-key", metavar="KEY", help="the App Key to send (default: a fresh one)")


def run(args: argparse.Namespace) -> int:
    from console.service import firing

    manifest = load(args.app_json)
    context, timeouts = context_from(args.var, manifest), timeouts_from(args.timeout)
    if args.app_key is not None and (not args.app_key.strip() or any(c in args.app_key for c in "\r\n \t")):
        raise UsageError("--app-key: give a key without spaces or line breaks.")
    store = _store_or_none()
    try:
        fired = firing.fire_file(store, manifest, file_name(args.app_json), context, url=args.url,
                                 timeouts=timeouts, app_key=args.app_key, actor=ACTOR)
    finally:
        if store is not None:
            store.close()
    if fired.not_stored is not None and store is not None:
        note(f"warning: could not record the fires in the database: {fired.not_stored}")
    return _print(fired.result, args.json)


def _store_or_none() -> Store | None:
    """The database, or None (the fire is still made: not being able to store it is a warning)."""
    from console import service

    try:
        return service.open_console_store()
    except Exception as exc:  # noqa: BLE001 - storage must never stop a fire
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        note(f"warning: could not record the fires in the database: {reason}")
        return None


def _print(result: FireResult, as_json: bool) -> int:
    from console.diagnosis import diagnose

    delivered = result.delivery is None or result.delivery.status not in ("missing", "mismatch")
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        verdict = diagnose(result.category, result.status, result.message)
        print(f"{'OK' if result.ok and delivered else 'FAILED'}: {result.message} ({result.elapsed_ms:.0f} ms)")
        print(f"  {verdict.title}. {verdict.explanation}")
        if not result.ok:
            print(f"  Next step: {verdict.next_step}")
        print(f"  {result.request.method} {result.request.url}  key {result.key_masked} ({result.key_fingerprint})")
        if result.delivery is not None:
            print(f"  Key delivery: {result.delivery.message}")
    return EXIT_PASS if result.ok and delivered else EXIT_FAIL
