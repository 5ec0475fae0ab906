"""Actions, one function per use case: edit them (every change a version), rehearse them, judge them.

Pages and the CLI call these. The action items of the readiness checklist (``action_checklist``) live in
``readiness``, which every verdict goes through; they are re-exported here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from console.access import guard_writes
from console.actions.mapping import MappingResult
from console.actions.model import action_views, find_action, rpc_sources, sample_form_values
from console.actions.readiness import StoredRehearsal, definition_hash
from console.actions.rehearse import Rehearsal, RehearsalError, Setup, rehearse_action, rehearse_source, secrets_of
from console.actions.templates import TEMPLATES, starter_action
from console.fire.send import Timeouts
from console.manifest.document import Document, param_names
from console.netpolicy import AddressPolicy
from console.sandbox.sample_actions import ACTION_MODES
from console.sandbox.sample_endpoint import https_base_for
from console.service.base import ServiceError, fire_context, log_activity, must_get, settings_of, timeouts_of
from console.service.documents import save_manifest, save_settings
from console.service.readiness import ACTION_SOURCE, action_checklist, recent_rehearsals
from console.service.scopes import add_scope
from console.signoff import document_hash
from console.store import AppRecord, Store, StoreConflict

__all__ = ["ACTION_SOURCE", "KINDS", "StoredRun", "action_checklist", "add_action", "delete_action",
           "duplicate_action", "form_values_for", "move_action", "recent_rehearsals", "record_cli_rehearsals",
           "rehearsal_outputs", "rehearsal_target", "rehearse", "rehearse_all", "rerun", "sample_mode_for",
           "save_action", "save_sources", "set_rehearsal_target", "setup_for", "stored_rehearsal"]

KINDS = ("action", "source")


# ---------------------------------------------------------------- editing (every change a version)


def _edit(store: Store, app_ref: int, change: Callable[[dict[str, Any]], str], based_on: str | None,
          actor: str) -> AppRecord:
    """Apply ``change`` to a copy of the current App JSON and save it; refuse when someone saved meanwhile."""
    app = must_get(store, app_ref)
    if based_on is not None and document_hash(app.manifest) != based_on:
        raise ServiceError("The App JSON changed in another session since this page was loaded; nothing was saved. "
                           "The page now shows the newest version: make the change again.")
    document = copy.deepcopy(app.manifest)
    if not isinstance(document.get("actions"), list):
        document["actions"] = []
    what = change(document)
    app = save_manifest(store, app_ref, document, source="actions", actor=actor)
    log_activity(store, app, actor, "action_changed", what)
    return app


def _index(document: dict[str, Any], index: int) -> int:
    if not 0 <= index < len(document["actions"]):
        raise ServiceError(f"There is no action #{index + 1} (the App JSON has {len(document['actions'])}); the "
                           "page shows an older state: reload it.")
    return index


def add_action(store: Store, app_ref: int, template: str, *, based_on: str | None = None,
               actor: str = "local") -> AppRecord:
    """Add an action from a starter template ('blank', 'call_api', 'tag_subscriber'); the tag template also
    selects the scope its Public API call needs."""
    if template not in TEMPLATES:
        raise ServiceError(f"Unknown template '{template}': one of {', '.join(TEMPLATES)}.")
    scope: list[str] = []

    def change(document: dict[str, Any]) -> str:
        taken = {str(a.get("name")) for a in document["actions"] if isinstance(a, dict)}
        action, needs = starter_action(template, taken)
        document["actions"].append(action)
        scope.extend(needs)
        return f"added the action {action['name']} from the template {template}"

    app = _edit(store, app_ref, change, based_on, actor)
    for path in scope:
        app = add_scope(store, app_ref, path, actor=actor)
    return app


def save_action(store: Store, app_ref: int, index: int, action: Mapping[str, object], *, based_on: str | None = None,
                actor: str = "local") -> AppRecord:
    """Replace action ``index`` with ``action`` (as edited on the page)."""
    if not isinstance(action, Mapping):
        raise ServiceError("An action must be a JSON object.")

    def change(document: dict[str, Any]) -> str:
        document["actions"][_index(document, index)] = dict(action)
        return f"edited the action {action.get('name') or '#' + str(index + 1)}"

    return _edit(store, app_ref, change, based_on, actor)


def duplicate_action(store: Store, app_ref: int, index: int, *, based_on: str | None = None,
                     actor: str = "local") -> AppRecord:
    def change(document: dict[str, Any]) -> str:
        original = document["actions"][_index(document, index)]
        twin = copy.deepcopy(original)
        if isinstance(twin, dict):
            taken = {str(a.get("name")) for a in document["actions"] if isinstance(a, dict)}
            base = str(twin.get("name") or "action")
            number = 2
            while f"{base}_{number}" in taken:
                number += 1
            twin["name"] = f"{base}_{number}"
            twin["title"] = f"{twin.get('title') or base} (copy)"
        document["actions"].insert(index + 1, twin)
        return f"duplicated the action #{index + 1}"

    return _edit(store, app_ref, change, based_on, actor)


def move_action(store: Store, app_ref: int, index: int, offset: int, *, based_on: str | None = None,
                actor: str = "local") -> AppRecord:
    """Move action ``index`` up (-1) or down (+1) in the Flow Builder's list."""
    def change(document: dict[str, Any]) -> str:
        actions = document["actions"]
        target = _index(document, index) + offset
        if not 0 <= target < len(actions):
            raise ServiceError("The action is already at that end of the list.")
        actions[index], actions[target] = actions[target], actions[index]
        return f"moved the action #{index + 1} to #{target + 1}"

    return _edit(store, app_ref, change, based_on, actor)


