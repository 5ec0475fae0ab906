"""The versions aggregate: every saved state of an app's App JSON, numbered per app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from console.store.apps import bump_revision
from console.store.schema import app_versions, apps


class _Stale(Exception):
    """The app moved past the revision a save expected."""


@dataclass(frozen=True)
class VersionRecord:
    id: int
    app_ref: int
    number: int
    author: str
    source: str
    summary: str
    created_at: datetime
    document: dict[str, Any] | None = None  # None when a list was read without documents


def _record(row: Any, with_document: bool) -> VersionRecord:
    return VersionRecord(row.id, row.app_ref, row.number, row.author, row.source, row.summary, row.created_at,
                         dict(row.document) if with_document else None)


class Versions:
    def __init__(self, engine: Engine):
        self.engine = engine

    def save(self, app_ref: int, document: dict[str, Any], *, author: str, source: str, summary: str,
             update_app: bool = True, expect_revision: int | None = None) -> int:
        """Store ``document`` as the app's next version (and as its current App JSON, a new app revision),
        in one transaction; the new version's number. 0 when ``expect_revision`` is given and the app is no
        longer at it (another save came first: nothing stored)."""
        for attempt in range(3):
            stamp = datetime.now(UTC)
            try:
                with self.engine.begin() as conn:
                    number = 1 + int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(app_versions.c.number), 0))
                                                  .where(app_versions.c.app_ref == app_ref)).scalar_one())
                    conn.execute(app_versions.insert().values(
                        app_ref=app_ref, number=number, document=document, author=author[:80], source=source[:20],
                        summary=summary, created_at=stamp))
                    if update_app:
                        where = [apps.c.id == app_ref]
                        if expect_revision is not None:
                            where.append(apps.c.revision == expect_revision)
                        if not conn.execute(apps.update().where(*where).values(
                                manifest=document, updated_at=stamp)).rowcount:
                            raise _Stale
                        bump_revision(conn, app_ref, author, stamp)
                return number
            except _Stale:  # the transaction is rolled back: nothing stored
                return 0
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def listing(self, app_ref: int, limit: int = 50) -> list[VersionRecord]:
        """The app's versions, newest first, without their documents."""
        query = (sa.select(app_versions.c.id, app_versions.c.app_ref, app_versions.c.number, app_versions.c.author,
                           app_versions.c.source, app_versions.c.summary, app_versions.c.created_at)
                 .where(app_versions.c.app_ref == app_ref).order_by(app_versions.c.number.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [_record(row, False) for row in conn.execute(query)]

    def get(self, app_ref: int, number: int) -> VersionRecord | None:
        query = sa.select(app_versions).where(app_versions.c.app_ref == app_ref, app_versions.c.number == number)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _record(row, True)

    def count(self, app_ref: int) -> int:
        query = sa.select(sa.func.count()).select_from(app_versions).where(app_versions.c.app_ref == app_ref)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
