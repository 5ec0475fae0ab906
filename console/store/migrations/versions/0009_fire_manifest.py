"""Each fire records the sha256 of the App JSON it was fired with, so evidence counts only for the
App JSON (and URL) it was gathered at. Fires stored before have none (NULL): not shown to be current.

Revision ID: 0009_fire_manifest
Revises: 0008_app_ids
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_fire_manifest"
down_revision = "0008_app_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("fires", sa.Column("manifest_hash", sa.String(64), nullable=True))
    op.create_index("ix_fires_manifest_time", "fires", ["manifest_hash", "fired_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_fires_manifest_time", table_name="fires")
    with op.batch_alter_table("fires") as batch:
        batch.drop_column("manifest_hash")
