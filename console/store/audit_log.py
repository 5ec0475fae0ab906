"""The audit log: the activity table read with filters and keyset pages (no cap), and each entry's
field-level detail (an App JSON change's diff) kept beside it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.review_schema import activity_details
from console.store.schema import activity


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    actions: tuple[str, ...] = ()
    app_ref: int | None = None
    text: str | None = None  # in the summary


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    app_ref: int | None
    app_name: str
    summary: str
    fire_id: int | None
    run_id: str | None
    signoff_id: int | None
    detail: dict[str, Any] | None


def _where(where: AuditFilter) -> list[Any]:
    clauses: list[Any] = []
    if where.since is not None:
        clauses.append(activity.c.at >= where.since)
    if where.until is not None:
        clauses.append(activity.c.at < where.until)
    if where.actor:
        clauses.append(activity.c.actor == where.actor)
    if where.actions:
        clauses.append(activity.c.action.in_(where.actions))
    if where.app_ref is not None:
        clauses.append(activity.c.app_ref == where.app_ref)
    if where.text:
        escaped = where.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(activity.c.summary.ilike(f"%{escaped}%", escape="\\"))
    return clauses


class AuditLog:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add_detail(self, activity_id: int, detail: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(activity_details.insert().values(activity_id=activity_id, detail=detail))

    def last_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(activity.c.id), 0))).scalar_one())

    def count(self, where: AuditFilter) -> int:
        query = sa.select(sa.func.count()).select_from(activity).where(*_where(where))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def page(self, where: AuditFilter, before_id: int | None = None, size: int = 50) -> list[AuditEntry]:
        """Newest first: up to ``size`` entries older than ``before_id`` (the last id of the previous page)."""
        query = (sa.select(activity, activity_details.c.detail)
                 .select_from(activity.outerjoin(activity_details, activity_details.c.activity_id == activity.c.id))
                 .where(*_where(where)))
        if before_id is not None:
            query = query.where(activity.c.id < before_id)
        query = query.order_by(activity.c.id.desc()).limit(size)
        with self.engine.connect() as conn:
            return [AuditEntry(r.id, r.at, r.actor, r.action, r.app_ref, r.app_name, r.summary, r.fire_id, r.run_id,
                               r.signoff_id, dict(r.detail) if r.detail is not None else None)
                    for r in conn.execute(query)]

    def each(self, where: AuditFilter, chunk: int = 500) -> Iterator[AuditEntry]:
        """Every matching entry, newest first, read a chunk at a time (an export of any size)."""
        before: int | None = None
        while True:
            rows = self.page(where, before, chunk)
            yield from rows
            if len(rows) < chunk:
                return
            before = rows[-1].id
