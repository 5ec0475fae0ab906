"""The schema of the first release, exactly as its create_all made it (naive datetimes, JSON as text).

A database that the first release created has these tables and no alembic_version: the
console stamps it with this revision and upgrades it from here.

Revision ID: 0001_first_release
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_first_release"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "fires",
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
    op.create_table(
        "settings",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("fires")
    op.drop_table("apps")
