"""Indexes for the pages' reads, so a page costs the same at any history size: an app's action
rehearsals newest first (Actions, Checklist), and its installations waiting for a delivery (Sandbox).

Revision ID: 0012_read_indexes
Revises: 0011_app_revision
"""

from __future__ import annotations

from alembic import op

revision = "0012_read_indexes"
down_revision = "0011_app_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_fires_app_source_time", "fires", ["app_ref", "source", "fired_at", "id"])
    op.create_index("ix_installations_app_delivery", "installations", ["app_ref", "delivery", "status"])


def downgrade() -> None:
    op.drop_index("ix_installations_app_delivery", "installations")
    op.drop_index("ix_fires_app_source_time", "fires")
