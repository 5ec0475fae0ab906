"""Every app carries a revision: each save of its profile, scopes, App JSON or settings adds one,
and keeps the app's state at that revision (who, when), so a save based on an older revision is
merged three-way (base → theirs → mine) or refused when both changed the same field.

Revision ID: 0011_app_revision
Revises: 0010_review
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.store.migrations.column_types import JSONDocument, UTCDateTime

revision = "0011_app_revision"
down_revision = "0010_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "app_revisions",
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("state", JSONDocument, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_revisions")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("revision")
