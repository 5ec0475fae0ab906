"""The people aggregate: invited people (tokens stored only as hashes) and signed-in sessions
(the gate's failure counts are in gate_attempts). Kept in the database so every console process agrees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.schema import people, team_sessions


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _person(row: sa.Row) -> Person:
    return Person(row.id, row.name, row.created_at, row.created_by, row.revoked_at)


class People:
    def __init__(self, engine: Engine):
        self.engine = engine

    # people ------------------------------------------------------------------------------
    def all(self) -> list[Person]:
        with self.engine.connect() as conn:
            return [_person(r) for r in conn.execute(sa.select(people).order_by(people.c.name))]

    def by_name(self, name: str) -> Person | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(people).where(people.c.name == name)).first()
        return None if row is None else _person(row)

    def active_by_token_hash(self, token_hash: str) -> tuple[Person, str] | None:
        """The active person holding the token with this hash, and the stored hash."""
        query = sa.select(people).where(people.c.token_hash == token_hash, people.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (_person(row), str(row.token_hash))

    def count(self, active_only: bool = False) -> int:
        query = sa.select(sa.func.count()).select_from(people)
        if active_only:
            query = query.where(people.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def invite(self, name: str, token_hash: str, created_by: str) -> Person:
        """A new person, or a revoked one invited again with a new token; ValueError for an active name."""
        stamp = datetime.now(UTC)
        with self.engine.begin() as conn:
            existing = conn.execute(sa.select(people).where(people.c.name == name)).first()
            if existing is not None and existing.revoked_at is None:
                raise ValueError(f"{name} is already invited")
            if existing is None:
                conn.execute(people.insert().values(name=name, token_hash=token_hash, created_at=stamp,
                                                    created_by=created_by))
            else:
                conn.execute(people.update().where(people.c.id == existing.id).values(
                    token_hash=token_hash, created_at=stamp, created_by=created_by, revoked_at=None))
        person = self.by_name(name)
        assert person is not None
        return person

    def revoke(self, name: str) -> bool:
        """Revoke the person's token and end their sessions; False when no active person has this name."""
        stamp = datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(people.c.id).where(people.c.name == name,
                                                            people.c.revoked_at.is_(None))).first()
            if row is None:
                return False
            conn.execute(people.update().where(people.c.id == row.id).values(revoked_at=stamp))
            conn.execute(team_sessions.update().where(team_sessions.c.person_id == row.id,
                                                      team_sessions.c.ended_at.is_(None)).values(ended_at=stamp))
        return True

    # sessions ----------------------------------------------------------------------------
    def start_session(self, token_hash: str, actor: str, person_id: int | None, client: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(team_sessions.insert().values(token_hash=token_hash, actor=actor, person_id=person_id,
                                                       client=client[:200], created_at=datetime.now(UTC)))

    def session_actor(self, token_hash: str, started_after: datetime) -> str | None:
        """Who the session is, while it is open, younger than ``started_after`` and its person not revoked."""
        query = (sa.select(team_sessions.c.actor)
                 .select_from(team_sessions.outerjoin(people, people.c.id == team_sessions.c.person_id))
                 .where(team_sessions.c.token_hash == token_hash, team_sessions.c.ended_at.is_(None),
                        team_sessions.c.created_at > started_after,
                        sa.or_(team_sessions.c.person_id.is_(None), people.c.revoked_at.is_(None))))
        with self.engine.connect() as conn:
            actor = conn.execute(query).scalar()
        return None if actor is None else str(actor)

    def end_session(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(team_sessions.update().where(team_sessions.c.token_hash == token_hash,
                                                      team_sessions.c.ended_at.is_(None))
                         .values(ended_at=datetime.now(UTC)))

    def open_sessions(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(team_sessions)
                                    .where(team_sessions.c.ended_at.is_(None))).scalar() or 0)
