"""A burst run: recorded before it fires, its results stored in batches, resumable after a kill.

``create_run`` writes the run (its plan: the request *template* and its key secret, sealed; never a
key); ``execute_run`` takes it for this process, fires every installation that has no stored result yet through the
worker processes of ``console.fire.burst`` and stores their results in batches (each batch with
the run's counters and heartbeat, in one transaction). A run whose process died is found by its
heartbeat (or its dead pid on this machine) and shown as *interrupted*; executing it again is
the resume: only installations without a result are fired, so none is fired twice after a
resume and none is lost. ``python -m console.burst_run RUN_ID`` executes a run in a process of
its own (what the Burst page starts).
"""

from __future__ import annotations

import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from console.burst_report import (  # what a run shows (re-exported: the service imports them from here)
    BurstProgress as BurstProgress,
)
from console.burst_report import BurstReport as BurstReport
from console.burst_report import histogram as histogram
from console.burst_report import percentile as percentile
from console.burst_report import progress_of as progress_of
from console.burst_report import report_of, stopped_target_hint, summarize
from console.fire.burst import (
    MAX_CONCURRENCY,
    MAX_INSTALLATIONS,
    BurstPlan,
    Installation,
    Range,
    ResultRow,
    generated_page_id,
)
from console.fire.burst_pool import BurstWorkers
from console.fire.prepare import FireContext
from console.fire.run_keys import RunSecretError, new_run_secret, seal, unseal
from console.fire.send import Timeouts
from console.netpolicy import AddressPolicy
from console.sandbox.sample_endpoint import is_sample_url
from console.store import BurstRunRecord, Store

STALE_AFTER_S = 30.0  # a running run whose heartbeat is older than this is interrupted
HEARTBEAT_S = 0.5
INSERT_ROWS = 2000
INSERT_SECONDS = 0.5
WORKERS_FROM = 2000  # below this many installations one worker process does it


class BurstError(ValueError):
    """The run cannot be executed (unknown, finished, or running elsewhere); the message says why."""


@dataclass(frozen=True)
class BurstSpec:
    """What a run fires: the request template, where, how many installations (or which) and how fast."""

    request: Mapping[str, Any]
    context: FireContext
    url: str | None
    shown_url: str
    total: int
    concurrency: int = 50
    timeouts: Timeouts = field(default_factory=Timeouts)
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    installations: Sequence[tuple[str, str]] | None = None  # (installation id, page_id); None: generated
    app_ref: int | None = None
    app_name: str = ""
    target_kind: str = "endpoint"


def new_burst_id() -> str:
    return "burst_" + uuid.uuid4().hex[:12]


def check_spec(spec: BurstSpec) -> list[str]:
    """What is wrong with the spec, one message per field ([] when it can run)."""
    problems = []
    count = len(spec.installations) if spec.installations is not None else spec.total
    if not 1 <= count <= MAX_INSTALLATIONS:
        problems.append(f"installations: give a number from 1 to {MAX_INSTALLATIONS:,} (got {count:,}).")
    if not 1 <= spec.concurrency <= MAX_CONCURRENCY:
        problems.append(f"concurrency: give a number from 1 to {MAX_CONCURRENCY} (got {spec.concurrency}).")
    for installation_id, page_id in spec.installations or ():
        if not str(installation_id).strip() or not str(page_id).strip():
            problems.append("installations: every installation needs an id and a page_id.")
            break
        if len(str(installation_id)) > 80 or len(str(page_id)) > 80:
            problems.append("installations: an installation id or page_id is over 80 characters.")
            break
    return problems


def _plan_to_stored(spec: BurstSpec) -> dict[str, Any]:
    context = spec.context
    return {
        "request": dict(spec.request), "url": spec.url,
        "context": {"app_id": context.app_id, "app_version": context.app_version, "params": dict(context.params)},
        "timeouts": {"connect": spec.timeouts.connect, "total": spec.timeouts.total},
        "policy": {"mode": spec.policy.mode, "allowlist": list(spec.policy.allowlist)},
    }


