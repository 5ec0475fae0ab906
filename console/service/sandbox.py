"""The local sandbox: installations (install, uninstall, reinstall, retry), a public app's review, the
sandbox's rules, the call log. Every write is logged with its actor, from either face."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from console.access import guard_writes
from console.netpolicy import AddressPolicy
from console.sandbox import installations as sandbox
from console.sandbox.client import CallAnswer, call_sandbox
from console.service.base import ServiceError, address_policy, log_activity, must_get
from console.service.readiness import sandbox_least_privilege
from console.store import AppRecord, CallRecord, InstallationRecord, SandboxAppRow, Store

SHOWN_INSTALLATIONS = 100  # the newest ones a page lists: a page costs the same with 10 or 10,000 installations


@dataclass(frozen=True)
class SandboxOverview:
    app: AppRecord
    state: SandboxAppRow
    review: str  # a label: live, republish needed, in review, review rejected
    installations: list[InstallationRecord]  # the newest SHOWN_INSTALLATIONS, oldest first
    total: int  # every installation of the app
    undelivered: int  # installed, with a delivery that failed or is pending (what "Retry all failed" retries)


def sandbox_overview(store: Store, app_ref: int, shown: int = SHOWN_INSTALLATIONS) -> SandboxOverview:
    app = must_get(store, app_ref)
    state = sandbox.sandbox_state(store, app)
    total, undelivered = store.installations.counts(app.id)
    return SandboxOverview(app, state, sandbox.REVIEW_LABELS[state.review_state],
                           store.installations.for_app(app.id, newest=max(1, shown)), total, undelivered)


def app_of_installation(store: Store, installation_id: int) -> tuple[AppRecord, InstallationRecord]:
    """The installation and its app (ServiceError when there is none: the commands take an installation id)."""
    installation = store.installations.get(installation_id)
    if installation is None:
        raise ServiceError(f"There is no installation #{installation_id}; list them with `sandbox log` or on the "
                           "Sandbox page.")
    return must_get(store, installation.app_ref), installation


def _logged(store: Store, app: AppRecord, actor: str, action: str, delivery: sandbox.Delivery,
            what: str) -> sandbox.Delivery:
    result = delivery.result
    outcome = "manual delivery" if result is None else (
        result.category.value + (f" (HTTP {result.status})" if result.status is not None else ""))
    log_activity(store, app, actor, action, f"{what} installation #{delivery.installation.id} on page "
                 f"{delivery.installation.page_id}: new key {delivery.installation.key_fingerprint}, {outcome}",
                 fire_id=delivery.fire_id)
    return delivery


def install_app(store: Store, app_ref: int, page_id: str, url: str | None = None,
                policy: AddressPolicy | None = None, *, actor: str = "local") -> sandbox.Delivery:
    """Install the app on a sandbox page: a new App Key, its install request fired (or manual delivery)."""
    app = must_get(store, app_ref)
    try:
        delivery = sandbox.install(store, app, page_id, address_policy(policy), url, actor=actor)
    except sandbox.InstallationError as exc:
        raise ServiceError(str(exc)) from None
    return _logged(store, app, actor, "sandbox_install", delivery, "installed as")


def uninstall_installation(store: Store, installation_id: int, *, actor: str = "local") -> InstallationRecord:
    app, installation = app_of_installation(store, installation_id)
    try:
        done = sandbox.uninstall(store, installation)
    except sandbox.InstallationError as exc:
        raise ServiceError(str(exc)) from None
    log_activity(store, app, actor, "sandbox_uninstall",
                 f"uninstalled installation #{done.id} on page {done.page_id} (its key now answers 500)")
    return done


def reinstall_installation(store: Store, installation_id: int, url: str | None = None,
                           policy: AddressPolicy | None = None, *, actor: str = "local") -> sandbox.Delivery:
    app, installation = app_of_installation(store, installation_id)
    try:
        delivery = sandbox.reinstall(store, app, installation, address_policy(policy), url, actor=actor)
    except sandbox.InstallationError as exc:
        raise ServiceError(str(exc)) from None
    return _logged(store, app, actor, "sandbox_install", delivery, "reinstalled")


def retry_installation(store: Store, installation_id: int, app_key: str | None = None,
                       policy: AddressPolicy | None = None, *, actor: str = "local") -> sandbox.Delivery:
    """Send the install request again (the held key when it is the current one, else a fresh key)."""
    app, installation = app_of_installation(store, installation_id)
    try:
        delivery = sandbox.retry(store, app, installation, address_policy(policy), app_key, actor=actor)
    except sandbox.InstallationError as exc:
        raise ServiceError(str(exc)) from None
    return _logged(store, app, actor, "sandbox_retry", delivery, "retried the delivery of")


def retry_failed_installations(store: Store, app_ref: int, policy: AddressPolicy | None = None, *,
                               actor: str = "local") -> list[sandbox.Delivery]:
    app = must_get(store, app_ref)
    deliveries = sandbox.retry_failed(store, app, address_policy(policy), actor=actor)
    return [_logged(store, app, actor, "sandbox_retry", d, "retried the delivery of") for d in deliveries]


def _review(store: Store, app: AppRecord, actor: str, action: str, change: sandbox.ScopeChange
            ) -> sandbox.ScopeChange:
    log_activity(store, app, actor, action, change.message)
    for delivery in change.deliveries:  # each re-keyed installation, with its fire as the evidence
        _logged(store, app, actor, "sandbox_rekey", delivery, "re-keyed")
    return change


def republish_app(store: Store, app_ref: int, *, actor: str = "local") -> sandbox.ScopeChange:
    app = must_get(store, app_ref)
    try:
        return _review(store, app, actor, "sandbox_republish", sandbox.republish(store, app))
    except sandbox.InstallationError as exc:
        raise ServiceError(str(exc)) from None


def approve_review(store: Store, app_ref: int, policy: AddressPolicy | None = None, *,
                   actor: str = "local") -> sandbox.ScopeChange:
    app = must_get(store, app_ref)
    try:
        change = sandbox.approve(store, app, address_policy(policy), actor=actor)
    except sandbox.InstallationError as exc:
        raise ServiceError(str(exc)) from None
    return _review(store, app, actor, "sandbox_review_approved", change)


def reject_review(store: Store, app_ref: int, *, actor: str = "local") -> sandbox.ScopeChange:
    app = must_get(store, app_ref)
    try:
        return _review(store, app, actor, "sandbox_review_rejected", sandbox.reject(store, app))
    except sandbox.InstallationError as exc:
        raise ServiceError(str(exc)) from None


def set_sandbox_rules(store: Store, app_ref: int, *, replaced_key_rule: bool | None = None,
                      rate_limits: bool | None = None, actor: str = "local") -> SandboxAppRow:
    """The sandbox's visible settings: a replaced key answers 401 (our assumption), rate limits (429)."""
    app = must_get(store, app_ref)
    sandbox.sandbox_state(store, app)
    changes = {name: value for name, value in (("replaced_key_rule", replaced_key_rule),
                                               ("rate_limits", rate_limits)) if value is not None}
    if changes:
        store.installations.update_sandbox_app(app.id, **changes)
        log_activity(store, app, actor, "sandbox_rules", "sandbox rules: " + ", ".join(
            f"{name} {'on' if value else 'off'}" for name, value in sorted(changes.items())))
    return sandbox.sandbox_state(store, app)


def sandbox_calls(store: Store, app_ref: int | None = None, limit: int = 100) -> list[CallRecord]:
    """The call log, newest first (every app when ``app_ref`` is None)."""
    return store.sandbox_calls.page(app_ref, limit=max(1, min(limit, 10_000)))


def try_sandbox_call(base_url: str, app_key: str, path: str, args: Mapping[str, object] | None = None
                     ) -> CallAnswer:
    """One call to the local sandbox with a key the caller holds (the key is not stored)."""
    if not app_key.strip() or any(c in app_key for c in "\r\n"):
        return CallAnswer(None, "", "Give an App Key (one line) to call with.")
    return call_sandbox(base_url, app_key.strip(), path, None if args is None else dict(args))


__all__ = ["SandboxOverview", "app_of_installation", "approve_review", "install_app", "reinstall_installation",
           "reject_review", "republish_app", "retry_failed_installations", "retry_installation", "sandbox_calls",
           "sandbox_least_privilege", "sandbox_overview", "set_sandbox_rules", "try_sandbox_call",
           "uninstall_installation"]


# every write checks the actor's role (a sign-off also separation of duties) before storing: console.access
guard_writes(globals(), ServiceError)
