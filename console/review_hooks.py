"""What follows a write, for reviewing as a team: an App JSON change's field-level diff in the audit
log, a sign-off going stale, a failed conformance run and a burst announced, the webhook told.

``AFTER`` maps a service write to its hook (``access.guard_writes`` calls it after the write);
``notify_event`` sends a webhook notification in the background and records the delivery.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from console import notify
from console.manifest.diff import diff_documents
from console.store import Store

MAX_DIFF_CHANGES = 200
_SENDING: list[threading.Thread] = []


def webhook(store: Store) -> dict[str, str] | None:
    value = store.settings.get("webhook")
    return value if isinstance(value, dict) and value.get("url") else None


def _policy() -> Any:
    from console.config import allowed_hosts, console_mode
    from console.netpolicy import AddressPolicy

    return AddressPolicy(console_mode(), allowed_hosts())


def send_now(store: Store, url: str, fmt: str, event: notify.Event,
             deliver: Callable[..., notify.Delivery] = notify.deliver) -> notify.Delivery:
    """Deliver one event (with retries) and record the delivery (destination host only)."""
    body = event.body(fmt)
    result = deliver(url, body, _policy())
    store.deliveries.record(event=event.kind, app_ref=event.app_ref, destination=notify.destination(url),
                            outcome=result.outcome, attempts=result.attempts, http_status=result.status,
                            error=result.error, body=body)
    return result


def notify_event(store: Store, kind: str, app_ref: int | None, app_name: str, actor: str, detail: str,
                 *, wait: bool = False) -> threading.Thread | None:
    """Tell the console's webhook (if one is set) in a background thread; the thread, or None."""
    hook = webhook(store)
    if hook is None:
        return None
    event = notify.event(kind, app_ref, app_name, actor, detail)
    worker = threading.Thread(target=send_now, args=(store, hook["url"], hook.get("format", "slack"), event),
                              name=f"webhook-{kind}", daemon=False)  # a CLI process waits for it (bounded)
    _SENDING[:] = [t for t in _SENDING if t.is_alive()] + [worker]
    worker.start()
    if wait:
        worker.join()
    return worker


def wait_for_deliveries(timeout: float = 60.0) -> None:
    """Let background deliveries finish (tests; a CLI command before it exits)."""
    for worker in list(_SENDING):
        worker.join(timeout)


def log(store: Store, app_ref: int | None, app_name: str, actor: str, action: str, summary: str,
        detail: dict[str, Any] | None = None, **links: Any) -> int:
    """One audit entry (the activity table), with its field-level detail beside it."""
    entry = store.activity.record(app_ref=app_ref, app_name=app_name, actor=actor, action=action, summary=summary,
                                  **links)
    if detail is not None:
        store.audit.add_detail(entry, detail)
    return entry


def _was_fresh(store: Store, app_ref: int, manifest: dict[str, Any], scopes: list[str]) -> Any:
    """The approval in force for this state (newest decision approved and not stale), or None."""
    from console.signoff import judge

    latest = store.signoffs.for_app(app_ref, limit=1)
    if not latest or latest[0].decision != "approved":
        return None
    view = judge(latest[0], manifest, scopes)
    return None if view.stale else view


def after_app_change(store: Store, actor: str, app_ref: int | None, before: dict[str, Any] | None,
                     result: Any) -> None:
    """After an App JSON or scope change: the diff on its audit entry (restores and undos get an entry
    of their own); a sign-off this change made stale announced."""
    if app_ref is None or before is None or before.get("manifest") is None:
        return
    app = store.apps.get(app_ref)
    if app is None:
        return
    old_manifest, old_scopes = before["manifest"], list(before["scopes"])
    if app.manifest != old_manifest:
        changes = diff_documents(old_manifest, app.manifest)
        detail = {"changes": [c.to_dict() for c in changes[:MAX_DIFF_CHANGES]],
                  "more": max(0, len(changes) - MAX_DIFF_CHANGES)}
        logged = store.activity.for_app(app_ref, limit=1, action="app_json_changed")
        if logged and logged[0].id > before["last_activity"]:
            store.audit.add_detail(logged[0].id, detail)
        else:
            newest = store.versions.listing(app_ref, limit=1)
            summary = newest[0].summary if newest else "App JSON changed"
            log(store, app.id, app.name, actor, "app_json_changed", f"App JSON: {summary}", detail)
    was = _was_fresh(store, app_ref, old_manifest, old_scopes)
    if was is not None and _was_fresh(store, app_ref, app.manifest, list(app.scopes)) is None:
        notify_event(store, "signoff_stale", app.id, app.name, actor,
                     f"{actor} changed it after {was.record.actor}'s sign-off; it needs a new review")


def after_conformance(store: Store, actor: str, app_ref: int | None, before: dict[str, Any] | None,
                      result: Any) -> None:
    from console.store import FireFilter

    if not isinstance(result, str):
        return
    fires = store.fires.in_order(FireFilter(run_id=result), 100)
    failed = [row for row in fires if not row["ok"]]
    if failed:
        app = store.apps.get(app_ref) if app_ref is not None else None
        notify_event(store, "conformance_failed", app_ref, app.name if app else "", actor,
                     f"{len(failed)} of {len(fires)} step(s) did not get 200 (run {result})")


def after_burst(store: Store, actor: str, app_ref: int | None, before: dict[str, Any] | None, result: Any) -> None:
    run_id = result if isinstance(result, str) else None
    app = store.apps.get(app_ref) if app_ref is not None else None
    log(store, app_ref, app.name if app else "", actor, "burst", f"burst {run_id or ''} created".replace("  ", " "),
        run_id=run_id)


def after_signoff(store: Store, actor: str, app_ref: int | None, before: dict[str, Any] | None, result: Any) -> None:
    record = getattr(result, "record", None)
    if record is None:
        return
    app = store.apps.get(record.app_ref)
    kind = "signoff" if record.decision == "approved" else "changes_requested"
    detail = record.verdict + (f" — {record.comment}" if record.comment else "")
    notify_event(store, kind, record.app_ref, app.name if app else "", actor, detail)


AFTER: dict[str, Callable[[Store, str, int | None, dict[str, Any] | None, Any], None]] = {
    "documents.save_manifest": after_app_change, "versions.restore_version": after_app_change,
    "versions.undo_manifest": after_app_change, "scopes.change_scopes": after_app_change,
    "scopes.toggle_scope": after_app_change, "scopes.add_scope": after_app_change,
    "firing.run_conformance_for_app": after_conformance,
    "bursts.create_burst": after_burst, "bursts.start_app_burst": after_burst, "team.sign_off": after_signoff,
}


def before_signoff(store: Store, actor: str, app_ref: int | None, arguments: dict[str, Any]) -> str | None:
    """Separation of duties: nobody approves an App JSON holding their own changes since the last sign-off."""
    from console.separation import self_signoff_refusal

    if app_ref is None:
        return None
    return self_signoff_refusal(store, app_ref, actor, str(arguments.get("decision", "")))


BEFORE: dict[str, Callable[[Store, str, int | None, dict[str, Any]], str | None]] = {"team.sign_off": before_signoff}
