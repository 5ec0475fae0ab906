"""Each fire keeps the sha256 of the App JSON it fired, so a file's evidence is found by its hash:
`check app.json` counts the fires of that exact document, whichever face fired them.

Revision ID: 0009_fire_manifest_hash
Revises: 0008_app_ids
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_fire_manifest_hash"
down_revision = "0008_app_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fires") as batch:
        batch.add_column(sa.Column("manifest_hash", sa.String(64), nullable=True))
    op.create_index("ix_fires_manifest_target", "fires", ["manifest_hash", "target_kind", "fired_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_fires_manifest_target", table_name="fires")
    with op.batch_alter_table("fires") as batch:
        batch.drop_column("manifest_hash")
