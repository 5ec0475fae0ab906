"""The sandbox call log: every call to the local ManyChat API (time, path, key fingerprint,
installation, status, outcome). Lists read newest first through an index; usage is aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.schema import sandbox_calls


@dataclass(frozen=True)
class CallRecord:
    id: int
    called_at: datetime
    method: str
    path: str
    key_fingerprint: str | None
    app_ref: int | None
    installation_ref: int | None
    status: int
    outcome: str
    note: str


class SandboxCalls:
    def __init__(self, engine: Engine):
        self.engine = engine

    def insert(self, row: Mapping[str, Any]) -> int:
        with self.engine.begin() as conn:
            new_id = conn.execute(sandbox_calls.insert().values(**row)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def page(self, app_ref: int | None = None, limit: int = 100, offset: int = 0) -> list[CallRecord]:
        query = sa.select(sandbox_calls)
        if app_ref is not None:
            query = query.where(sandbox_calls.c.app_ref == app_ref)
        query = query.order_by(sandbox_calls.c.called_at.desc(), sandbox_calls.c.id.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [CallRecord(r.id, r.called_at, r.method, r.path, r.key_fingerprint, r.app_ref,
                               r.installation_ref, r.status, r.outcome, r.note) for r in conn.execute(query)]

    def usage(self, app_ref: int) -> list[tuple[str, str, int]]:
        """(path, outcome, count) of the app's calls."""
        query = sa.select(sandbox_calls.c.path, sandbox_calls.c.outcome, sa.func.count()) \
            .where(sandbox_calls.c.app_ref == app_ref) \
            .group_by(sandbox_calls.c.path, sandbox_calls.c.outcome)
        with self.engine.connect() as conn:
            return [(str(p), str(o), int(c)) for p, o, c in conn.execute(query).all()]
