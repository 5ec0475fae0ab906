"""The fires aggregate: every install request sent, stored with the key masked.

Lists read only the columns they show (never ``detail``), newest first, through indexes;
counts and breakdowns are aggregated in SQL; inserts are batched in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RowMapping

from console.store.schema import fire_counts, fires


class StoreConflict(ValueError):
    """A write refers to a row that is gone (e.g. an app deleted meanwhile); nothing was written."""

# One fire as the fires table stores it (column name → value; ``detail`` a JSON document).
StoredRow = dict[str, Any]

LIST_COLUMNS = tuple(c for c in fires.c if c.name != "detail")
INSERT_BATCH = 1000


@dataclass(frozen=True)
class FireFilter:
    """Which fires to read: every field narrows; None means any."""

    app_ref: int | None = None
    target_kind: str | None = None
    outcome: str | None = None  # "ok" | "failed" | a category
    since: datetime | None = None
    until: datetime | None = None
    run_id: str | None = None
    source: str | None = None
    answered_categories: tuple[str, ...] | None = None
    url: str | None = None  # fires at exactly this URL (any source: page, CLI, conformance)
    manifest_hash: str | None = None  # fires made with exactly this App JSON (its sha256)
    not_source: str | None = None  # leave out this source (e.g. action rehearsals from install-request evidence)


def _where(query: Any, where: FireFilter) -> Any:
    if where.app_ref is not None:
        query = query.where(fires.c.app_ref == where.app_ref)
    if where.target_kind:
        query = query.where(fires.c.target_kind == where.target_kind)
    if where.outcome == "ok":
        query = query.where(fires.c.ok.is_(True))
    elif where.outcome == "failed":
        query = query.where(fires.c.ok.is_(False))
    elif where.outcome:
        query = query.where(fires.c.category == where.outcome)
    if where.since is not None:
        query = query.where(fires.c.fired_at >= where.since)
    if where.until is not None:
        query = query.where(fires.c.fired_at <= where.until)
    if where.run_id:
        query = query.where(fires.c.run_id == where.run_id)
    if where.source:
        query = query.where(fires.c.source == where.source)
    if where.not_source:
        query = query.where(fires.c.source != where.not_source)
    if where.answered_categories is not None:
        query = query.where(fires.c.category.in_(where.answered_categories))
    if where.url is not None:
        query = query.where(fires.c.url == where.url)
    if where.manifest_hash is not None:
        query = query.where(fires.c.manifest_hash == where.manifest_hash)
    return query


def _day_bounds(where: FireFilter) -> tuple[date | None, date | None] | None:
    """The filter's time range as whole UTC days, or None when it does not fall on day boundaries."""
    since = where.since.astimezone(UTC) if where.since is not None else None
    until = where.until.astimezone(UTC) if where.until is not None else None
    if since is not None and since.time() != time.min:
        return None
    if until is not None and until.time() != time.max:
        return None
    return (since.date() if since else None, until.date() if until else None)


def _counts_where(query: Any, where: FireFilter, days: tuple[date | None, date | None]) -> Any:
    if where.app_ref is not None:
        query = query.where(fire_counts.c.app_ref == where.app_ref)
    if where.target_kind:
        query = query.where(fire_counts.c.target_kind == where.target_kind)
    if where.source:
        query = query.where(fire_counts.c.source == where.source)
    if where.not_source:
        query = query.where(fire_counts.c.source != where.not_source)
    if where.outcome == "ok":
        query = query.where(fire_counts.c.category == "ok")
    elif where.outcome == "failed":
        query = query.where(fire_counts.c.category != "ok")
    elif where.outcome:
        query = query.where(fire_counts.c.category == where.outcome)
    if days[0] is not None:
        query = query.where(fire_counts.c.day >= days[0])
    if days[1] is not None:
        query = query.where(fire_counts.c.day <= days[1])
    return query


