"""Who may do what: a signed-in person's role for an app, and the check every write calls on the
server side before it stores anything.

- Without an access gate (a local console) everyone is an admin; so is the command line (``cli``,
  ``local``: whoever runs it holds the database already).
- A person's role for an app is the app's own grant, else the grant for every app, else the
  console's default role for people (``viewer`` unless an admin changes it).
- A name typed with the team's shared token ("Ada (shared token)") gets the shared-token role
  (``editor`` unless changed): never an invited person's grants.

``WRITE_ACTIONS`` lists every service write (``use_case.function``) and the action it needs; each use-case
module of ``console.service`` wraps its own with ``guard_writes``.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, MutableMapping
from typing import Any

from console import roles
from console.store import Store

SHARED_SUFFIX = " (shared token)"
DEFAULT_ROLE = "viewer"
DEFAULT_SHARED_ROLE = "editor"

# "use_case.function" of console/service -> the action it needs (app-specific when it takes
# app_ref/app/fire_id/installation_id). Every use-case module ends with ``guard_writes(globals(), ServiceError)``.
WRITE_ACTIONS: dict[str, str] = {
    "apps.create_app": "create", "apps.create_demo_app": "create", "apps.seed_demo": "create",
    "apps.app_for_file": "create", "apps.update_profile": "edit", "documents.save_manifest": "edit",
    "documents.save_settings": "edit", "apps.choose_sample_mode": "edit", "apps.save_target": "edit",
    "apps.open_demo_app": "create",
    "actions.add_action": "edit", "actions.save_action": "edit", "actions.duplicate_action": "edit",
    "actions.move_action": "edit", "actions.delete_action": "edit", "actions.save_sources": "edit",
    "actions.set_rehearsal_target": "edit", "actions.rehearse": "fire", "actions.rerun": "fire",
    "actions.rehearse_all": "fire", "actions.record_cli_rehearsals": "fire",
    "evidence.gather_evidence": "fire",
    "apps.delete_target": "edit", "apps.delete_app": "delete",
    "scopes.change_scopes": "edit", "scopes.toggle_scope": "edit", "scopes.add_scope": "edit",
    "versions.restore_version": "edit", "versions.undo_manifest": "edit",
    "sandbox.install_app": "edit", "sandbox.uninstall_installation": "edit", "sandbox.reinstall_installation": "edit",
    "sandbox.retry_installation": "edit", "sandbox.retry_failed_installations": "edit",
    "sandbox.republish_app": "edit", "sandbox.set_sandbox_rules": "edit",
    "sandbox.approve_review": "signoff", "sandbox.reject_review": "signoff",
    "firing.fire_for_app": "fire", "firing.refire": "fire", "firing.run_conformance_for_app": "fire",
    "firing.fire_file": "fire", "firing.conformance_for_file": "fire", "firing.record_cli_fires": "fire",
    "bursts.create_burst": "fire", "bursts.start_app_burst": "fire", "bursts.run_burst": "fire",
    "bursts.rekey_installations": "fire", "bursts.launch_burst": "fire", "bursts.reopen_burst": "fire",
    "bursts.cancel_burst": "fire",
    "team.sign_off": "signoff", "team.invite_person": "manage", "team.revoke_person": "manage",
}


_DEPTH = threading.local()  # hooks run once, after the outermost guarded write (undo calls restore...)


class Refused(PermissionError):
    """A write the signed-in person's role does not allow; the message says who may."""


def base_name(actor: str) -> str:
    """The person behind an actor: 'Ada (shared token)' -> 'Ada'."""
    return actor[:-len(SHARED_SUFFIX)] if actor.endswith(SHARED_SUFFIX) else actor


def gate_on(store: Store) -> bool:
    from console import team

    return team.gate_enabled(store)


def role_for(store: Store, actor: str, app_ref: int | None) -> str | None:
    """The actor's role for the app (``None``: for the console as a whole); None for nobody known."""
    if actor in roles.OPERATORS or not gate_on(store):
        return "admin"
    if actor.endswith(SHARED_SUFFIX):
        return str(store.settings.get("shared_role", DEFAULT_SHARED_ROLE))
    person = store.people.by_name(actor)
    if person is None or not person.active:
        return None
    grants = [roles.RoleGrant(g.person, g.app_ref, g.role) for g in store.roles.of(actor)]
    return roles.effective_role(grants, app_ref, str(store.settings.get("default_role", DEFAULT_ROLE)))


