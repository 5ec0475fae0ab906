"""App JSON versions: every saved change of an app's document, with who, when, from where and what
changed. Each existing app gets its current document as version 1.

Revision ID: 0004_app_versions
Revises: 0003_fire_counts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.store.migrations.column_types import JSONDocument, UTCDateTime

revision = "0004_app_versions"
down_revision = "0003_fire_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE",
                                                       name="fk_app_versions_app_ref_apps"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("document", JSONDocument, nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_app_versions"),
        sa.UniqueConstraint("app_ref", "number", name="uq_app_versions_app_ref_number"),
    )
    op.execute(
        "INSERT INTO app_versions (app_ref, number, document, author, source, summary, created_at) "
        "SELECT id, 1, manifest, 'console', 'migration', 'the App JSON when versions started', updated_at FROM apps"
    )


def downgrade() -> None:
    op.drop_table("app_versions")
