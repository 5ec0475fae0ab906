"""The fires aggregate: every install request sent, stored with the key masked.

Lists read only the columns they show (never ``detail``), newest first, through indexes;
counts and breakdowns are aggregated in SQL; inserts are batched in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, RowMapping

from console.store.schema import fires

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
    if where.answered_categories is not None:
        query = query.where(fires.c.category.in_(where.answered_categories))
    return query


def _newest_first(query: Any) -> Any:
    return query.order_by(fires.c.fired_at.desc(), fires.c.id.desc())


class Fires:
    def __init__(self, engine: Engine):
        self.engine = engine

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Store fires in one transaction, in batches; their ids in the given order."""
        ids: list[int] = []
        if not rows:
            return ids
        with self.engine.begin() as conn:
            for start in range(0, len(rows), INSERT_BATCH):
                batch = [dict(row) for row in rows[start:start + INSERT_BATCH]]
                result = conn.execute(fires.insert().returning(fires.c.id, sort_by_parameter_order=True), batch)
                ids.extend(int(r[0]) for r in result)
        return ids

    def insert(self, row: Mapping[str, Any]) -> int:
        return self.insert_many([row])[0]

    def get(self, fire_id: int) -> RowMapping | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(fires).where(fires.c.id == fire_id)).mappings().first()

    def count(self, where: FireFilter = FireFilter()) -> int:
        query = _where(sa.select(sa.func.count()).select_from(fires), where)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

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
        query = _where(sa.select(fires.c.category, sa.func.count()).select_from(fires), where) \
            .group_by(fires.c.category)
        with self.engine.connect() as conn:
            return {str(category): int(count) for category, count in conn.execute(query).all()}

    def latencies(self, where: FireFilter, limit: int = 500) -> list[RowMapping]:
        """The newest ``limit`` fires' time, latency and category (for charts and percentiles)."""
        query = _newest_first(_where(sa.select(fires.c.id, fires.c.fired_at, fires.c.elapsed_ms, fires.c.category),
                                     where)).limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def latest_run_id(self, app_ref: int | None, target_kind: str | None = None) -> str | None:
        query = _where(sa.select(fires.c.run_id), FireFilter(app_ref=app_ref, target_kind=target_kind))
        query = _newest_first(query.where(fires.c.run_id.is_not(None))).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()
