"""Persistence with SQLAlchemy Core: apps, fires, settings. SQLite by default.

One place opens the database (``open_store``). App Keys are never stored: fires keep the
key's fingerprint and the request as sent with the key masked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from console.callback import FireResult
from console.profile import AppProfile, check_profile

metadata = sa.MetaData()

apps = sa.Table(
    "apps", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("app_id", sa.String(64), nullable=False),
    sa.Column("version", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False, default="[]"),
    sa.Column("manifest", sa.Text, nullable=False),
    sa.Column("settings", sa.Text, nullable=False, default="{}"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

fires = sa.Table(
    "fires", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_ref", sa.Integer, nullable=True, index=True),
    sa.Column("app_name", sa.String(200), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("target_kind", sa.String(10), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("category", sa.String(20), nullable=False, index=True),
    sa.Column("elapsed_ms", sa.Float, nullable=False),
    sa.Column("key_fingerprint", sa.String(40), nullable=False),
    sa.Column("run_id", sa.String(40), nullable=True, index=True),
    sa.Column("step", sa.String(40), nullable=True),
    sa.Column("fired_at", sa.DateTime, nullable=False, index=True),
    sa.Column("detail", sa.Text, nullable=False),
)

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

STORED_BODY_CHARS = 8 * 1024


class StoreError(ValueError):
    """A change the store refuses; the message says why. Nothing was written."""


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

    @property
    def profile(self) -> AppProfile:
        return AppProfile(self.name, self.app_id, self.version, self.kind)


@dataclass(frozen=True)
class FireRecord:
    id: int
    app_ref: int | None
    app_name: str
    source: str
    target_kind: str
    url: str
    method: str
    ok: bool
    status: int | None
    category: str
    elapsed_ms: float
    key_fingerprint: str
    run_id: str | None
    step: str | None
    fired_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FireFilter:
    """Which fires to list: every field narrows; None means any."""

    app_ref: int | None = None
    target_kind: str | None = None
    outcome: str | None = None  # "ok" | "failed" | a category
    since: datetime | None = None
    until: datetime | None = None
    run_id: str | None = None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _naive(value: datetime) -> datetime:
    return _utc(value).replace(tzinfo=None)


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Apps, fires and settings in one database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        metadata.create_all(engine)

    # ------------------------------------------------------------ settings
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()
        return default if value is None else value

    def set_setting(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(settings.delete().where(settings.c.key == key))
            conn.execute(settings.insert().values(key=key, value=value))

    # ------------------------------------------------------------ apps
    def _app(self, row: Any) -> AppRecord:
        return AppRecord(
            id=row.id, name=row.name, app_id=row.app_id, version=row.version, kind=row.kind,
            scopes=tuple(json.loads(row.scopes)), manifest=json.loads(row.manifest),
            settings=json.loads(row.settings), created_at=_utc(row.created_at), updated_at=_utc(row.updated_at),
        )

    def list_apps(self) -> list[AppRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(apps).order_by(apps.c.name, apps.c.id)).all()
        return [self._app(row) for row in rows]

    def get_app(self, app_ref: int) -> AppRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(apps).where(apps.c.id == app_ref)).first()
        return None if row is None else self._app(row)

    def create_app(self, profile: AppProfile, manifest: dict[str, Any], scopes: Iterable[str] = (),
                   app_settings: dict[str, Any] | None = None) -> AppRecord:
        problems = check_profile(profile)
        if problems:
            raise StoreError(" ".join(problems))
        stamp = _naive(now())
        with self.engine.begin() as conn:
            app_ref = conn.execute(apps.insert().values(
                name=profile.name.strip(), app_id=profile.app_id.strip(), version=profile.version.strip(),
                kind=profile.kind, scopes=json.dumps(list(scopes)), manifest=json.dumps(manifest),
                settings=json.dumps(app_settings or {}), created_at=stamp, updated_at=stamp,
            )).inserted_primary_key[0]
        record = self.get_app(int(app_ref))
        assert record is not None
        return record

    def update_app(self, app_ref: int, *, profile: AppProfile | None = None,
                   manifest: dict[str, Any] | None = None, scopes: Iterable[str] | None = None,
                   app_settings: dict[str, Any] | None = None) -> AppRecord:
        values: dict[str, Any] = {"updated_at": _naive(now())}
        if profile is not None:
            problems = check_profile(profile)
            if problems:
                raise StoreError(" ".join(problems))
            values.update(name=profile.name.strip(), app_id=profile.app_id.strip(),
                          version=profile.version.strip(), kind=profile.kind)
        if manifest is not None:
            values["manifest"] = json.dumps(manifest)
        if scopes is not None:
            values["scopes"] = json.dumps(list(scopes))
        if app_settings is not None:
            values["settings"] = json.dumps(app_settings)
        with self.engine.begin() as conn:
            changed = conn.execute(apps.update().where(apps.c.id == app_ref).values(**values)).rowcount
        if not changed:
            raise StoreError(f"There is no app #{app_ref}; it may have been deleted.")
        record = self.get_app(app_ref)
        assert record is not None
        return record

    def delete_app(self, app_ref: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(fires.delete().where(fires.c.app_ref == app_ref))
            conn.execute(apps.delete().where(apps.c.id == app_ref))

    # ------------------------------------------------------------ fires
    def record_fire(self, result: FireResult, *, app_ref: int | None, app_name: str, source: str,
                    target_kind: str, run_id: str | None = None, step: str | None = None) -> int:
        detail = result.to_dict()
        if detail["response"] is not None:
            detail["response"]["body"] = detail["response"]["body"][:STORED_BODY_CHARS]
        detail["timeline"] = [list(item) for item in result.timeline]
        with self.engine.begin() as conn:
            fire_id = conn.execute(fires.insert().values(
                app_ref=app_ref, app_name=app_name, source=source, target_kind=target_kind,
                url=result.request.url, method=result.request.method, ok=result.ok, status=result.status,
                category=result.category, elapsed_ms=result.elapsed_ms, key_fingerprint=result.key_fingerprint,
                run_id=run_id, step=step, fired_at=_naive(result.fired_at), detail=json.dumps(detail),
            )).inserted_primary_key[0]
        return int(fire_id)

    @staticmethod
    def _fire(row: Any, with_detail: bool = True) -> FireRecord:
        return FireRecord(
            id=row.id, app_ref=row.app_ref, app_name=row.app_name, source=row.source,
            target_kind=row.target_kind, url=row.url, method=row.method, ok=bool(row.ok), status=row.status,
            category=row.category, elapsed_ms=float(row.elapsed_ms), key_fingerprint=row.key_fingerprint,
            run_id=row.run_id, step=row.step, fired_at=_utc(row.fired_at),
            detail=json.loads(row.detail) if with_detail else {},
        )

    @staticmethod
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
            query = query.where(fires.c.fired_at >= _naive(where.since))
        if where.until is not None:
            query = query.where(fires.c.fired_at <= _naive(where.until))
        if where.run_id:
            query = query.where(fires.c.run_id == where.run_id)
        return query

    def get_fire(self, fire_id: int) -> FireRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(fires).where(fires.c.id == fire_id)).first()
        return None if row is None else self._fire(row)

    def count_fires(self, where: FireFilter = FireFilter()) -> int:
        query = self._where(sa.select(sa.func.count()).select_from(fires), where)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def list_fires(self, where: FireFilter = FireFilter(), limit: int = 50, offset: int = 0,
                   with_detail: bool = False) -> list[FireRecord]:
        """Newest first, one page at a time."""
        query = self._where(sa.select(fires), where).order_by(fires.c.fired_at.desc(), fires.c.id.desc())
        with self.engine.connect() as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [self._fire(row, with_detail) for row in rows]

    def outcome_breakdown(self, where: FireFilter = FireFilter()) -> dict[str, int]:
        query = self._where(
            sa.select(fires.c.category, sa.func.count()).select_from(fires), where
        ).group_by(fires.c.category)
        with self.engine.connect() as conn:
            return {category: int(count) for category, count in conn.execute(query).all()}

    def latest_run_id(self, app_ref: int | None, target_kind: str | None = None) -> str | None:
        query = self._where(sa.select(fires.c.run_id), FireFilter(app_ref=app_ref, target_kind=target_kind))
        query = query.where(fires.c.run_id.is_not(None)).order_by(fires.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def app_names(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            return {row.id: row.name for row in conn.execute(sa.select(apps.c.id, apps.c.name))}


def open_store(url: str | None = None) -> Store:
    """Open (and create if needed) the database at ``url`` (default: config.database_url())."""
    from console.config import database_url

    url = url or database_url()
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
    return Store(sa.create_engine(url, **kwargs))
