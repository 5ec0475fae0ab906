"""Reviewing as a team: roles per app, the console's settings, comments per checklist item,
webhook deliveries and OpenID Connect identities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.review_schema import (
    app_roles,
    console_settings,
    oidc_identities,
    review_comments,
    webhook_deliveries,
)
from console.store.schema import people


@dataclass(frozen=True)
class RoleRow:
    person: str
    app_ref: int
    role: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class CommentRecord:
    id: int
    app_ref: int
    item: str
    parent_id: int | None
    actor: str
    body: str
    manifest_hash: str
    at: datetime
    resolved_by: str | None
    resolved_at: datetime | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    event: str
    app_ref: int | None
    destination: str
    outcome: str
    attempts: int
    http_status: int | None
    error: str
    body: dict[str, Any]
    at: datetime


class Roles:
    def __init__(self, engine: Engine):
        self.engine = engine

    def of(self, person: str) -> list[RoleRow]:
        with self.engine.connect() as conn:
            return [RoleRow(r.person, r.app_ref, r.role, r.set_by, r.set_at)
                    for r in conn.execute(sa.select(app_roles).where(app_roles.c.person == person))]

    def all(self) -> list[RoleRow]:
        query = sa.select(app_roles).order_by(app_roles.c.person, app_roles.c.app_ref)
        with self.engine.connect() as conn:
            return [RoleRow(r.person, r.app_ref, r.role, r.set_by, r.set_at) for r in conn.execute(query)]

    def set(self, person: str, app_ref: int, role: str | None, set_by: str) -> str | None:
        """Give ``role`` (None: take the grant away); the role held before, or None."""
        where = sa.and_(app_roles.c.person == person, app_roles.c.app_ref == app_ref)
        with self.engine.begin() as conn:
            before = conn.execute(sa.select(app_roles.c.role).where(where)).scalar()
            conn.execute(app_roles.delete().where(where))
            if role is not None:
                conn.execute(app_roles.insert().values(person=person, app_ref=app_ref, role=role,
                                                       set_by=set_by[:80], set_at=datetime.now(UTC)))
        return None if before is None else str(before)

    def admins(self) -> list[str]:
        query = sa.select(app_roles.c.person).where(app_roles.c.role == "admin").distinct()
        with self.engine.connect() as conn:
            return sorted(str(r[0]) for r in conn.execute(query))


class Settings:
    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, key: str, default: Any = None) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(console_settings.c.value).where(console_settings.c.key == key)).first()
        return default if row is None else row[0]

    def set(self, key: str, value: Any, set_by: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(console_settings.delete().where(console_settings.c.key == key))
            conn.execute(console_settings.insert().values(key=key, value=value, set_by=set_by[:80],
                                                          set_at=datetime.now(UTC)))


def _comment(r: Any) -> CommentRecord:
    return CommentRecord(r.id, r.app_ref, r.item, r.parent_id, r.actor, r.body, r.manifest_hash, r.at,
                         r.resolved_by, r.resolved_at)


class Comments:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, *, app_ref: int, item: str, parent_id: int | None, actor: str, body: str,
            manifest_hash: str) -> int:
        with self.engine.begin() as conn:
            new_id = conn.execute(review_comments.insert().values(
                app_ref=app_ref, item=item, parent_id=parent_id, actor=actor[:80], body=body,
                manifest_hash=manifest_hash, at=datetime.now(UTC))).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def get(self, comment_id: int) -> CommentRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(review_comments).where(review_comments.c.id == comment_id)).first()
        return None if row is None else _comment(row)

    def for_app(self, app_ref: int) -> list[CommentRecord]:
        """Oldest first (threads read top to bottom)."""
        query = sa.select(review_comments).where(review_comments.c.app_ref == app_ref).order_by(review_comments.c.id)
        with self.engine.connect() as conn:
            return [_comment(r) for r in conn.execute(query)]

    def resolve(self, comment_id: int, actor: str) -> bool:
        """Resolve an open thread (its first comment); False when it was already resolved or is gone."""
        with self.engine.begin() as conn:
            done = conn.execute(review_comments.update().where(
                review_comments.c.id == comment_id, review_comments.c.resolved_at.is_(None)).values(
                resolved_by=actor[:80], resolved_at=datetime.now(UTC))).rowcount
        return bool(done)


class Deliveries:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, *, event: str, app_ref: int | None, destination: str, outcome: str, attempts: int,
               http_status: int | None, error: str, body: dict[str, Any]) -> int:
        with self.engine.begin() as conn:
            new_id = conn.execute(webhook_deliveries.insert().values(
                event=event, app_ref=app_ref, destination=destination[:200], outcome=outcome, attempts=attempts,
                http_status=http_status, error=error[:2000], body=body, at=datetime.now(UTC))).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def recent(self, limit: int = 50) -> list[DeliveryRecord]:
        query = sa.select(webhook_deliveries).order_by(webhook_deliveries.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [DeliveryRecord(r.id, r.event, r.app_ref, r.destination, r.outcome, r.attempts, r.http_status,
                                   r.error, dict(r.body), r.at) for r in conn.execute(query)]


class Identities:
    """People who sign in through the identity provider, by the e-mail it vouched for."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def person_for(self, email: str) -> tuple[int, str, datetime | None] | None:
        """(person id, name, revoked_at) of the person with this e-mail."""
        query = (sa.select(people.c.id, people.c.name, people.c.revoked_at)
                 .select_from(oidc_identities.join(people, people.c.id == oidc_identities.c.person_id))
                 .where(oidc_identities.c.email == email.lower()))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (int(row.id), str(row.name), row.revoked_at)

    def link(self, email: str, person_id: int) -> None:
        stamp = datetime.now(UTC)
        with self.engine.begin() as conn:
            done = conn.execute(oidc_identities.update().where(oidc_identities.c.email == email.lower())
                                .values(last_seen=stamp)).rowcount
            if not done:
                conn.execute(oidc_identities.insert().values(email=email.lower(), person_id=person_id,
                                                             first_seen=stamp, last_seen=stamp))

    def emails(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            return {int(r.person_id): str(r.email) for r in conn.execute(sa.select(oidc_identities))}
