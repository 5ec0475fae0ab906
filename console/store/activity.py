"""The activity aggregate: who changed what and when (fires, scopes, App JSON, runs, sign-offs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.schema import activity


@dataclass(frozen=True)
class ActivityRecord:
    id: int
    app_ref: int | None
    app_name: str
    actor: str
    action: str
    summary: str
    fire_id: int | None
    run_id: str | None
    signoff_id: int | None
    at: datetime


class Activity:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, *, app_ref: int | None, app_name: str, actor: str, action: str, summary: str,
               fire_id: int | None = None, run_id: str | None = None, signoff_id: int | None = None) -> int:
        with self.engine.begin() as conn:
            new_id = conn.execute(activity.insert().values(
                app_ref=app_ref, app_name=app_name[:200], actor=actor[:80], action=action, summary=summary,
                fire_id=fire_id, run_id=run_id, signoff_id=signoff_id, at=datetime.now(UTC),
            )).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def for_app(self, app_ref: int | None, limit: int = 200, action: str | None = None, *,
                actions: Sequence[str] = (), actors: Sequence[str] = (), offset: int = 0) -> list[ActivityRecord]:
        """Newest first; ``app_ref`` None = the activity that belongs to no app (CLI fires). ``actions`` and
        ``actors`` (when given) keep only those, in SQL: a filter reaches the whole log, not only its newest page."""
        query = sa.select(activity)
        query = query.where(activity.c.app_ref.is_(None) if app_ref is None else activity.c.app_ref == app_ref)
        if action:
            query = query.where(activity.c.action == action)
        if actions:
            query = query.where(activity.c.action.in_(list(actions)))
        if actors:
            query = query.where(activity.c.actor.in_(list(actors)))
        query = query.order_by(activity.c.at.desc(), activity.c.id.desc()).limit(limit).offset(max(0, offset))
        with self.engine.connect() as conn:
            return [ActivityRecord(r.id, r.app_ref, r.app_name, r.actor, r.action, r.summary, r.fire_id, r.run_id,
                                   r.signoff_id, r.at) for r in conn.execute(query)]

    def recent_actors(self, app_ref: int, newest: int = 500) -> list[str]:
        """Who appears among the app's newest ``newest`` entries (the choices of a "who" filter), sorted."""
        recent = sa.select(activity.c.actor).where(activity.c.app_ref == app_ref) \
            .order_by(activity.c.at.desc(), activity.c.id.desc()).limit(newest).subquery()
        with self.engine.connect() as conn:
            return sorted(str(actor) for actor in conn.execute(sa.select(recent.c.actor).distinct()).scalars())
