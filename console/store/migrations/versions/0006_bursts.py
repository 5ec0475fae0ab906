"""Bursts: one row per burst run and one small row per installation it re-keyed.

Revision ID: 0006_bursts
Revises: 0005_sandbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.store.migrations.column_types import JSONDocument, UTCDateTime

revision = "0006_bursts"
down_revision = "0005_sandbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "burst_runs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE",
                                                       name="fk_burst_runs_app_ref_apps"), nullable=True),
        sa.Column("app_name", sa.String(200), nullable=False),
        sa.Column("target_kind", sa.String(10), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("plan", JSONDocument, nullable=False),
        sa.Column("installations", JSONDocument, nullable=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("concurrency", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("succeeded", sa.Integer, nullable=False),
        sa.Column("by_category", JSONDocument, nullable=False),
        sa.Column("elapsed_s", sa.Float, nullable=False),
        sa.Column("session_started_at", UTCDateTime, nullable=True),
        sa.Column("session_base", sa.Integer, nullable=False),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("pid", sa.Integer, nullable=True),
        sa.Column("heartbeat_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("summary", JSONDocument, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_burst_runs"),
    )
    op.create_index("ix_burst_runs_app_created", "burst_runs", ["app_ref", "created_at"])
    op.create_index("ix_burst_runs_created", "burst_runs", ["created_at"])
    op.create_table(
        "burst_results",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("burst_runs.id", ondelete="CASCADE",
                                                         name="fk_burst_results_run_id_burst_runs"),
                  nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("installation_id", sa.String(80), nullable=True),
        sa.Column("page_id", sa.String(80), nullable=False),
        sa.Column("key_fingerprint", sa.String(40), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("elapsed_ms", sa.Float, nullable=False),
        sa.Column("fired_at", sa.Float, nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("run_id", "seq", name="pk_burst_results"),
    )


def downgrade() -> None:
    op.drop_table("burst_results")
    op.drop_index("ix_burst_runs_created", "burst_runs")
    op.drop_index("ix_burst_runs_app_created", "burst_runs")
    op.drop_table("burst_runs")
