"""App-level operations shared by the pages: fire for an app, conformance, readiness, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from console import demo
from console.callback import FireContext, FireResult, Timeouts, fill_params, fire_install_request
from console.conformance import ConformanceFire, new_run_id, run_conformance
from console.manifest import param_names, request_or_default
from console.netpolicy import AddressPolicy
from console.readiness import ChecklistItem, ReadinessInput, evaluate_checklist, is_ready
from console.sandbox import install_path
from console.store import AppRecord, FireFilter, Store

TARGETS = ("sample", "endpoint")
DEFAULT_SETTINGS: dict[str, Any] = {
    "target": "endpoint", "sample_mode": "ok", "sample_arg": None, "sample_series": 0,
    "page_id": "100200300", "param_values": {}, "connect_timeout": 5.0, "total_timeout": 10.0,
}


def settings_of(app: AppRecord) -> dict[str, Any]:
    """The app's settings with defaults filled in."""
    return {**DEFAULT_SETTINGS, **app.settings}


def fire_context(app: AppRecord) -> FireContext:
    settings = settings_of(app)
    params = fill_params(param_names(app.manifest), settings["param_values"])
    return FireContext(app.app_id, app.version, str(settings["page_id"]), params)


def timeouts_of(app: AppRecord) -> Timeouts:
    settings = settings_of(app)
    return Timeouts(float(settings["connect_timeout"]), float(settings["total_timeout"]))


def target_url(app: AppRecord, sample_base_url: str, target: str | None = None) -> str | None:
    """The URL to fire at: the sample endpoint in its mode, or None for the app's own auth.request.url."""
    settings = settings_of(app)
    if (target or settings["target"]) != "sample":
        return None
    series = f"{app.id}-{settings['sample_series']}" if settings["sample_mode"] == "flaky" else ""
    return sample_base_url + install_path(settings["sample_mode"], settings["sample_arg"], series)


def fire_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
             app_key: str | None = None) -> tuple[FireResult, int]:
    """Fire the app's install request at its current target and store the fire."""
    target = settings_of(app)["target"]
    result = fire_install_request(request_or_default(app.manifest), fire_context(app), app_key=app_key,
                                  url=target_url(app, sample_base_url), timeouts=timeouts_of(app), policy=policy)
    fire_id = store.record_fire(result, app_ref=app.id, app_name=app.name, source="page", target_kind=target)
    return result, fire_id


def conformance_for_app(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy,
                        target: str, on_fire: Callable[[ConformanceFire, int], None] | None = None) -> str:
    """Run every conformance step at ``target``, storing each fire; the run's id."""
    run_id = new_run_id()

    def record(item: ConformanceFire, index: int) -> None:
        store.record_fire(item.result, app_ref=app.id, app_name=app.name, source="conformance",
                          target_kind=target, run_id=run_id, step=item.step)
        if on_fire is not None:
            on_fire(item, index)

    run_conformance(request_or_default(app.manifest), fire_context(app), url=target_url(app, sample_base_url, target),
                    timeouts=timeouts_of(app), policy=policy, on_fire=record)
    return run_id


def readiness_for(store: Store, app: AppRecord, target: str, for_listing: bool) -> list[ChecklistItem]:
    recent = store.list_fires(FireFilter(app_ref=app.id, target_kind=target), limit=20, with_detail=True)
    run_id = store.latest_run_id(app.id, target)
    conformance = list(reversed(store.list_fires(FireFilter(run_id=run_id), limit=100, with_detail=True))) \
        if run_id else []
    return evaluate_checklist(ReadinessInput(app.manifest, app.scopes, target, recent, conformance, for_listing))


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    page: str
    done: bool
    status: str


def progress(store: Store, app: AppRecord) -> list[Step]:
    """The four steps, each done or not, derived from the app's state."""
    latest = store.list_fires(FireFilter(app_ref=app.id), limit=1)
    items = readiness_for(store, app, settings_of(app)["target"], for_listing=False)
    by_id = {item.id: item for item in items}
    valid = by_id["manifest.valid"].status == "pass"
    server_side = by_id["delivery.server_side"].status == "pass"
    errors = len(by_id["manifest.valid"].evidence)  # one piece of evidence per error
    conformance_run = any(i.id.startswith("conformance.") and i.status != "not_run" for i in items)
    return [
        Step(1, "Scopes", "pages/1_Scopes.py", bool(app.scopes),
             f"{len(app.scopes)} scope(s) selected" if app.scopes else "no scopes selected yet"),
        Step(2, "Auth section", "pages/2_Auth_section.py", valid and server_side,
             "valid, server-side delivery" if valid and server_side
             else (f"{errors} error(s) to fix" if errors else "manual delivery (no request object)")),
        Step(3, "Test fire", "pages/3_Test_fire.py", bool(latest) and latest[0].ok,
             "no fire yet" if not latest else
             (f"latest fire: HTTP 200 ({latest[0].target_kind})" if latest[0].ok
              else f"latest fire failed: {latest[0].category}")),
        Step(4, "Checklist", "pages/4_Checklist.py", conformance_run and is_ready(items),
             "conformance not run yet" if not conformance_run else
             ("no required item fails" if is_ready(items) else "a required item fails")),
    ]


def create_demo_app(store: Store) -> AppRecord:
    """The demo app from assets/, set to fire at the built-in sample endpoint (numbered if loaded again)."""
    taken = {app.name for app in store.list_apps()}
    profile, number = demo.DEMO_PROFILE, 1
    while profile.name in taken:
        number += 1
        profile = replace(demo.DEMO_PROFILE, name=f"{demo.DEMO_PROFILE.name} ({number})")
    return store.create_app(profile, demo.demo_manifest(), demo.DEMO_SCOPES,
                            {**DEFAULT_SETTINGS, **demo.demo_settings()})