def refusal(store: Store, actor: str, app_ref: int | None, action: str) -> str | None:
    """Why ``actor`` may not do ``action`` on the app, or None when they may."""
    role = role_for(store, actor, app_ref)
    if roles.can(role, action):
        return None
    where = f"app #{app_ref}" if app_ref is not None else "this console"
    held = f"your role for {where} is {role}" if role else f"{actor} is not a member of this console"
    return (f"Not allowed: {roles.ACTIONS[action]} needs the {roles.needed_role(action)} role or higher "
            f"({held}). Nothing was changed. An admin gives roles on the Team page or with "
            "`python -m console team role NAME APP ROLE`.")


def check(store: Store, actor: str, app_ref: int | None, action: str) -> None:
    """Raise Refused unless ``actor`` may do ``action``: call it before storing anything."""
    reason = refusal(store, actor, app_ref, action)
    if reason:
        raise Refused(reason)


def _app_of(store: Store, bound: inspect.BoundArguments) -> int | None:
    args = bound.arguments
    if isinstance(args.get("app_ref"), int):
        return int(args["app_ref"])
    app = args.get("app")
    if app is not None and isinstance(getattr(app, "id", None), int):
        return int(app.id)
    if isinstance(args.get("fire_id"), int):
        row = store.fires.get(int(args["fire_id"]))
        return None if row is None or row["app_ref"] is None else int(row["app_ref"])
    if isinstance(args.get("installation_id"), int):
        found = store.installations.get(int(args["installation_id"]))
        return None if found is None else int(found.app_ref)
    return None


def _snapshot(store: Store, app_ref: int | None) -> dict[str, Any]:
    app = store.apps.get(app_ref) if app_ref is not None else None
    return {"manifest": None if app is None else dict(app.manifest),
            "scopes": None if app is None else list(app.scopes), "last_activity": store.audit.last_id()}


def guarded(fn: Callable[..., Any], action: str, error: type[Exception],
            after: Callable[[Store, str, int | None, dict[str, Any] | None, Any], None] | None = None,
            before_check: Callable[[Store, str, int | None, dict[str, Any]], str | None] | None = None
            ) -> Callable[..., Any]:
    """``fn`` with the role check first (its ``actor``/``author`` argument against ``action``), raising
    ``error`` when refused; ``after`` (if given) sees what changed."""
    signature = inspect.signature(fn)
    takes_actor = "actor" in signature.parameters or "author" in signature.parameters

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = kwargs.pop("actor", None) if not takes_actor else None  # a caller may name who acts
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        store = bound.arguments["store"]
        if store is None:  # nothing is stored (a file fired without a database)
            return fn(*args, **kwargs)
        actor = str(given or bound.arguments.get("actor", bound.arguments.get("author", "local")))
        app_ref = _app_of(store, bound)
        reason = refusal(store, actor, app_ref, action) or (before_check(store, actor, app_ref, bound.arguments)
                                                            if before_check is not None else None)
        if reason:
            raise error(reason)
        depth = getattr(_DEPTH, "n", 0)
        before = _snapshot(store, app_ref) if after is not None and depth == 0 else None
        _DEPTH.n = depth + 1
        try:
            result = fn(*args, **kwargs)
        finally:
            _DEPTH.n = depth
        if after is not None and depth == 0:
            after(store, actor, app_ref, before, result)
        return result

    wrapper.__guarded__ = action  # type: ignore[attr-defined]
    return wrapper


def guard_writes(namespace: MutableMapping[str, Any], error: type[Exception]) -> None:
    """Wrap every write of a service use-case module (its globals) with its role check, raising ``error``
    when refused; the writes are those of ``WRITE_ACTIONS`` named ``<module>.<function>``."""
    from console import review_hooks

    module = str(namespace["__name__"]).rsplit(".", 1)[-1]
    for qualified, action in WRITE_ACTIONS.items():
        owner, _, name = qualified.partition(".")
        fn = namespace.get(name) if owner == module else None
        if fn is None:
            continue
        if not callable(fn) or "store" not in inspect.signature(fn).parameters:
            raise TypeError(f"WRITE_ACTIONS names {qualified}, which is not a service write taking the store")
        if not hasattr(fn, "__guarded__"):
            namespace[name] = guarded(fn, action, error, review_hooks.AFTER.get(qualified),
                                      review_hooks.BEFORE.get(qualified))