def plan_of(run: BurstRunRecord, policy: AddressPolicy | None = None) -> BurstPlan:
    """The plan a run fires (the address policy in force now when given: a resume obeys today's rules)."""
    stored = run.plan
    context = stored.get("context") or {}
    timeouts = stored.get("timeouts") or {}
    stored_policy = stored.get("policy") or {}
    return BurstPlan(
        request=stored.get("request") or {},
        context=FireContext(str(context.get("app_id", "1000001")), str(context.get("app_version", "1.0")),
                            params={str(k): str(v) for k, v in (context.get("params") or {}).items()}),
        url=stored.get("url"),
        timeouts=Timeouts(float(timeouts.get("connect", 5.0)), float(timeouts.get("total", 10.0))),
        policy=policy or AddressPolicy(str(stored_policy.get("mode", "local")),
                                       tuple(stored_policy.get("allowlist") or ())),
        key_secret=unseal(str(stored["key_secret"]), run.id) if stored.get("key_secret") else None,
    )


def create_run(store: Store, spec: BurstSpec, run_id: str | None = None) -> str:
    """Record the run before anything is fired; its id."""
    problems = check_spec(spec)
    if problems:
        raise BurstError(" ".join(problems))
    run_id = run_id or new_burst_id()
    installations = None if spec.installations is None else [[str(i), str(p)] for i, p in spec.installations]
    total = spec.total if installations is None else len(installations)
    plan = {**_plan_to_stored(spec), "key_secret": seal(new_run_secret(), run_id)}
    store.bursts.create(run_id, app_ref=spec.app_ref, app_name=spec.app_name, target_kind=spec.target_kind,
                        url=spec.shown_url, plan=plan, installations=installations, total=total,
                        concurrency=spec.concurrency)
    return run_id


# ---------------------------------------------------------------- interrupted runs


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return True


def mark_interrupted(store: Store, stale_after_s: float = STALE_AFTER_S) -> list[str]:
    """Find runs whose process is gone (dead pid here, or no heartbeat for a while) and say so."""
    now = datetime.now(UTC)
    host = socket.gethostname()
    gone = []
    for run in store.bursts.active():
        beat = run.heartbeat_at or run.created_at
        if run.status == "running" and run.host == host and run.pid and not _alive(run.pid):
            gone.append(run.id)
        elif now - beat > timedelta(seconds=stale_after_s):
            gone.append(run.id)
    store.bursts.mark_interrupted(gone)
    return gone


# ---------------------------------------------------------------- executing


def _missing(store: Store, run: BurstRunRecord, explicit: list[list[str]] | None
             ) -> tuple[list[Range], list[Installation]]:
    """The installations with no stored result: ranges of generated ones, or explicit ones."""
    ranges: list[Range] = []
    items: list[Installation] = []
    start = 0
    for seq in [*store.bursts.stored_seqs(run.id), run.total]:
        if seq > start:
            if explicit is None:
                ranges.append((start, seq))
            else:
                items.extend(Installation(i, explicit[i][0], explicit[i][1]) for i in range(start, seq))
        start = seq + 1
    return ranges, items


def default_workers(count: int) -> int:
    """Worker processes for ``count`` installations: one per CPU for a big burst (measured, bench/burst.py)."""
    if count < WORKERS_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def execute_run(store: Store, run_id: str, *, workers: int | None = None, policy: AddressPolicy | None = None,
                on_progress: Callable[[BurstProgress], None] | None = None) -> BurstReport:
    """Fire every installation of the run that has no result yet, storing results in batches. The report."""
    run = store.bursts.get(run_id)
    if run is None:
        raise BurstError(f"There is no burst run {run_id!r}. `python -m console burst …` prints the id of each run.")
    if run.status == "done":
        raise BurstError(f"The burst run {run_id} is finished: every installation has a result. Nothing to resume.")
    try:
        plan = plan_of(run, policy)
    except RunSecretError as exc:
        raise BurstError(str(exc)) from None
    if not store.bursts.claim(run_id, socket.gethostname(), os.getpid(), STALE_AFTER_S):
        raise BurstError(f"The burst run {run_id} is running in process {run.pid} on {run.host}; cancel it, or "
                         "wait for it to finish, before resuming it.")
    status: str = "failed"
    message: str | None = "The burst stopped on an unexpected error."
    elapsed = run.elapsed_s
    try:
        store.bursts.start_session(run_id)
        status, message, elapsed = _session(store, run, plan, workers, on_progress)
    except KeyboardInterrupt:
        status, message = "interrupted", "Stopped with Ctrl-C: resume it to fire the installations without a result."
        store.bursts.finish(run_id, status, elapsed, None, message)
        raise
    except BaseException:
        store.bursts.finish(run_id, status, elapsed, None, message)
        raise
    final = store.bursts.get(run_id)
    assert final is not None
    return report_of(final)


