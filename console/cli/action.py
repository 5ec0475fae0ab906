"""`python -m console action list|run`: the app's actions, and one rehearsed as ManyChat sends it.

`action run APP_JSON NAME [--form N=V …] [--var N=V …] [--timeout S] [--json]` prints
{"ok", "status", "category", "elapsed_ms", "request", "response", "outputs", "missing", "type_errors"};
exit 0 when HTTP 200 and every output was found, 1 otherwise, 2 on bad usage. NAME may also
name an enum:rpc source (its options are printed).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from console.cli.common import EXIT_FAIL, EXIT_PASS, UsageError, note
from console.cli.options import add_json, add_vars, context_from, file_name, load, timeouts_from

if TYPE_CHECKING:
    from console.actions.rehearse import Rehearsal, Setup
    from console.readiness import ChecklistItem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="action_command", required=True, metavar="SUBCOMMAND")
    listing = commands.add_parser("list", help="the app's actions and rpc sources, as the Flow Builder lists them")
    listing.add_argument("app_json", metavar="APP_JSON")
    add_json(listing)
    run = commands.add_parser("run", help="rehearse one action (or rpc source) as ManyChat sends it")
    run.add_argument("app_json", metavar="APP_JSON")
    run.add_argument("name", metavar="ACTION")
    run.add_argument("--form", action="extend", nargs="+", default=[], metavar="NAME=VALUE",
                     help="a form field's value (default: its default, first static choice or a sample value)")
    add_vars(run)
    run.add_argument("--timeout", type=float, metavar="S", help="total deadline in seconds (default 10)")
    add_json(run)


def run(args: argparse.Namespace) -> int:
    manifest = load(args.app_json)
    if args.action_command == "list":
        return _list(manifest, args.json)
    rehearsal = _rehearse_one(manifest, args)
    _store([rehearsal], manifest, file_name(args.app_json))
    if args.json:
        print(json.dumps(rehearsal.to_dict(), ensure_ascii=False))
    else:
        _print(rehearsal)
    return EXIT_PASS if rehearsal.ok else EXIT_FAIL


def _pairs(items: Sequence[str], option: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{option} {item!r}: write it as NAME=VALUE, e.g. {option} order_id=1001.")
        values[name.strip()] = value
    return values


def _setup(manifest: dict[str, Any], variables: Sequence[str], timeout: float | None) -> Setup:
    from console.actions.rehearse import Setup, secrets_of
    from console.service.base import address_policy

    given = _pairs(variables, "--var")
    context = context_from(list(variables), manifest)
    return Setup(params=dict(context.params), context=context, timeouts=timeouts_from(timeout),
                 policy=address_policy(),
                 secrets=secrets_of({k: v for k, v in given.items() if k in context.params}))


def _rehearse_one(manifest: dict[str, Any], args: argparse.Namespace) -> Rehearsal:
    from console.actions.model import find_action, find_source, sample_form_values
    from console.actions.rehearse import rehearse_action, rehearse_source

    setup = _setup(manifest, args.var, args.timeout)
    found = find_action(manifest, args.name)
    if found is None:
        source = find_source(manifest, args.name)
        if source is not None and source[1].get("type") == "enum:rpc":
            if args.form:
                raise UsageError("--form has no meaning for an rpc source.")
            return rehearse_source(manifest, args.name, setup)
        names = [str(a.get("name")) for a in manifest.get("actions") or [] if isinstance(a, dict)]
        raise UsageError(f"{args.app_json} has no action named {args.name!r}"
                         + (f" (its actions: {', '.join(names)})." if names else " (it has no actions)."))
    form = _pairs(args.form, "--form")
    fields = {str(f.get("name")) for f in found[1].get("forms") or [] if isinstance(f, dict)}
    unknown = sorted(set(form) - fields)
    if unknown:
        raise UsageError(f"--form {unknown[0]}: the action {args.name!r} has no such form field"
                         + (f" (its fields: {', '.join(sorted(fields))})." if fields else "."))
    return rehearse_action(manifest, args.name, {**sample_form_values(manifest, found[1]), **form}, setup)


def _store(rehearsals: Sequence[Rehearsal], manifest: dict[str, Any], app_name: str, required: bool = False
           ) -> list[Any]:
    """Store in History; a failure is a warning for ``run`` and an error for ``check --actions``."""
    try:
        from console import service
        from console.service import actions

        store = service.open_console_store()
        try:
            return actions.record_cli_rehearsals(store, rehearsals, manifest, app_name, "endpoint")
        finally:
            store.close()
    except Exception as exc:  # noqa: BLE001 - storage must never crash the CLI
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        if required:
            raise UsageError(f"could not store the rehearsals ({reason}), so the action items have no evidence. "
                               "Check CONSOLE_DATABASE_URL and run the check again.") from None
        note(f"warning: could not record the rehearsal in the database: {reason}")
        return []


def _print(rehearsal: Rehearsal) -> None:
    result = rehearsal.result
    print(f"{'OK' if rehearsal.ok else 'FAILED'}: {rehearsal.message} ({result.elapsed_ms:.0f} ms)")
    print(f"  {result.request.method} {result.request.url}")
    for output in rehearsal.mapping.outputs:
        shown = json.dumps(output.value, ensure_ascii=False)[:200] if output.found else "(not found)"
        print(f"  {output.name:<20} {output.path:<28} {output.type:<8} {shown}"
              + (f"  ! {output.problem}" if output.problem else ""))
    if rehearsal.kind == "source":
        print("  options: " + (", ".join(rehearsal.options[:50]) or "(none)"))


def _list(manifest: dict[str, Any], as_json: bool) -> int:
    from console.actions.model import action_views, rpc_sources

    views = action_views(manifest)
    if as_json:
        print(json.dumps({"actions": [{"name": v.name, "title": v.title, "description": v.description,
                                       "guidance": v.guidance, "requests": v.requests, "outputs": list(v.outputs),
                                       "forms": [f.__dict__ for f in v.fields]} for v in views],
                          "rpc_sources": rpc_sources(manifest)}, ensure_ascii=False))
        return EXIT_PASS
    for v in views:
        fields = ", ".join(f"{f.name}:{f.type}" + ("" if f.default is None else f"={f.default}") for f in v.fields)
        print(f"{v.name:<24} {v.title}  [{fields}] → {', '.join(v.outputs) or '(no outputs)'}")
    for name in rpc_sources(manifest):
        print(f"{name:<24} (enum:rpc source)")
    print(f"{len(views)} action(s), {len(rpc_sources(manifest))} rpc source(s)")
    return EXIT_PASS


def check_items(manifest: dict[str, Any], app_json: str, variables: Sequence[str], timeout: float | None,
                for_listing: bool, quiet: bool = False) -> list[ChecklistItem]:
    """`check --actions`: rehearse every action (form defaults or sample values) and every rpc source, store
    them, and return the action checklist items decided from the stored rehearsals."""
    from console.actions.model import action_views, find_action, rpc_sources, sample_form_values
    from console.actions.readiness import action_items
    from console.actions.rehearse import rehearse_action, rehearse_source

    setup = _setup(manifest, variables, timeout)
    rehearsals = []
    for view in action_views(manifest):
        found = find_action(manifest, view.name)
        if found is None:
            continue
        if not quiet:
            note(f"Rehearsing the action {view.name} …")
        rehearsals.append(rehearse_action(manifest, view.name, sample_form_values(manifest, found[1]), setup))
    rehearsals += [rehearse_source(manifest, name, setup) for name in rpc_sources(manifest)]
    stored = _store(rehearsals, manifest, file_name(app_json), required=True)
    return action_items(manifest, list(reversed(stored)), for_listing)
