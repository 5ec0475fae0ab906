"""Separation of duties: by default nobody signs off an App JSON version holding their own changes
since the last sign-off (an admin turns the rule off per console: `team setting separation_of_duties off`)."""

from __future__ import annotations

from console import access, roles
from console.store import AppRecord, Store

SEPARATION = "separation_of_duties"


def required(store: Store) -> bool:
    return bool(store.settings.get(SEPARATION, True))


def authors_since_signoff(store: Store, app: AppRecord) -> list[str]:
    """Who changed the App JSON since the last approval (since the app was created, when none)."""
    approvals = [s for s in store.signoffs.for_app(app.id, limit=100) if s.decision == "approved"]
    since = approvals[0].at if approvals else None
    names = {access.base_name(v.author) for v in store.versions.listing(app.id, limit=10_000)
             if (since is None or v.created_at > since) and v.source != "initial"}
    return sorted(names - {"console"})


def self_signoff_refusal(store: Store, app_ref: int, actor: str, decision: str) -> str | None:
    """Why ``actor`` may not approve the app's App JSON under separation of duties, or None."""
    if decision != "approved" or actor in roles.OPERATORS or not required(store):
        return None
    app = store.apps.get(app_ref)
    if app is None or access.base_name(actor) not in authors_since_signoff(store, app):
        return None
    return (f"Separation of duties: {access.base_name(actor)} changed this App JSON since the last sign-off, so "
            "someone else must sign it off (request changes instead, or an admin turns the rule off).")