def _session(store: Store, run: BurstRunRecord, plan: BurstPlan, workers: int | None,
             on_progress: Callable[[BurstProgress], None] | None) -> tuple[str, str | None, float]:
    """One session of a run: fire what has no result, store it, finish the run. (status, message, elapsed)."""
    explicit = store.bursts.installations(run.id)
    ranges, items = _missing(store, run, explicit)
    resent = int(run.plan.get("resent") or 0) + _resent(run.plan.get("started") or [], ranges, items)
    store.bursts.update_plan(run.id, {"resent": resent})

    def page_of(seq: int) -> tuple[str | None, str]:
        if explicit is None:
            return None, generated_page_id(seq)
        return explicit[seq][0], explicit[seq][1]

    count = sum(b - a for a, b in ranges) + len(items)
    chosen = workers or default_workers(count)
    cancel = [False]
    clock = {"ready": time.monotonic()}
    before = [tuple(r) for r in run.plan.get("started") or []]

    def mark_started(granted: list[Range]) -> None:  # before a worker may send them: what a resume may send again
        store.bursts.update_plan(run.id, {"started": _merged(before + granted)})

    engine = BurstWorkers(plan, ranges, items, run.concurrency, chosen, should_stop=lambda: cancel[0],
                          on_ready=lambda: clock.__setitem__("ready", time.monotonic()), on_grant=mark_started)
    cancelled = _store_batches(store, run.id, engine.batches(), page_of, cancel, on_progress)
    elapsed = run.elapsed_s + (time.monotonic() - clock["ready"])
    stored = store.bursts.result_count(run.id)
    if stored >= run.total:
        status, message = "done", stopped_target_hint(store, run, run.target_kind == "sample" or is_sample_url(run.url))
        store.bursts.update_plan(run.id, {}, drop=("key_secret", "started"))  # the keys cannot be derived again
    elif cancelled:
        status, message = "cancelled", "Cancelled: resume it to fire the installations without a result."
    else:
        status, message = "failed", (f"{run.total - stored:,} installations have no result (a worker process "
                                     "stopped); resume the run to fire them.")
    rss = engine.stats.max_rss_kb / 1024 if engine.stats.max_rss_kb else None
    summary = {**summarize(store, run.id, elapsed, chosen, rss), "resent": resent}
    store.bursts.finish(run.id, status, elapsed, summary, message)
    return status, message, elapsed


def _merged(ranges: Sequence[Sequence[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for start, stop in sorted((int(a), int(b)) for a, b in ranges):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], stop)
        else:
            out.append([start, stop])
    return out


def _resent(started: Sequence[Sequence[int]], ranges: Sequence[Range], items: Sequence[Installation]) -> int:
    """How many of the installations about to be fired had been taken by a session that was interrupted."""
    marks = _merged(started)
    count = 0
    for start, stop in ranges:
        count += sum(max(0, min(stop, b) - max(start, a)) for a, b in marks)
    count += sum(1 for item in items if any(a <= item.seq < b for a, b in marks))
    return count


def _store_batches(store: Store, run_id: str, batches: Iterator[list[ResultRow]],
                   page_of: Callable[[int], tuple[str | None, str]], cancel: list[bool],
                   on_progress: Callable[[BurstProgress], None] | None) -> bool:
    """Store results as they come (batched), beat the heartbeat, pass on a cancel. True when cancelled."""
    pending: list[ResultRow] = []
    counts: dict[str, int] = {}
    last_insert = last_beat = time.monotonic()

    def insert() -> None:
        nonlocal pending, counts, last_insert
        if pending:
            store.bursts.add_results(run_id, pending, page_of, counts)
            pending, counts = [], {}
            if on_progress is not None:
                run = store.bursts.get(run_id)
                if run is not None:
                    on_progress(progress_of(run))
        last_insert = time.monotonic()

    for batch in batches:
        pending.extend(batch)
        for row in batch:
            counts[row[4]] = counts.get(row[4], 0) + 1
        now = time.monotonic()
        if len(pending) >= INSERT_ROWS or (pending and now - last_insert >= INSERT_SECONDS):
            insert()
        if now - last_beat >= HEARTBEAT_S:
            last_beat = now
            if store.bursts.heartbeat(run_id):
                cancel[0] = True
    insert()
    return cancel[0]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m console.burst_run RUN_ID``: execute (or resume) a run in this process."""
    from console.config import allowed_hosts, console_mode, database_url
    from console.store import open_store

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m console.burst_run RUN_ID", file=sys.stderr)
        return 2
    store = open_store(database_url())
    try:
        execute_run(store, args[0], policy=AddressPolicy(console_mode(), allowed_hosts()))
    except BurstError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
