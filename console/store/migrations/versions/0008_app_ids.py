"""App IDs are unique (an index, so two processes cannot both take one), and on SQLite an app's id
is never reused after it is deleted (AUTOINCREMENT), so a link to ?app=N keeps meaning one app.

Apps that already share an App ID (the first release let a double click make twins) keep the
oldest one; the others get "-<id>" appended, which the Home page lets the user change.

Revision ID: 0008_app_ids
Revises: 0007_team
"""

from __future__ import annotations

from alembic import op

revision = "0008_app_ids"
down_revision = "0007_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE apps SET app_id = substr(app_id, 1, 50) || '-' || CAST(id AS VARCHAR(12)) "
               "WHERE id NOT IN (SELECT MIN(id) FROM apps GROUP BY app_id)")
    op.drop_index("ix_apps_app_id", table_name="apps")
    if op.get_context().dialect.name == "sqlite":
        with op.batch_alter_table("apps", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
    op.create_index("ix_apps_app_id", "apps", ["app_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_apps_app_id", table_name="apps")
    op.create_index("ix_apps_app_id", "apps", ["app_id"])
