"""The sign-offs aggregate: a reviewer's decision on an app's state, with hashes of what was reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.store.schema import signoffs


@dataclass(frozen=True)
class SignoffRecord:
    id: int
    app_ref: int
    actor: str
    decision: str  # "approved" | "changes_requested"
    comment: str
    ready: bool
    verdict: str
    target: str
    for_listing: bool
    manifest_hash: str
    scopes_hash: str
    evidence: list[dict[str, Any]]
    at: datetime


def _record(row: Any) -> SignoffRecord:
    return SignoffRecord(row.id, row.app_ref, row.actor, row.decision, row.comment, bool(row.ready), row.verdict,
                         row.target, bool(row.for_listing), row.manifest_hash, row.scopes_hash,
                         list(row.evidence or []), row.at)


class Signoffs:
    def __init__(self, engine: Engine):
        self.engine = engine

    def insert(self, *, app_ref: int, actor: str, decision: str, comment: str, ready: bool, verdict: str,
               target: str, for_listing: bool, manifest_hash: str, scopes_hash: str,
               evidence: list[dict[str, Any]], at: datetime | None = None) -> int:
        with self.engine.begin() as conn:
            new_id = conn.execute(signoffs.insert().values(
                app_ref=app_ref, actor=actor[:80], decision=decision, comment=comment, ready=ready, verdict=verdict,
                target=target, for_listing=for_listing, manifest_hash=manifest_hash, scopes_hash=scopes_hash,
                evidence=evidence, at=at or datetime.now(UTC),  # ``at``: a seeded (demo) sign-off
            )).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def for_app(self, app_ref: int, limit: int = 100) -> list[SignoffRecord]:
        """Newest first."""
        query = (sa.select(signoffs).where(signoffs.c.app_ref == app_ref)
                 .order_by(signoffs.c.at.desc(), signoffs.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(query)]

    def apps_with_manifest(self, manifest_hash: str) -> list[int]:
        """The apps with a sign-off of a document with this hash."""
        query = sa.select(signoffs.c.app_ref).where(signoffs.c.manifest_hash == manifest_hash).distinct()
        with self.engine.connect() as conn:
            return sorted(int(r[0]) for r in conn.execute(query))
