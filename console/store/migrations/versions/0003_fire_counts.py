"""Per-day fire counts (History's totals and breakdown in constant time), filled from existing fires.

Revision ID: 0003_fire_counts
Revises: 0002_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_fire_counts"
down_revision = "0002_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fire_counts",
        sa.Column("app_ref", sa.Integer, primary_key=True),
        sa.Column("target_kind", sa.String(10), primary_key=True),
        sa.Column("source", sa.String(20), primary_key=True),
        sa.Column("category", sa.String(20), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    day = "date(fired_at)" if op.get_context().dialect.name == "sqlite" else "(fired_at AT TIME ZONE 'UTC')::date"
    op.execute(
        "INSERT INTO fire_counts (app_ref, target_kind, source, category, day, count) "
        f"SELECT COALESCE(app_ref, 0), target_kind, source, category, {day}, COUNT(*) FROM fires "
        f"GROUP BY COALESCE(app_ref, 0), target_kind, source, category, {day}"
    )


def downgrade() -> None:
    op.drop_table("fire_counts")