def _bump_counts(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add the rows to the per-day counts (in the inserting transaction; keys in a fixed order)."""
    tally = Counter((int(row.get("app_ref") or 0), str(row["target_kind"]), str(row["source"]), str(row["category"]),
                     row["fired_at"].astimezone(UTC).date()) for row in rows)
    values = [{"app_ref": a, "target_kind": t, "source": s, "category": c, "day": d, "count": n}
              for (a, t, s, c, d), n in sorted(tally.items())]
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite as dialect
    else:  # imported only here: SQLAlchemy's PostgreSQL dialect is slow to import
        from sqlalchemy.dialects import postgresql as dialect  # type: ignore[no-redef]
    statement = dialect.insert(fire_counts)
    statement = statement.on_conflict_do_update(
        index_elements=["app_ref", "target_kind", "source", "category", "day"],
        set_={"count": fire_counts.c.count + statement.excluded["count"]})
    conn.execute(statement, values)


def _newest_first(query: Any) -> Any:
    return query.order_by(fires.c.fired_at.desc(), fires.c.id.desc())


class Fires:
    def __init__(self, engine: Engine):
        self.engine = engine

    def insert_many(self, rows: Sequence[Mapping[str, Any]], return_ids: bool = True) -> list[int]:
        """Store fires in one transaction, in batches; their ids in the given order (unless not wanted)."""
        ids: list[int] = []
        if not rows:
            return ids
        try:
            return self._insert_many(rows, return_ids)
        except sa.exc.IntegrityError as exc:
            raise StoreConflict(f"the fires refer to something that no longer exists: {str(exc).splitlines()[0]}"
                                ) from exc

    def _insert_many(self, rows: Sequence[Mapping[str, Any]], return_ids: bool) -> list[int]:
        ids: list[int] = []
        with self.engine.begin() as conn:
            for start in range(0, len(rows), INSERT_BATCH):
                batch = [{"manifest_hash": None, **row} for row in rows[start:start + INSERT_BATCH]]
                if return_ids:
                    result = conn.execute(fires.insert().returning(fires.c.id, sort_by_parameter_order=True), batch)
                    ids.extend(int(r[0]) for r in result)
                else:
                    conn.execute(fires.insert(), batch)
                _bump_counts(conn, batch)
        return ids

    def insert(self, row: Mapping[str, Any]) -> int:
        return self.insert_many([row])[0]

    def get(self, fire_id: int) -> RowMapping | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(fires).where(fires.c.id == fire_id)).mappings().first()

    def count(self, where: FireFilter = FireFilter()) -> int:
        return sum(self.breakdown(where).values())

    def page(self, where: FireFilter = FireFilter(), limit: int = 50, offset: int = 0,
             with_detail: bool = False) -> list[RowMapping]:
        """Newest first, one page; ``detail`` only when asked for."""
        columns = list(fires.c) if with_detail else list(LIST_COLUMNS)
        query = _newest_first(_where(sa.select(*columns), where)).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def in_order(self, where: FireFilter, limit: int = 100) -> list[RowMapping]:
        """Oldest first with detail (a conformance run as it was fired)."""
        query = _where(sa.select(fires), where).order_by(fires.c.id).limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def breakdown(self, where: FireFilter = FireFilter()) -> dict[str, int]:
        """Fires per category: from the per-day counts when the filter allows, else counted in SQL."""
        days = _day_bounds(where)
        if days is not None and where.run_id is None and where.answered_categories is None \
                and where.url is None and where.manifest_hash is None:
            query = _counts_where(sa.select(fire_counts.c.category, sa.func.sum(fire_counts.c.count)), where, days) \
                .group_by(fire_counts.c.category)
        else:
            query = _where(sa.select(fires.c.category, sa.func.count()).select_from(fires), where) \
                .group_by(fires.c.category)
        with self.engine.connect() as conn:
            return {str(category): int(count) for category, count in conn.execute(query).all() if count}

    def latencies(self, where: FireFilter, limit: int = 500) -> list[RowMapping]:
        """The newest ``limit`` fires' time, latency and category (for charts and percentiles)."""
        query = _newest_first(_where(sa.select(fires.c.id, fires.c.fired_at, fires.c.elapsed_ms, fires.c.category),
                                     where)).limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def latest_run_id(self, app_ref: int | None, target_kind: str | None = None, *,
                      manifest_hash: str | None = None) -> str | None:
        where = FireFilter(app_ref=app_ref, target_kind=target_kind, manifest_hash=manifest_hash)
        query = _where(sa.select(fires.c.run_id), where)
        query = _newest_first(query.where(fires.c.run_id.is_not(None))).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()
