"""The apps aggregate: an app's profile, scopes, App JSON and per-app settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.fires import StoreConflict
from console.store.schema import app_revisions, apps, fire_counts


@dataclass(frozen=True)
class AppRecord:
    id: int
    name: str
    app_id: str
    version: str
    kind: str
    scopes: tuple[str, ...]
    manifest: dict[str, Any]
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    revision: int = 1  # +1 on every save; a save names the revision it was based on


@dataclass(frozen=True)
class RevisionRecord:
    """The app's state at one revision (profile, scopes, manifest, settings), who saved it and when."""

    revision: int
    state: dict[str, Any]
    actor: str
    created_at: datetime


@dataclass(frozen=True)
class AppSummary:
    """What a list of apps shows (the sidebar): no documents read."""

    id: int
    name: str
    app_id: str
    kind: str


def _record(row: Any) -> AppRecord:
    return AppRecord(
        id=row.id, name=row.name, app_id=row.app_id, version=row.version, kind=row.kind,
        scopes=tuple(row.scopes or ()), manifest=dict(row.manifest or {}), settings=dict(row.settings or {}),
        created_at=row.created_at, updated_at=row.updated_at, revision=int(row.revision or 1),
    )


STATE_FIELDS = ("name", "app_id", "version", "kind", "scopes", "manifest", "settings")


def bump_revision(conn: sa.Connection, app_ref: int, actor: str, stamp: datetime) -> int:
    """Inside a write's transaction: the app's next revision, with its state kept (0 when there is no app)."""
    conn.execute(apps.update().where(apps.c.id == app_ref).values(revision=apps.c.revision + 1, updated_at=stamp))
    row = conn.execute(sa.select(apps).where(apps.c.id == app_ref)).first()
    if row is None:
        return 0
    state = {name: getattr(row, name) for name in STATE_FIELDS}
    conn.execute(app_revisions.insert().values(app_ref=app_ref, revision=row.revision, state=state,
                                               actor=actor[:80], created_at=stamp))
    return int(row.revision)


class Apps:
    def __init__(self, engine: Engine):
        self.engine = engine

    def summaries(self) -> list[AppSummary]:
        query = sa.select(apps.c.id, apps.c.name, apps.c.app_id, apps.c.kind).order_by(apps.c.name, apps.c.id)
        with self.engine.connect() as conn:
            return [AppSummary(r.id, r.name, r.app_id, r.kind) for r in conn.execute(query)]

    def get(self, app_ref: int) -> AppRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(apps).where(apps.c.id == app_ref)).first()
        return None if row is None else _record(row)

    def with_app_id(self, app_id: str) -> list[int]:
        with self.engine.connect() as conn:
            return [int(r[0]) for r in conn.execute(sa.select(apps.c.id).where(apps.c.app_id == app_id))]

    def insert(self, *, name: str, app_id: str, version: str, kind: str, scopes: list[str],
               manifest: dict[str, Any], settings: dict[str, Any], actor: str = "console") -> int:
        stamp = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(apps.insert().values(
                    name=name, app_id=app_id, version=version, kind=kind, scopes=scopes, manifest=manifest,
                    settings=settings, created_at=stamp, updated_at=stamp,
                )).inserted_primary_key
                assert new_id is not None
                state = {"name": name, "app_id": app_id, "version": version, "kind": kind, "scopes": scopes,
                         "manifest": manifest, "settings": settings}
                conn.execute(app_revisions.insert().values(app_ref=int(new_id[0]), revision=1, state=state,
                                                           actor=actor[:80], created_at=stamp))
        except sa.exc.IntegrityError as exc:
            raise StoreConflict(f"App ID {app_id} is taken") from exc
        assert new_id is not None
        return int(new_id[0])

    def update(self, app_ref: int, *, actor: str = "console", expect_revision: int | None = None,
               **values: Any) -> bool:
        """Change the given columns (a new revision); False when there is no such app, or when
        ``expect_revision`` is given and the app is no longer at it (another save came first)."""
        allowed = {"name", "app_id", "version", "kind", "scopes", "manifest", "settings"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not app columns: {sorted(unknown)}")
        try:
            with self.engine.begin() as conn:
                where = [apps.c.id == app_ref]
                if expect_revision is not None:
                    where.append(apps.c.revision == expect_revision)
                stamp = datetime.now(UTC)
                changed = conn.execute(apps.update().where(*where).values(**values, updated_at=stamp)).rowcount
                if changed:
                    bump_revision(conn, app_ref, actor, stamp)
        except sa.exc.IntegrityError as exc:
            raise StoreConflict(f"App ID {values.get('app_id')} is taken") from exc
        return bool(changed)

    def revision(self, app_ref: int, revision: int) -> RevisionRecord | None:
        """The app's state at ``revision`` (None when it was not kept: saved before revisions were)."""
        query = sa.select(app_revisions).where(app_revisions.c.app_ref == app_ref,
                                               app_revisions.c.revision == revision)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else RevisionRecord(row.revision, dict(row.state), row.actor, row.created_at)

    def revisions_since(self, app_ref: int, revision: int, limit: int = 500) -> list[RevisionRecord]:
        """The app's kept states from ``revision`` on, oldest first (at most ``limit``)."""
        query = (sa.select(app_revisions).where(app_revisions.c.app_ref == app_ref,
                                                app_revisions.c.revision >= revision)
                 .order_by(app_revisions.c.revision).limit(limit))
        with self.engine.connect() as conn:
            return [RevisionRecord(r.revision, dict(r.state), r.actor, r.created_at) for r in conn.execute(query)]

    def delete(self, app_ref: int) -> bool:
        """Delete the app; its fires go with it (ON DELETE CASCADE), and so do their counts."""
        with self.engine.begin() as conn:  # the app row first: writers of its fires wait on it, not the reverse
            deleted = bool(conn.execute(apps.delete().where(apps.c.id == app_ref)).rowcount)
            conn.execute(fire_counts.delete().where(fire_counts.c.app_ref == app_ref))
            return deleted

    def names(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            return {r.id: r.name for r in conn.execute(sa.select(apps.c.id, apps.c.name).order_by(apps.c.name))}
