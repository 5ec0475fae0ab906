"""The bursts aggregate: burst runs and the per-installation results of each.

A run is written before it fires; results are inserted in batches, each batch in one
transaction with the run's counters and heartbeat, so the counters always equal the stored
results. Reads for pages are O(1) in the run's size: counters and the summary live on the run row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.schema import burst_results, burst_runs

RESULT_COLUMNS = ("seq", "key_fingerprint", "ok", "status", "category", "elapsed_ms", "fired_at", "message")
ACTIVE = ("pending", "running")


@dataclass(frozen=True)
class BurstRunRecord:
    id: str
    app_ref: int | None
    app_name: str
    target_kind: str
    url: str
    plan: dict[str, Any]
    total: int
    concurrency: int
    status: str
    cancel_requested: bool
    done: int
    succeeded: int
    by_category: dict[str, int]
    elapsed_s: float
    session_started_at: datetime | None
    session_base: int
    host: str | None
    pid: int | None
    heartbeat_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    message: str | None
    summary: dict[str, Any] | None

    @property
    def failed(self) -> int:
        return self.done - self.succeeded


LIST_COLUMNS = tuple(c for c in burst_runs.c if c.name != "installations")


def _record(row: Any) -> BurstRunRecord:
    return BurstRunRecord(**{c.name: row[c.name] for c in LIST_COLUMNS})


class Bursts:
    def __init__(self, engine: Engine):
        self.engine = engine

    # ---- runs

    def create(self, run_id: str, *, app_ref: int | None, app_name: str, target_kind: str, url: str,
               plan: Mapping[str, Any], installations: list[list[str]] | None, total: int, concurrency: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(burst_runs.insert().values(
                id=run_id, app_ref=app_ref, app_name=app_name, target_kind=target_kind, url=url, plan=dict(plan),
                installations=installations, total=total, concurrency=concurrency, status="pending",
                cancel_requested=False, done=0, succeeded=0, by_category={}, elapsed_s=0.0, session_base=0,
                created_at=datetime.now(UTC)))

    def get(self, run_id: str) -> BurstRunRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*LIST_COLUMNS).where(burst_runs.c.id == run_id)).mappings().first()
        return None if row is None else _record(row)

    def installations(self, run_id: str) -> list[list[str]] | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(burst_runs.c.installations).where(burst_runs.c.id == run_id)).scalar()

    def recent(self, app_ref: int | None = None, limit: int = 20) -> list[BurstRunRecord]:
        query = sa.select(*LIST_COLUMNS)
        if app_ref is not None:
            query = query.where(burst_runs.c.app_ref == app_ref)
        query = query.order_by(burst_runs.c.created_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(query).mappings()]

    def active(self) -> list[BurstRunRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*LIST_COLUMNS).where(burst_runs.c.status.in_(ACTIVE))).mappings()
            return [_record(r) for r in rows]

    def claim(self, run_id: str, host: str, pid: int, stale_after_s: float) -> bool:
        """Take the run for this process (not when another live process holds it). True when taken."""
        now = datetime.now(UTC)
        stale = now - timedelta(seconds=stale_after_s)
        with self.engine.begin() as conn:
            result = conn.execute(
                burst_runs.update().where(burst_runs.c.id == run_id).where(
                    sa.or_(burst_runs.c.status != "running", burst_runs.c.heartbeat_at.is_(None),
                           burst_runs.c.heartbeat_at < stale))
                .values(status="running", host=host, pid=pid, heartbeat_at=now, cancel_requested=False,
                        finished_at=None, message=None))
            return result.rowcount == 1

    def start_session(self, run_id: str) -> None:
        """Recount from the stored results (the truth after a crash) and start the firing clock."""
        counts = self.category_counts(run_id)
        done = sum(counts.values())
        with self.engine.begin() as conn:
            conn.execute(burst_runs.update().where(burst_runs.c.id == run_id).values(
                done=done, succeeded=counts.get("ok", 0), by_category=counts, session_base=done,
                session_started_at=datetime.now(UTC), heartbeat_at=datetime.now(UTC)))

    def heartbeat(self, run_id: str) -> bool:
        """Beat; True when someone asked to cancel."""
        with self.engine.begin() as conn:
            conn.execute(burst_runs.update().where(burst_runs.c.id == run_id).values(heartbeat_at=datetime.now(UTC)))
            return bool(conn.execute(sa.select(burst_runs.c.cancel_requested)
                                     .where(burst_runs.c.id == run_id)).scalar())

    def reopen(self, run_id: str) -> bool:
        """A stopped run waits for a process to resume it (shown as starting, not as stopped)."""
        with self.engine.begin() as conn:
            result = conn.execute(burst_runs.update().where(burst_runs.c.id == run_id)
                                  .where(burst_runs.c.status.in_(("cancelled", "interrupted", "failed")))
                                  .values(status="pending", heartbeat_at=datetime.now(UTC), cancel_requested=False,
                                          message=None))
            return result.rowcount == 1

    def request_cancel(self, run_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(burst_runs.update().where(burst_runs.c.id == run_id)
                                  .where(burst_runs.c.status.in_(ACTIVE)).values(cancel_requested=True))
            return result.rowcount == 1

    def finish(self, run_id: str, status: str, elapsed_s: float, summary: Mapping[str, Any] | None,
               message: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(burst_runs.update().where(burst_runs.c.id == run_id).values(
                status=status, elapsed_s=elapsed_s, summary=None if summary is None else dict(summary),
                finished_at=datetime.now(UTC), heartbeat_at=datetime.now(UTC), session_started_at=None,
                message=message))

    def update_plan(self, run_id: str, changes: Mapping[str, Any], drop: Sequence[str] = ()) -> None:
        """Set (and drop) fields of the run's plan, in one transaction."""
        with self.engine.begin() as conn:
            plan = conn.execute(sa.select(burst_runs.c.plan).where(burst_runs.c.id == run_id)).scalar()
            if plan is None:
                return
            merged = {k: v for k, v in {**plan, **changes}.items() if k not in drop}
            conn.execute(burst_runs.update().where(burst_runs.c.id == run_id).values(plan=merged))

    def mark_interrupted(self, run_ids: Sequence[str]) -> int:
        if not run_ids:
            return 0
        with self.engine.begin() as conn:
            result = conn.execute(burst_runs.update().where(burst_runs.c.id.in_(list(run_ids)))
                                  .where(burst_runs.c.status.in_(ACTIVE))
                                  .values(status="interrupted", session_started_at=None,
                                          message="The process running this burst stopped before it finished "
                                                  "(killed, or the machine restarted). Resume it to fire the "
                                                  "installations that have no result yet."))
            return int(result.rowcount or 0)

    def delete(self, run_id: str) -> bool:
        with self.engine.begin() as conn:
            conn.execute(burst_results.delete().where(burst_results.c.run_id == run_id))
            return bool(conn.execute(burst_runs.delete().where(burst_runs.c.id == run_id)).rowcount)

    # ---- results

    def add_results(self, run_id: str, rows: Sequence[Sequence[Any]],
                    page_of: Callable[[int], tuple[str | None, str]], counts: Mapping[str, int]) -> None:
        """Insert result rows (RESULT_COLUMNS order) and add ``counts`` to the run, in one transaction."""
        if not rows:
            return
        values = []
        for row in rows:
            installation_id, page_id = page_of(row[0])
            item = dict(zip(RESULT_COLUMNS, row, strict=True))
            item["run_id"], item["installation_id"], item["page_id"] = run_id, installation_id, page_id
            values.append(item)
        ok = counts.get("ok", 0)
        with self.engine.begin() as conn:
            conn.execute(burst_results.insert(), values)
            current = conn.execute(sa.select(burst_runs.c.by_category).where(burst_runs.c.id == run_id)).scalar() or {}
            merged = {**current, **{k: int(current.get(k, 0)) + v for k, v in counts.items()}}
            conn.execute(burst_runs.update().where(burst_runs.c.id == run_id).values(
                done=burst_runs.c.done + len(rows), succeeded=burst_runs.c.succeeded + ok, by_category=merged,
                heartbeat_at=datetime.now(UTC)))

    def category_counts(self, run_id: str) -> dict[str, int]:
        query = (sa.select(burst_results.c.category, sa.func.count()).where(burst_results.c.run_id == run_id)
                 .group_by(burst_results.c.category))
        with self.engine.connect() as conn:
            return {str(c): int(n) for c, n in conn.execute(query).all()}

    def result_count(self, run_id: str) -> int:
        query = sa.select(sa.func.count()).select_from(burst_results).where(burst_results.c.run_id == run_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def stored_seqs(self, run_id: str, chunk: int = 20_000) -> Iterator[int]:
        """The seq of every stored result, ascending (read in chunks, through the primary key)."""
        last = -1
        while True:
            query = (sa.select(burst_results.c.seq).where(burst_results.c.run_id == run_id)
                     .where(burst_results.c.seq > last).order_by(burst_results.c.seq).limit(chunk))
            with self.engine.connect() as conn:
                seqs = [int(s) for s in conn.execute(query).scalars()]
            yield from seqs
            if len(seqs) < chunk:
                return
            last = seqs[-1]

    def latencies(self, run_id: str, categories: Sequence[str]) -> list[float]:
        """Every latency of the run's results in ``categories``, ascending (read once, when a run ends)."""
        query = (sa.select(burst_results.c.elapsed_ms).where(burst_results.c.run_id == run_id)
                 .where(burst_results.c.category.in_(list(categories))))
        with self.engine.connect() as conn:
            return sorted(float(v) for v in conn.execute(query).scalars())

    def sample_results(self, run_id: str, failed_only: bool = False, limit: int = 20) -> list[dict[str, Any]]:
        """The first results of a run (in installation order), for a table."""
        query = sa.select(burst_results).where(burst_results.c.run_id == run_id)
        if failed_only:
            query = query.where(burst_results.c.ok.is_(False))
        query = query.order_by(burst_results.c.seq).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
