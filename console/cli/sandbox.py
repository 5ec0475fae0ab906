"""`sandbox serve|install|uninstall|rescope|approve|reject|log`: the Sandbox page's functions, from the
command line (the same activity log, the actor ``cli``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from console.cli.common import ACTOR, EXIT_FAIL, EXIT_PASS, UsageError, open_store
from console.cli.options import add_json, load

if TYPE_CHECKING:
    from console.sandbox.installations import Delivery, ScopeChange

REVIEWS = (("uninstall", "uninstall an installation (its key then answers 500)"),
           ("approve", "approve the review of the installation's public app: apply, re-key, fire"),
           ("reject", "reject the review of the installation's public app: nothing changes"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="sandbox_command", required=True, metavar="SUBCOMMAND")
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
    add_json(install)
    for name, text in REVIEWS:
        command = commands.add_parser(name, help=text)
        command.add_argument("installation", type=int, metavar="ID", help="an installation id")
        add_json(command)
    rescope = commands.add_parser("rescope", help="change the scopes of the installation's app (dev: re-key now; "
                                                  "public: republish, then approve or reject)")
    rescope.add_argument("installation", type=int, metavar="ID", help="an installation id")
    rescope.add_argument("--scope", action="extend", nargs="+", default=[], metavar="PATH",
                         help="the new scopes (repeatable; none = no scopes)")
    add_json(rescope)
    log = commands.add_parser("log", help="list the calls made to the local ManyChat API, newest first")
    log.add_argument("--app", type=int, metavar="N", help="only this console app's calls")
    log.add_argument("--limit", type=int, default=50, metavar="N", help="how many (default 50)")
    add_json(log)


def run(args: argparse.Namespace) -> int:
    handlers = {"serve": _serve, "install": _install, "uninstall": _uninstall, "rescope": _rescope,
                "approve": _review, "reject": _review, "log": _log}
    return handlers[args.sandbox_command](args)


def _serve(args: argparse.Namespace) -> int:
    from console.sandbox.api import SandboxServer
    from console.sandbox.sample_endpoint import MODE_HELP, SampleEndpoint

    sample_port = args.sample_port if args.sample_port is not None else (args.port + 1 if args.port else 0)
    for option, port in (("--port", args.port), ("--sample-port", sample_port)):
        if not 0 <= port <= 65535:
            raise UsageError(f"{option} {port}: give a port between 0 and 65535.")
    with open_store() as store:
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
    print("stopped")
    return EXIT_PASS


def _install(args: argparse.Namespace) -> int:
    from console.service import apps, base, sandbox

    manifest = load(args.app_json)
    with open_store() as store:
        app = apps.app_for_file(store, manifest, Path(args.app_json).stem, args.scope, args.kind, actor=ACTOR)
        delivery = sandbox.install_app(store, app.id, args.page_id, args.url, base.address_policy(), actor=ACTOR)
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


def _uninstall(args: argparse.Namespace) -> int:
    from console.service import sandbox

    with open_store() as store:
        installation = sandbox.uninstall_installation(store, args.installation, actor=ACTOR)
    if args.json:
        print(json.dumps({"installation_id": installation.id, "page_id": installation.page_id,
                          "status": installation.status}))
    else:
        print(f"Installation #{installation.id} on page {installation.page_id} is uninstalled: its key now "
              "answers 500 {\"status\": \"exception\",\"message\": \"Something went wrong\"}.")
    return EXIT_PASS


def _rescope(args: argparse.Namespace) -> int:
    """The Scopes page's change (scopes.change_scopes); a public app is then republished for review."""
    from console.service import base, sandbox, scopes

    with open_store() as store:
        app, _installation = sandbox.app_of_installation(store, args.installation)
        change = scopes.change_scopes(store, app.id, args.scope, base.address_policy(), actor=ACTOR)
        if change.app.kind == "public" and change.sandbox.review_state in ("republish_needed", "rejected"):
            change = sandbox.republish_app(store, app.id, actor=ACTOR)
    return _print_change(change, args.json)


def _review(args: argparse.Namespace) -> int:
    from console.service import base, sandbox

    with open_store() as store:
        app, _installation = sandbox.app_of_installation(store, args.installation)
        if args.sandbox_command == "approve":
            change = sandbox.approve_review(store, app.id, base.address_policy(), actor=ACTOR)
        else:
            change = sandbox.reject_review(store, app.id, actor=ACTOR)
    return _print_change(change, args.json)


def _delivery_row(delivery: Delivery) -> dict[str, object]:
    result = delivery.result
    return {"installation_id": delivery.installation.id, "page_id": delivery.installation.page_id,
            "key_fingerprint": delivery.installation.key_fingerprint, "delivery": delivery.state,
            "status": None if result is None else result.status,
            "category": None if result is None else result.category.value}


def _print_change(change: ScopeChange, as_json: bool) -> int:
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


def _log(args: argparse.Namespace) -> int:
    from console.service import sandbox

    if not 1 <= args.limit <= 10_000:
        raise UsageError(f"--limit {args.limit}: give a number from 1 to 10000.")
    with open_store() as store:
        calls = sandbox.sandbox_calls(store, args.app, args.limit)
    rows = [{"id": c.id, "called_at": c.called_at.isoformat(), "method": c.method, "path": c.path,
             "key_fingerprint": c.key_fingerprint, "app": c.app_ref, "installation_id": c.installation_ref,
             "status": c.status, "outcome": c.outcome, "note": c.note} for c in calls]
    if args.json:
        print(json.dumps({"calls": rows}, ensure_ascii=False))
    else:
        for c in calls:
            print(f"{c.called_at.isoformat()[:19]}  {c.status}  {c.method:<4} {c.path:<40} "
                  f"{c.key_fingerprint or '(no key)':<20} #{c.installation_ref or '-'}  {c.outcome}  {c.note}")
        if not rows:
            print("No calls yet.")
    return EXIT_PASS
