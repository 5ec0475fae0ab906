"""The database schema (SQLAlchemy Core). Alembic's migrations/ bring a database to it.

Timestamps are timezone-aware UTC (``UTCDateTime``); documents are JSON columns; fires
cascade with their app.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
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


class JSONDocument(sa.types.TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL, as the running console reads and writes them.

    PostgreSQL's type is looked up only on a PostgreSQL connection: importing SQLAlchemy's PostgreSQL
    dialect costs every command tens of milliseconds (it loads asyncio for its asyncpg driver), and
    most commands run on SQLite. The migrations create these columns with their own variant type
    (``migrations/column_types.py``).
    """

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


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
    sa.Column("app_id", sa.String(64), nullable=False),
    sa.Column("version", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("scopes", JSONDocument, nullable=False),
    sa.Column("manifest", JSONDocument, nullable=False),
    sa.Column("settings", JSONDocument, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),  # +1 on every save (a save's base)
    sa.Index("ix_apps_app_id", "app_id", unique=True),  # an App ID names one app
    sqlite_autoincrement=True,  # a deleted app's id is never given to another app (links keep meaning one app)
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
    # sha256 of the App JSON fired with: evidence counts for the App JSON it was gathered at (NULL: not recorded)
    sa.Column("manifest_hash", sa.String(64), nullable=True),
    # History, Home and the Checklist read an app's newest fires, by target, by run, by outcome:
    sa.Index("ix_fires_app_time", "app_ref", "fired_at", "id"),
    sa.Index("ix_fires_app_target_time", "app_ref", "target_kind", "fired_at", "id"),
    sa.Index("ix_fires_app_category", "app_ref", "category"),
    sa.Index("ix_fires_app_source_time", "app_ref", "source", "fired_at", "id"),  # action rehearsals
    sa.Index("ix_fires_run", "run_id", "id"),
    sa.Index("ix_fires_time", "fired_at", "id"),
    sa.Index("ix_fires_manifest_target", "manifest_hash", "target_kind", "fired_at", "id"),
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

# Every saved change of an app's App JSON: who, when, from where (page, import, cli, …), what changed.
app_revisions = sa.Table(  # the app's state at each revision: the base of a three-way merge
    "app_revisions", metadata,
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("state", JSONDocument, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

app_versions = sa.Table(
    "app_versions", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("document", JSONDocument, nullable=False),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("app_ref", "number"),
)

# ---- sandbox (the local ManyChat API): per-app review state, installations, their keys (hashes only),
# the call log and each sandbox page's data.

sandbox_apps = sa.Table(
    "sandbox_apps", metadata,
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("live_scopes", JSONDocument, nullable=False),  # what installations are granted now
    sa.Column("pending_scopes", JSONDocument, nullable=True),  # a public app's version in review
    sa.Column("review_state", sa.String(20), nullable=False),  # live | republish_needed | in_review | rejected
    sa.Column("replaced_key_rule", sa.Boolean, nullable=False),  # a replaced key answers 401
    sa.Column("rate_limits", sa.Boolean, nullable=False),  # per-endpoint limits answer 429
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

installations = sa.Table(
    "installations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("page_id", sa.String(40), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # installed | uninstalled
    sa.Column("key_fingerprint", sa.String(40), nullable=False),  # of the current key
    sa.Column("fire_url", sa.Text, nullable=True),  # where its install request goes (None: auth.request.url)
    sa.Column("delivery", sa.String(12), nullable=False),  # pending | delivered | failed | manual
    sa.Column("last_fire_ref", BigId, sa.ForeignKey("fires.id", ondelete="SET NULL"), nullable=True),
    sa.Column("installed_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_installations_app", "app_ref", "id"),
    sa.Index("ix_installations_app_delivery", "app_ref", "delivery", "status"),  # waiting for a delivery
)

sandbox_keys = sa.Table(
    "sandbox_keys", metadata,
    sa.Column("key_hash", sa.String(64), primary_key=True),  # SHA-256 of the key: the key itself is never stored
    sa.Column("installation_ref", sa.Integer, sa.ForeignKey("installations.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("key_fingerprint", sa.String(40), nullable=False),
    sa.Column("state", sa.String(10), nullable=False),  # active | replaced
    sa.Column("created_at", UTCDateTime, nullable=False),
)

sandbox_calls = sa.Table(
    "sandbox_calls", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("called_at", UTCDateTime, nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(200), nullable=False),
    sa.Column("key_fingerprint", sa.String(40), nullable=True),
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=True),
    sa.Column("installation_ref", sa.Integer, sa.ForeignKey("installations.id", ondelete="SET NULL"),
              nullable=True),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("note", sa.String(300), nullable=False),
    sa.Index("ix_sandbox_calls_app_time", "app_ref", "called_at", "id"),
    sa.Index("ix_sandbox_calls_time", "called_at", "id"),
)

sandbox_pages = sa.Table(
    "sandbox_pages", metadata,
    sa.Column("page_id", sa.String(40), primary_key=True),
    sa.Column("data", JSONDocument, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# A burst: the install request fired for many installations at once (re-keying after new scopes).
# One row per run (its plan, live counters, heartbeat and, once finished, its summary) and one
# small row per installation (never the fires table: a burst is not 100,000 rows of fire history).
burst_runs = sa.Table(
    "burst_runs", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=True),
    sa.Column("app_name", sa.String(200), nullable=False),
    sa.Column("target_kind", sa.String(10), nullable=False),
    sa.Column("url", sa.Text, nullable=False),  # where it fires, as shown (no key: it is a template)
    sa.Column("plan", JSONDocument, nullable=False),  # request template, context, timeouts, policy
    sa.Column("installations", JSONDocument, nullable=True),  # an explicit list [[id, page_id], …] or null
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("concurrency", sa.Integer, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # pending running done cancelled interrupted failed
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("done", sa.Integer, nullable=False, default=0),
    sa.Column("succeeded", sa.Integer, nullable=False, default=0),
    sa.Column("by_category", JSONDocument, nullable=False),
    sa.Column("elapsed_s", sa.Float, nullable=False, default=0.0),  # firing time of finished sessions
    sa.Column("session_started_at", UTCDateTime, nullable=True),
    sa.Column("session_base", sa.Integer, nullable=False, default=0),  # `done` when the session began
    sa.Column("host", sa.String(255), nullable=True),
    sa.Column("pid", sa.Integer, nullable=True),
    sa.Column("heartbeat_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime, nullable=True),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("summary", JSONDocument, nullable=True),  # percentiles, rps, histogram: written when it ends
    sa.Index("ix_burst_runs_app_created", "app_ref", "created_at"),
    sa.Index("ix_burst_runs_created", "created_at"),
)

burst_results = sa.Table(
    "burst_results", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("burst_runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),  # its place in the run: one result each
    sa.Column("installation_id", sa.String(80), nullable=True),  # null for generated installations
    sa.Column("page_id", sa.String(80), nullable=False),
    sa.Column("key_fingerprint", sa.String(40), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("elapsed_ms", sa.Float, nullable=False),
    sa.Column("fired_at", sa.Float, nullable=False),  # epoch seconds (UTC): cheap to write 100,000 of
    sa.Column("message", sa.Text, nullable=True),  # only when the status does not say it
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
