"""The one place a scope change happens: the Scopes page, the App JSON's one-click fix and the
`sandbox rescope` command all call ``change_scopes``.

A change is saved, logged, and the sandbox's rule applied: a dev app's change applies at once
(every installation re-keyed, its install request fired); a public app's needs a republish and a
review (console/sandbox/installations.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from console.access import guard_writes
from console.catalog import get_scope, sort_paths
from console.netpolicy import AddressPolicy
from console.sandbox import installations as sandbox
from console.service.base import ServiceError, address_policy, log_activity, must_get
from console.service.merge import base_part, resolve
from console.store import AppRecord, Store


def change_scopes(store: Store, app_ref: int, scopes: Sequence[str], policy: AddressPolicy | None = None, *,
                  actor: str = "local", based_on: int | None = None) -> sandbox.ScopeChange:
    """Replace the app's scopes (unknown paths refused), log the change, apply the sandbox's rule.

    ``based_on``: scopes ticked or unticked by others since that revision are kept; one both changed is
    refused (StaleSave)."""
    unknown = [path for path in scopes if get_scope(path) is None]
    if unknown:
        raise ServiceError("Unknown scope(s): " + ", ".join(unknown) + ". Pick endpoints from the catalog.")
    for _attempt in range(5):
        app = must_get(store, app_ref)
        before = set(app.scopes)
        merged = resolve(store, app, based_on, "scopes", "scopes", sort_paths(scopes))
        if store.apps.update(app_ref, actor=actor, expect_revision=app.revision, scopes=sort_paths(merged)):
            break
    else:
        raise ServiceError("The scopes are being changed by others right now; try again.")
    change = sandbox.scopes_saved(store, must_get(store, app_ref), address_policy(policy), actor=actor)
    app = change.app
    added, removed = sorted(set(app.scopes) - before), sorted(before - set(app.scopes))
    log_activity(store, app, actor, "scopes_changed",
                 "scopes: " + ", ".join([f"+{p}" for p in added] + [f"-{p}" for p in removed] or ["unchanged"])
                 + f" ({len(app.scopes)} selected)")
    for delivery in change.deliveries:  # a dev app's installations re-keyed at once: each one, with its fire
        installation = delivery.installation
        log_activity(store, app, actor, "sandbox_rekey", f"re-keyed installation #{installation.id} on page "
                     f"{installation.page_id}: new key {installation.key_fingerprint}", fire_id=delivery.fire_id)
    return change


def toggle_scope(store: Store, app_ref: int, path: str, *, actor: str = "local",
                 based_on: int | None = None) -> AppRecord:
    """Select the scope if it was not selected (at ``based_on``, else now), else deselect it; others' ticks
    since are kept, a tick of the same scope by another is refused (StaleSave)."""
    app = must_get(store, app_ref)
    current = set(base_part(store, app, based_on, "scopes") or ())
    return change_scopes(store, app_ref, sorted(current ^ {path}), actor=actor, based_on=based_on).app


def add_scope(store: Store, app_ref: int, path: str, *, actor: str = "local") -> AppRecord:
    """Select one more scope (the one-click fix of a missing-scope finding); no change when already selected."""
    app = must_get(store, app_ref)
    return app if path in app.scopes else change_scopes(store, app_ref, [*app.scopes, path], actor=actor).app


# every write checks the actor's role (a sign-off also separation of duties) before storing: console.access
guard_writes(globals(), ServiceError)
