"""What every use case shares: the refusal (ServiceError), the database, finding an app, the activity
log, the address policy, and what an app's settings mean for a fire (its URL, values, timeouts)."""

from __future__ import annotations

from dataclasses import replace

from console.fire.prepare import FireContext, fill_params
from console.fire.timeouts import Timeouts
from console.manifest.document import param_names, request_of
from console.netpolicy import AddressPolicy
from console.outcome import FireRecord
from console.settings import AppSettings, SettingsChange, SettingsError, target_kind
from console.store import AppRecord, Store, open_store

__all__ = ["TARGETS", "DEFAULT_AUTHOR", "ServiceError", "open_console_store", "get_app", "must_get", "log_activity",
           "address_policy", "settings_of", "with_changes", "fire_context", "timeouts_of", "target_kind",
           "target_url", "fired_url", "get_fire"]

TARGETS = ("sample", "endpoint")
DEFAULT_AUTHOR = "console"
MAX_ID = 2**31 - 1


class ServiceError(ValueError):
    """A change that was refused; the message says which field and why. Nothing was written."""


def open_console_store(url: str | None = None) -> Store:
    """The console's database (CONSOLE_DATABASE_URL, default a SQLite file under .console/), migrated."""
    from console.config import database_url

    return open_store(url or database_url())


def get_app(store: Store, app_ref: int) -> AppRecord | None:
    """The app, or None (also for ids no app can have, such as -1 or 10**20 from a crafted link)."""
    return store.apps.get(app_ref) if isinstance(app_ref, int) and 0 < app_ref <= MAX_ID else None


def must_get(store: Store, app_ref: int) -> AppRecord:
    """The app, or ServiceError when it is gone."""
    app = get_app(store, app_ref)
    if app is None:
        raise ServiceError(f"There is no app #{app_ref}; it may have been deleted.")
    return app


def log_activity(store: Store, app: AppRecord | None, actor: str, action: str, summary: str, *,
                 app_ref: int | None = None, app_name: str = "", fire_id: int | None = None,
                 run_id: str | None = None, signoff_id: int | None = None) -> None:
    """One row of the activity log: who did what to which app (the evidence linked by id)."""
    store.activity.record(app_ref=app.id if app else app_ref, app_name=app.name if app else app_name, actor=actor,
                          action=action, summary=summary, fire_id=fire_id, run_id=run_id, signoff_id=signoff_id)


def address_policy(policy: AddressPolicy | None = None) -> AddressPolicy:
    """The given policy, else the one of this process (CONSOLE_MODE, CONSOLE_ALLOWED_HOSTS)."""
    from console.config import allowed_hosts, console_mode

    return policy or AddressPolicy(console_mode(), allowed_hosts())


def settings_of(app: AppRecord) -> AppSettings:
    """The app's settings (defaults for what was never saved; a damaged stored value reads as its default)."""
    return AppSettings.from_stored(app.settings)


def with_changes(settings: AppSettings, changes: SettingsChange) -> AppSettings:
    """``settings`` with ``changes`` (an unknown field is a TypeError; a value out of range a ServiceError)."""
    try:
        return replace(settings, **changes)
    except SettingsError as exc:
        raise ServiceError(str(exc)) from None


def fire_context(app: AppRecord, page_id: str | None = None) -> FireContext:
    """The system values and param values an app's fire sends (its sample values, or ``page_id``)."""
    settings = settings_of(app)
    params = fill_params(param_names(app.manifest), dict(settings.param_values))
    return FireContext(app.app_id, app.version, settings.page_id if page_id is None else page_id, params)


def timeouts_of(app: AppRecord) -> Timeouts:
    settings = settings_of(app)
    return Timeouts(settings.connect_timeout, settings.total_timeout)


def target_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str | None:
    """The URL to fire at: the sample endpoint in its mode, a saved target's URL, or None for the app's own
    auth.request.url."""
    from console.sandbox.sample_endpoint import https_base_for, install_path, resolve_sample_url

    settings = settings_of(app)
    chosen = target or settings.target
    if chosen.startswith("saved:"):
        return settings.saved_url(chosen.removeprefix("saved:"))
    if chosen != "sample":  # the app's own auth.request.url (the demo's names the sample endpoint's https)
        own = str((request_of(app.manifest) or {}).get("url") or "")
        resolved = resolve_sample_url(own, https_base_for(sample_base_url)) if sample_base_url else own
        return resolved if resolved != own else None
    series = f"{app.id}-{settings.sample_series}" if settings.sample_mode == "flaky" else ""
    return sample_base_url + install_path(settings.sample_mode, settings.sample_arg, series)


def fired_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str:
    """The URL a fire at ``target`` goes to (before templates are filled in); '' when there is none."""
    return target_url(app, sample_base_url, target) or str((request_of(app.manifest) or {}).get("url") or "")


def get_fire(store: Store, fire_id: int) -> FireRecord | None:
    row = store.fires.get(fire_id)
    return None if row is None else FireRecord.from_row(row)