def delete_action(store: Store, app_ref: int, index: int, *, based_on: str | None = None,
                  actor: str = "local") -> AppRecord:
    def change(document: dict[str, Any]) -> str:
        removed = document["actions"].pop(_index(document, index))
        return f"deleted the action {removed.get('name') if isinstance(removed, dict) else '#' + str(index + 1)}"

    return _edit(store, app_ref, change, based_on, actor)


def save_sources(store: Store, app_ref: int, sources: Sequence[Mapping[str, object]], *, based_on: str | None = None,
                 actor: str = "local") -> AppRecord:
    """Replace the app's sources (dropdown data); an empty list removes the key."""
    def change(document: dict[str, Any]) -> str:
        if sources:
            document["sources"] = [dict(s) for s in sources]
        else:
            document.pop("sources", None)
        return f"saved {len(sources)} source(s)"

    return _edit(store, app_ref, change, based_on, actor)


# ---------------------------------------------------------------- rehearsing


@dataclass(frozen=True)
class StoredRun:
    rehearsal: Rehearsal
    stored: StoredRehearsal


def rehearsal_target(app: AppRecord) -> str:
    """Where rehearsals go: 'sample' (the sample endpoint's action modes) or 'endpoint' (the action's URL)."""
    return settings_of(app).rehearsal_target


def sample_mode_for(app: AppRecord, kind: str, name: str) -> str:
    return settings_of(app).action_modes.get(f"{kind}:{name}") or ("options" if kind == "source" else "echo")


def setup_for(app: AppRecord, kind: str, name: str, sample_base_url: str, policy: AddressPolicy, *,
              params: Mapping[str, str] | None = None, timeouts: Timeouts | None = None,
              target: str | None = None) -> Setup:
    context = fire_context(app)
    values = {**context.params, **{str(k): str(v) for k, v in (params or {}).items()}}
    given = {k: v for k, v in settings_of(app).param_values.items() if v} | dict(params or {})
    sample = (target or rehearsal_target(app)) == "sample"
    return Setup(params=values, context=context, timeouts=timeouts or timeouts_of(app), policy=policy,
                 sample_base_url=sample_base_url if sample else None, sample_mode=sample_mode_for(app, kind, name),
                 sample_https_base=https_base_for(sample_base_url) if sample_base_url else None,
                 secrets=secrets_of({k: str(v) for k, v in given.items() if k in param_names(app.manifest)}))


def rehearse(store: Store, app_ref: int, kind: str, name: str, sample_base_url: str, policy: AddressPolicy,
             form_values: Mapping[str, str] | None = None, *, params: Mapping[str, str] | None = None,
             target: str | None = None, actor: str = "local") -> StoredRun:
    """Rehearse one action (kind 'action', with ``form_values``; the defaults or samples when None) or one rpc
    source (kind 'source'), and store it in History (source 'action'). ``target``: 'sample' or 'endpoint'
    (default: the app's rehearsal target)."""
    if kind not in KINDS:
        raise ServiceError(f"Rehearse an 'action' or a 'source', not '{kind}'.")
    app = must_get(store, app_ref)
    target = target or rehearsal_target(app)
    if target not in ("sample", "endpoint"):
        raise ServiceError(f"Rehearse at 'sample' or 'endpoint', not '{target}'.")
    setup = setup_for(app, kind, name, sample_base_url, policy, params=params, target=target)
    try:
        if kind == "action":
            found = find_action(app.manifest, name)
            values = dict(form_values) if form_values is not None else \
                sample_form_values(app.manifest, found[1]) if found else {}
            rehearsal = rehearse_action(app.manifest, name, values, setup)
        else:
            rehearsal = rehearse_source(app.manifest, name, setup)
    except RehearsalError as exc:
        raise ServiceError(str(exc)) from None
    return _store(store, app, rehearsal, target, actor)


