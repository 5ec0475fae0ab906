"""The installations aggregate: an app's sandbox review state, its installations and their App Keys.

Keys are stored only as SHA-256 hashes (computed above this layer) with a fingerprint to show;
the plain key never reaches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.store.schema import installations, sandbox_apps, sandbox_keys

INSTALLED, UNINSTALLED = "installed", "uninstalled"
ACTIVE, REPLACED = "active", "replaced"


@dataclass(frozen=True)
class SandboxAppRow:
    app_ref: int
    live_scopes: tuple[str, ...]
    pending_scopes: tuple[str, ...] | None
    review_state: str
    replaced_key_rule: bool
    rate_limits: bool
    updated_at: datetime


@dataclass(frozen=True)
class InstallationRecord:
    id: int
    app_ref: int
    page_id: str
    status: str
    key_fingerprint: str
    fire_url: str | None
    delivery: str
    last_fire_ref: int | None
    installed_at: datetime
    updated_at: datetime

    @property
    def installed(self) -> bool:
        return self.status == INSTALLED


@dataclass(frozen=True)
class KeyLookup:
    """What a presented key hash belongs to."""

    installation: InstallationRecord
    key_state: str  # active | replaced
    key_fingerprint: str


def _app_row(row: Any) -> SandboxAppRow:
    return SandboxAppRow(row.app_ref, tuple(row.live_scopes or ()),
                         None if row.pending_scopes is None else tuple(row.pending_scopes), row.review_state,
                         bool(row.replaced_key_rule), bool(row.rate_limits), row.updated_at)


def _installation(row: Any) -> InstallationRecord:
    return InstallationRecord(row.id, row.app_ref, row.page_id, row.status, row.key_fingerprint, row.fire_url,
                              row.delivery, row.last_fire_ref, row.installed_at, row.updated_at)


class Installations:
    def __init__(self, engine: Engine):
        self.engine = engine

    # ------------------------------------------------------------ the app's sandbox state

    def sandbox_app(self, app_ref: int) -> SandboxAppRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sandbox_apps).where(sandbox_apps.c.app_ref == app_ref)).first()
        return None if row is None else _app_row(row)

    def ensure_sandbox_app(self, app_ref: int, live_scopes: Sequence[str]) -> SandboxAppRow:
        """The app's sandbox state, created (live with ``live_scopes``) when it has none yet."""
        found = self.sandbox_app(app_ref)
        if found is not None:
            return found
        try:
            with self.engine.begin() as conn:
                conn.execute(sandbox_apps.insert().values(
                    app_ref=app_ref, live_scopes=list(live_scopes), pending_scopes=None, review_state="live",
                    replaced_key_rule=True, rate_limits=False, updated_at=datetime.now(UTC)))
        except sa.exc.IntegrityError:
            pass  # another process made it first
        made = self.sandbox_app(app_ref)
        assert made is not None
        return made

    def update_sandbox_app(self, app_ref: int, **values: Any) -> None:
        allowed = {"live_scopes", "pending_scopes", "review_state", "replaced_key_rule", "rate_limits"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not sandbox app columns: {sorted(unknown)}")
        if "live_scopes" in values:
            values["live_scopes"] = list(values["live_scopes"])
        if values.get("pending_scopes") is not None:
            values["pending_scopes"] = list(values["pending_scopes"])
        with self.engine.begin() as conn:
            conn.execute(sandbox_apps.update().where(sandbox_apps.c.app_ref == app_ref).values(
                **values, updated_at=datetime.now(UTC)))

    # ------------------------------------------------------------ installations

    def get(self, installation_id: int) -> InstallationRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(installations).where(installations.c.id == installation_id)).first()
        return None if row is None else _installation(row)

    def for_app(self, app_ref: int, newest: int | None = None) -> list[InstallationRecord]:
        """The app's installations, oldest first (only the ``newest`` ones when given)."""
        query = sa.select(installations).where(installations.c.app_ref == app_ref)
        if newest is not None:
            query = query.order_by(installations.c.id.desc()).limit(newest)
        with self.engine.connect() as conn:
            return sorted((_installation(r) for r in conn.execute(query)), key=lambda i: i.id)

    def counts(self, app_ref: int) -> tuple[int, int]:
        """(installations, installed ones whose delivery failed or is pending), counted on indexes."""
        undelivered = (installations.c.status == INSTALLED) & installations.c.delivery.in_(("failed", "pending"))
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(installations)
                                 .where(installations.c.app_ref == app_ref)).scalar_one()
            waiting = conn.execute(sa.select(sa.func.count()).select_from(installations)
                                   .where(installations.c.app_ref == app_ref, undelivered)).scalar_one()
        return int(total), int(waiting)

    def insert(self, *, app_ref: int, page_id: str, key_hash: str, key_fingerprint: str, fire_url: str | None,
               delivery: str) -> int:
        """A new installation with its first key, in one transaction."""
        stamp = datetime.now(UTC)
        with self.engine.begin() as conn:
            new_id = conn.execute(installations.insert().values(
                app_ref=app_ref, page_id=page_id, status=INSTALLED, key_fingerprint=key_fingerprint,
                fire_url=fire_url, delivery=delivery, last_fire_ref=None, installed_at=stamp, updated_at=stamp,
            )).inserted_primary_key
            assert new_id is not None
            self._add_key(conn, int(new_id[0]), key_hash, key_fingerprint, stamp)
        return int(new_id[0])

    @staticmethod
    def _add_key(conn: Connection, installation_id: int, key_hash: str, key_fingerprint: str,
                 stamp: datetime) -> None:
        conn.execute(sandbox_keys.update().where(sandbox_keys.c.installation_ref == installation_id)
                     .where(sandbox_keys.c.state == ACTIVE).values(state=REPLACED))
        conn.execute(sandbox_keys.insert().values(key_hash=key_hash, installation_ref=installation_id,
                                                  key_fingerprint=key_fingerprint, state=ACTIVE, created_at=stamp))

    def replace_key(self, installation_id: int, *, key_hash: str, key_fingerprint: str, delivery: str,
                    status: str = INSTALLED, fire_url: str | None = None, keep_url: bool = True) -> bool:
        """A new active key (the old one is kept as replaced); False when there is no such installation."""
        stamp = datetime.now(UTC)
        values: dict[str, Any] = {"key_fingerprint": key_fingerprint, "delivery": delivery, "status": status,
                                  "updated_at": stamp}
        if not keep_url:
            values["fire_url"] = fire_url
        with self.engine.begin() as conn:
            changed = conn.execute(installations.update().where(installations.c.id == installation_id)
                                   .values(**values)).rowcount
            if not changed:
                return False
            self._add_key(conn, installation_id, key_hash, key_fingerprint, stamp)
        return True

    def rescope_and_rekey(self, app_ref: int, sandbox_values: dict[str, Any],
                          make_key: Callable[[int], tuple[str, str]]) -> list[int]:
        """In one transaction: the app's sandbox state changes (e.g. its live scopes) and every installed
        installation gets a new active key (``make_key(installation_id)`` gives its hash and fingerprint;
        the old key becomes replaced), so no call sees the new scopes with a key being replaced.
        The ids of the re-keyed installations, in order."""
        stamp = datetime.now(UTC)
        values = dict(sandbox_values)
        for column in ("live_scopes", "pending_scopes"):
            if values.get(column) is not None:
                values[column] = list(values[column])
        with self.engine.begin() as conn:
            # the app's row first: the write lock (SQLite) or row lock (PostgreSQL) orders concurrent re-keys
            conn.execute(sandbox_apps.update().where(sandbox_apps.c.app_ref == app_ref)
                         .values(**values, updated_at=stamp))
            ids = [int(r.id) for r in conn.execute(
                sa.select(installations.c.id).where(installations.c.app_ref == app_ref,
                                                    installations.c.status == INSTALLED).order_by(installations.c.id))]
            for installation_id in ids:
                new_hash, fingerprint = make_key(installation_id)
                conn.execute(installations.update().where(installations.c.id == installation_id).values(
                    key_fingerprint=fingerprint, delivery="pending", updated_at=stamp))
                self._add_key(conn, installation_id, new_hash, fingerprint, stamp)
        return ids

    def set_status(self, installation_id: int, status: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(installations.update().where(installations.c.id == installation_id)
                                     .values(status=status, updated_at=datetime.now(UTC))).rowcount)

    def set_delivery(self, installation_id: int, delivery: str, fire_ref: int | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(installations.update().where(installations.c.id == installation_id).values(
                delivery=delivery, last_fire_ref=fire_ref, updated_at=datetime.now(UTC)))

    # ------------------------------------------------------------ keys

    def lookup_call(self, key_hash: str) -> tuple[KeyLookup, SandboxAppRow | None] | None:
        """The key's installation and its app's sandbox state, read in one statement (one snapshot):
        a call never pairs a key's old state with scopes changed in the same re-keying."""
        query = sa.select(installations, sandbox_keys.c.state.label("key_state"),
                          sandbox_keys.c.key_fingerprint.label("presented_fingerprint"),
                          *[c.label(f"sandbox_{c.name}") for c in sandbox_apps.c]) \
            .join(sandbox_keys, sandbox_keys.c.installation_ref == installations.c.id) \
            .outerjoin(sandbox_apps, sandbox_apps.c.app_ref == installations.c.app_ref) \
            .where(sandbox_keys.c.key_hash == key_hash)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        found = KeyLookup(_installation(row), row.key_state, row.presented_fingerprint)
        if row.sandbox_app_ref is None:
            return found, None
        state = SandboxAppRow(row.sandbox_app_ref, tuple(row.sandbox_live_scopes or ()),
                              None if row.sandbox_pending_scopes is None else tuple(row.sandbox_pending_scopes),
                              row.sandbox_review_state, bool(row.sandbox_replaced_key_rule),
                              bool(row.sandbox_rate_limits), row.sandbox_updated_at)
        return found, state
