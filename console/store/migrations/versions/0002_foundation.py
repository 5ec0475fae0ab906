"""Foundation: fires cascade with their app, timestamps are aware UTC, documents are JSON, indexes
that serve History, Home and the Checklist; the global "current app" setting is gone (it is
per browser session now).

Revision ID: 0002_foundation
Revises: 0001_first_release
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.store.migrations.column_types import JSONDocument, UTCDateTime

revision = "0002_foundation"
down_revision = "0001_first_release"
branch_labels = None
depends_on = None


def _json(column: str) -> dict[str, object]:
    return {"type_": JSONDocument, "postgresql_using": f"{column}::jsonb"}


def _utc(column: str) -> dict[str, object]:
    return {"type_": UTCDateTime, "postgresql_using": f"{column} AT TIME ZONE 'UTC'"}


def upgrade() -> None:
    # Fires of deleted apps (the first release deleted them by hand) must not break the new key.
    op.execute("UPDATE fires SET app_ref = NULL WHERE app_ref IS NOT NULL AND app_ref NOT IN (SELECT id FROM apps)")
    with op.batch_alter_table("apps", recreate="auto") as batch:
        for column in ("scopes", "manifest", "settings"):
            batch.alter_column(column, existing_type=sa.Text, existing_nullable=False, **_json(column))
        for column in ("created_at", "updated_at"):
            batch.alter_column(column, existing_type=sa.DateTime, existing_nullable=False, **_utc(column))
        batch.create_index("ix_apps_app_id", ["app_id"])
    with op.batch_alter_table("fires", recreate="always") as batch:
        batch.drop_index("ix_fires_app_ref")
        batch.drop_index("ix_fires_category")
        batch.drop_index("ix_fires_run_id")
        batch.drop_index("ix_fires_fired_at")
        batch.alter_column("detail", existing_type=sa.Text, existing_nullable=False, **_json("detail"))
        batch.alter_column("fired_at", existing_type=sa.DateTime, existing_nullable=False, **_utc("fired_at"))
        batch.alter_column("id", existing_type=sa.Integer, type_=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                           existing_nullable=False, autoincrement=True)
        batch.create_foreign_key("fk_fires_app_ref_apps", "apps", ["app_ref"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_fires_app_time", ["app_ref", "fired_at", "id"])
        batch.create_index("ix_fires_app_target_time", ["app_ref", "target_kind", "fired_at", "id"])
        batch.create_index("ix_fires_app_category", ["app_ref", "category"])
        batch.create_index("ix_fires_run", ["run_id", "id"])
        batch.create_index("ix_fires_time", ["fired_at", "id"])
    op.drop_table("settings")


def downgrade() -> None:
    raise RuntimeError("The foundation migration is one-way: restore a backup of the database to go back.")
