"""The database schema (SQLAlchemy Core). Alembic's migrations/ bring a database to it.

Timestamps are timezone-aware UTC (``UTCDateTime``); documents are JSON columns; fires
cascade with their app.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL (timestamptz)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONDocument = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

apps = sa.Table(
    "apps", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("app_id", sa.String(64), nullable=False, index=True),
    sa.Column("version", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("scopes", JSONDocument, nullable=False),
    sa.Column("manifest", JSONDocument, nullable=False),
    sa.Column("settings", JSONDocument, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

fires = sa.Table(
    "fires", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=True),
    sa.Column("app_name", sa.String(200), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("target_kind", sa.String(10), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("elapsed_ms", sa.Float, nullable=False),
    sa.Column("key_fingerprint", sa.String(40), nullable=False),
    sa.Column("run_id", sa.String(40), nullable=True),
    sa.Column("step", sa.String(40), nullable=True),
    sa.Column("fired_at", UTCDateTime, nullable=False),
    sa.Column("detail", JSONDocument, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False, server_default="local"),  # who fired (team mode)
    # History, Home and the Checklist read an app's newest fires, by target, by run, by outcome:
    sa.Index("ix_fires_app_time", "app_ref", "fired_at", "id"),
    sa.Index("ix_fires_app_target_time", "app_ref", "target_kind", "fired_at", "id"),
    sa.Index("ix_fires_app_category", "app_ref", "category"),
    sa.Index("ix_fires_run", "run_id", "id"),
    sa.Index("ix_fires_time", "fired_at", "id"),
)

# Per-day counts of fires, kept in step with ``fires`` by the store on every insert and delete,
# so History's totals and outcome breakdown cost the same with 100 or 100,000 fires.
# ``app_ref`` 0 stands for fires made without an app (the CLI).
fire_counts = sa.Table(
    "fire_counts", metadata,
    sa.Column("app_ref", sa.Integer, primary_key=True),
    sa.Column("target_kind", sa.String(10), primary_key=True),
    sa.Column("source", sa.String(20), primary_key=True),
    sa.Column("category", sa.String(20), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)


# ---- team mode: people, their signed-in sessions, the gate's failure counts, activity, sign-offs.
# Everything a console process needs to agree on with another process lives here, never in memory.

people = sa.Table(
    "people", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(40), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # sha256 of the invite token
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)

team_sessions = sa.Table(
    "team_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the session's random token
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=True),
    sa.Column("client", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime, nullable=True),
)

gate_failures = sa.Table(
    "gate_failures", metadata,
    sa.Column("client", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failed_at", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime, nullable=True),
)

activity = sa.Table(
    "activity", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("app_ref", sa.Integer, nullable=True),  # kept after the app is deleted: the deletion is activity too
    sa.Column("app_name", sa.String(200), nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("fire_id", sa.BigInteger, nullable=True),
    sa.Column("run_id", sa.String(40), nullable=True),
    sa.Column("signoff_id", sa.Integer, nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_activity_app_time", "app_ref", "at", "id"),
)

signoffs = sa.Table(
    "signoffs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("decision", sa.String(20), nullable=False),  # "approved" | "changes_requested"
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("ready", sa.Boolean, nullable=False),
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("target", sa.String(10), nullable=False),
    sa.Column("for_listing", sa.Boolean, nullable=False),
    sa.Column("manifest_hash", sa.String(64), nullable=False, index=True),
    sa.Column("scopes_hash", sa.String(64), nullable=False),
    sa.Column("evidence", JSONDocument, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_signoffs_app_time", "app_ref", "at", "id"),
)
