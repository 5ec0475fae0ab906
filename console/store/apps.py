"""The apps aggregate: an app's profile, scopes, App JSON and per-app settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.fires import StoreConflict
from console.store.schema import apps, fire_counts


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
        created_at=row.created_at, updated_at=row.updated_at,
    )


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
               manifest: dict[str, Any], settings: dict[str, Any]) -> int:
        stamp = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(apps.insert().values(
                    name=name, app_id=app_id, version=version, kind=kind, scopes=scopes, manifest=manifest,
                    settings=settings, created_at=stamp, updated_at=stamp,
                )).inserted_primary_key
        except sa.exc.IntegrityError as exc:
            raise StoreConflict(f"App ID {app_id} is taken") from exc
        assert new_id is not None
        return int(new_id[0])

    def update(self, app_ref: int, **values: Any) -> bool:
        """Change the given columns; False when there is no such app."""
        allowed = {"name", "app_id", "version", "kind", "scopes", "manifest", "settings"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not app columns: {sorted(unknown)}")
        try:
            with self.engine.begin() as conn:
                changed = conn.execute(apps.update().where(apps.c.id == app_ref).values(
                    **values, updated_at=datetime.now(UTC))).rowcount
        except sa.exc.IntegrityError as exc:
            raise StoreConflict(f"App ID {values.get('app_id')} is taken") from exc
        return bool(changed)

    def delete(self, app_ref: int) -> bool:
        """Delete the app; its fires go with it (ON DELETE CASCADE), and so do their counts."""
        with self.engine.begin() as conn:  # the app row first: writers of its fires wait on it, not the reverse
            deleted = bool(conn.execute(apps.delete().where(apps.c.id == app_ref)).rowcount)
            conn.execute(fire_counts.delete().where(fire_counts.c.app_ref == app_ref))
            return deleted

    def names(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            return {r.id: r.name for r in conn.execute(sa.select(apps.c.id, apps.c.name).order_by(apps.c.name))}
