"""Each sandbox page's data (page info, tags, fields, flows, growth tools, subscribers) as one document.

A write locks the page's row first (an UPDATE before the read), so two writers never lose each
other's change, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.schema import sandbox_pages

T = TypeVar("T")


class SandboxPages:
    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, page_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            data = conn.execute(sa.select(sandbox_pages.c.data).where(sandbox_pages.c.page_id == page_id)).scalar()
        return None if data is None else dict(data)

    def ensure(self, page_id: str, initial: Callable[[], dict[str, Any]]) -> None:
        """Create the page's data from ``initial()`` when it has none yet."""
        if self.get(page_id) is not None:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(sandbox_pages.insert().values(page_id=page_id, data=initial(),
                                                           updated_at=datetime.now(UTC)))
        except sa.exc.IntegrityError:
            pass  # another process made it first

    def change(self, page_id: str, change: Callable[[dict[str, Any]], tuple[T, bool]]) -> T:
        """Run ``change`` on the page's data under a row lock; it returns (result, changed)."""
        with self.engine.begin() as conn:
            conn.execute(sandbox_pages.update().where(sandbox_pages.c.page_id == page_id)
                         .values(updated_at=datetime.now(UTC)))  # takes the write lock before the read
            data = conn.execute(sa.select(sandbox_pages.c.data).where(sandbox_pages.c.page_id == page_id)).scalar()
            if data is None:
                raise KeyError(page_id)
            document = dict(data)
            result, changed = change(document)
            if changed:
                conn.execute(sandbox_pages.update().where(sandbox_pages.c.page_id == page_id)
                             .values(data=document))
        return result
