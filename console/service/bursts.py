"""Bursts: re-keying many installations at once (console/burst_run.py runs it; console/fire/burst.py fires)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from console.access import guard_writes
from console.burst_run import (
    BurstError,
    BurstProgress,
    BurstReport,
    BurstSpec,
    check_spec,
    create_run,
    execute_run,
    mark_interrupted,
    new_burst_id,
    progress_of,
    report_of,
)
from console.manifest.document import request_of, request_or_default
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import install_path
from console.service.base import TARGETS, ServiceError, fire_context, log_activity, timeouts_of
from console.store import AppRecord, BurstRunRecord, Store

__all__ = ["BurstProgress", "BurstReport", "BurstSpec"]


def burst_spec_for_app(app: AppRecord, sample_base_url: str, policy: AddressPolicy, *, installations: int = 0,
                       concurrency: int = 50, target: str = "sample", sample_mode: str = "ok",
                       sample_arg: int | None = None, run_id: str = "",
                       explicit: Sequence[tuple[str, str]] | None = None) -> BurstSpec:
    """What a burst for an app fires: its install request at the sample endpoint (a mode) or at its own URL.

    ``explicit`` re-keys given (installation id, page_id) pairs instead of ``installations`` generated ones.
    """
    if target not in TARGETS:
        raise ServiceError(f"target: choose one of {', '.join(TARGETS)}.")
    url = None
    if target == "sample":
        try:
            # A flaky series of its own per run, so "the first K fail" counts this run's requests only.
            url = sample_base_url + install_path(sample_mode, sample_arg, run_id if sample_mode == "flaky" else "")
        except ValueError as exc:
            raise ServiceError(f"sample mode: {exc}") from None
    shown = url or str((request_of(app.manifest) or {}).get("url") or "")
    if not shown:
        raise ServiceError("The app's auth section has no request URL: set it in step 2, or fire at the sample "
                           "endpoint.")
    return BurstSpec(request_or_default(app.manifest), fire_context(app), url, shown,
                     installations if explicit is None else len(explicit), concurrency, timeouts_of(app), policy,
                     None if explicit is None else list(explicit), app.id, app.name, target)


def refuse_bad_spec(spec: BurstSpec) -> None:
    """Raise ServiceError naming what is wrong with ``spec`` (the numbers, the installations) before anything is
    stored or opened; create_burst checks the same again."""
    problems = check_spec(spec)
    if problems:
        raise ServiceError(" ".join(problems))


def create_burst(store: Store, spec: BurstSpec, run_id: str | None = None, *, actor: str = "local") -> str:
    """Record a burst run (before anything is fired) and who started it; its id. Refused specs raise
    ServiceError."""
    try:
        created = create_run(store, spec, run_id)
    except BurstError as exc:
        raise ServiceError(str(exc)) from None
    log_activity(store, None, actor, "burst_started", f"burst of {spec.total:,} installation(s) at the "
                 f"{spec.target_kind} ({spec.concurrency} in flight)", app_ref=spec.app_ref,
                 app_name=spec.app_name, run_id=created)
    return created


def start_app_burst(store: Store, app: AppRecord, sample_base_url: str, policy: AddressPolicy, *,
                    installations: int, concurrency: int, target: str, sample_mode: str = "ok",
                    sample_arg: int | None = None, actor: str = "local") -> str:
    """Record a burst for an app (the page then runs it in a process of its own: launch_burst); its id."""
    run_id = new_burst_id()
    spec = burst_spec_for_app(app, sample_base_url, policy, installations=installations, concurrency=concurrency,
                              target=target, sample_mode=sample_mode, sample_arg=sample_arg, run_id=run_id)
    return create_burst(store, spec, run_id, actor=actor)


def run_burst(store: Store, run_id: str, *, workers: int | None = None, policy: AddressPolicy | None = None,
              on_progress: Callable[[BurstProgress], None] | None = None) -> BurstReport:
    """Execute (or resume) a recorded run in this process, until every installation has a result or it is cancelled."""
    mark_interrupted(store)
    try:
        return execute_run(store, run_id, workers=workers, policy=policy, on_progress=on_progress)
    except BurstError as exc:
        raise ServiceError(str(exc)) from None


def rekey_installations(store: Store, app: AppRecord, installations: Sequence[tuple[str, str]], policy: AddressPolicy,
                        *, url: str | None = None, concurrency: int = 50) -> BurstReport:
    """Fire the install request for each given (installation id, page_id), each with a fresh key; wait for the report.

    The re-keying after a scope change: the results are one burst run, resumable like any other.
    """
    spec = burst_spec_for_app(app, "", policy, concurrency=concurrency, target="endpoint",
                              explicit=list(installations))
    if url:
        spec = replace(spec, url=url, shown_url=url)
    return run_burst(store, create_burst(store, spec), policy=policy)


def launch_burst(store: Store, run_id: str) -> subprocess.Popen[bytes]:
    """Run a recorded burst in a process of its own (``python -m console.burst_run``); the caller reaps it."""
    env = {**os.environ, "CONSOLE_DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen([sys.executable, "-m", "console.burst_run", run_id], env=env, cwd=root,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def reopen_burst(store: Store, run_id: str) -> bool:
    """Mark a cancelled or interrupted run as waiting to be resumed (then launch_burst it). False when it is not."""
    return store.bursts.reopen(run_id)


def cancel_burst(store: Store, run_id: str) -> bool:
    """Ask a running burst to stop starting fires (it stores what is in flight, then ends 'cancelled')."""
    return store.bursts.request_cancel(run_id)


def burst_progress(store: Store, run_id: str) -> BurstProgress | None:
    """Counters, rate and ETA of a run, read from its row (constant work, whatever its size)."""
    mark_interrupted(store)
    run = store.bursts.get(run_id)
    return None if run is None else progress_of(run)


def burst_report(store: Store, run_id: str) -> BurstReport | None:
    run = store.bursts.get(run_id)
    return None if run is None else report_of(run)


def recent_bursts(store: Store, app_ref: int | None = None, limit: int = 10) -> list[BurstRunRecord]:
    """The newest burst runs (interrupted ones shown as such)."""
    mark_interrupted(store)
    return store.bursts.recent(app_ref, limit)


# every write checks the actor's role (a sign-off also separation of duties) before storing: console.access
guard_writes(globals(), ServiceError)