def _store(store: Store, app: AppRecord, rehearsal: Rehearsal, target: str, actor: str) -> StoredRun:
    row = {**rehearsal.result.to_stored(), "app_ref": app.id, "app_name": app.name, "source": ACTION_SOURCE,
           "target_kind": target, "run_id": None, "step": f"{rehearsal.kind}:{rehearsal.name}"[:40],
           "actor": actor[:80]}
    row["detail"]["action"] = {**rehearsal.detail(),
                               "definition": definition_hash(app.manifest, rehearsal.kind, rehearsal.name)}
    try:
        fire_id = store.fires.insert(row)
    except StoreConflict:
        raise ServiceError(f"The app '{app.name}' was deleted (in another session) during the rehearsal; it was "
                           "not stored.") from None
    stored = StoredRehearsal.from_row(store.fires.get(fire_id) or {})
    assert stored is not None
    log_activity(store, app, actor, "action_rehearsed", f"rehearsed the {rehearsal.kind} {rehearsal.name}: "
         f"{rehearsal.message}"[:300], fire_id=fire_id)
    return StoredRun(rehearsal, stored)


def rerun(store: Store, fire_id: int, sample_base_url: str, policy: AddressPolicy, *,
          actor: str = "local") -> StoredRun:
    """Rehearse a stored rehearsal again: the same action and form values, today's App JSON."""
    stored = stored_rehearsal(store, fire_id)
    if stored is None or stored.fire.app_ref is None:
        raise ServiceError(f"Fire #{fire_id} is not a rehearsal of an app's action.")
    return rehearse(store, stored.fire.app_ref, stored.kind, stored.name, sample_base_url, policy,
                    dict(stored.form_values) if stored.kind == "action" else None, actor=actor)


def rehearse_all(store: Store, app_ref: int, sample_base_url: str, policy: AddressPolicy, *, actor: str = "local",
                 target: str | None = None, on_done: Callable[[StoredRun], None] | None = None) -> list[StoredRun]:
    """Rehearse every action (form defaults or sample values) and every rpc source at ``target`` (the
    Checklist's target when called from its one button): the evidence of the action items."""
    app = must_get(store, app_ref)
    wanted = [("action", v.name) for v in action_views(app.manifest) if v.name] + \
        [("source", name) for name in rpc_sources(app.manifest)]
    runs = []
    for kind, name in wanted:
        run = rehearse(store, app_ref, kind, name, sample_base_url, policy, target=target, actor=actor)
        runs.append(run)
        if on_done is not None:
            on_done(run)
    return runs


def stored_rehearsal(store: Store, fire_id: int) -> StoredRehearsal | None:
    row = store.fires.get(fire_id)
    return None if row is None else StoredRehearsal.from_row(row)


def rehearsal_outputs(store: Store, fire_id: int) -> MappingResult:
    """The mapping's outputs a stored rehearsal found (empty when the fire is not a rehearsal)."""
    row = store.fires.get(fire_id)
    detail = row.get("detail") if row is not None else None
    return MappingResult.from_stored(detail.get("action") if isinstance(detail, dict) else None)


def set_rehearsal_target(store: Store, app_ref: int, target: str, modes: Mapping[str, str] | None = None, *,
                         actor: str = "local") -> AppRecord:
    """Rehearse at the sample endpoint (with a mode per action/source) or at each action's own URL."""
    if target not in ("sample", "endpoint"):
        raise ServiceError("Rehearse at 'sample' (the sample endpoint) or 'endpoint' (each action's URL).")
    bad = [m for m in (modes or {}).values() if m.partition(":")[0] not in ACTION_MODES]
    if bad:
        raise ServiceError(f"Unknown sample mode {bad[0]!r}: one of {', '.join(ACTION_MODES)}.")
    app = must_get(store, app_ref)
    merged = {**settings_of(app).action_modes, **(modes or {})}
    return save_settings(store, app_ref, actor=actor, action_target=target, action_modes=merged)


def form_values_for(app: AppRecord, name: str) -> dict[str, str]:
    """The values a rehearsal starts from: each field's default, first static choice or a sample value."""
    found = find_action(app.manifest, name)
    return sample_form_values(app.manifest, found[1]) if found else {}


def record_cli_rehearsals(store: Store, rehearsals: Sequence[Rehearsal], document: Document, app_name: str,
                          target: str, *, actor: str = "cli") -> list[StoredRehearsal]:
    """Store rehearsals made on the command line (one transaction); as stored, in the given order."""
    rows = []
    for rehearsal in rehearsals:
        row = {**rehearsal.result.to_stored(), "app_ref": None, "app_name": app_name[:200], "source": ACTION_SOURCE,
               "target_kind": target, "run_id": None, "step": f"{rehearsal.kind}:{rehearsal.name}"[:40],
               "actor": actor[:80]}
        row["detail"]["action"] = {**rehearsal.detail(),
                                   "definition": definition_hash(document, rehearsal.kind, rehearsal.name)}
        rows.append(row)
    ids = store.fires.insert_many(rows)
    if ids:
        log_activity(store, None, actor, "cli_rehearsals", f"{len(ids)} action rehearsal(s) from the command line",
             app_name=app_name, fire_id=ids[0])
    stored = [stored_rehearsal(store, fire_id) for fire_id in ids]
    return [s for s in stored if s is not None]


# every write checks the actor's role before storing: console.access
guard_writes(globals(), ServiceError)
