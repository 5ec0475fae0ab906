"""Reviewing as a team: roles per app, console settings (shared token on/off, separation of duties,
the webhook), comments per checklist item, webhook deliveries, field-level activity detail and
OpenID Connect identities. People invited before keep what they could do: an editor's role for
every app (an admin gives reviewer and admin roles with `team role`).

Revision ID: 0010_review
Revises: 0009_fire_manifest_hash
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from console.store.migrations.column_types import BigId, JSONDocument, UTCDateTime

revision = "0010_review"
down_revision = "0009_fire_manifest_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    roles = op.create_table(
        "app_roles",
        sa.Column("person", sa.String(40), primary_key=True),
        sa.Column("app_ref", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("set_by", sa.String(80), nullable=False),
        sa.Column("set_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "console_settings",
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("value", JSONDocument, nullable=False),
        sa.Column("set_by", sa.String(80), nullable=False),
        sa.Column("set_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE",
                                                      name="fk_review_comments_app_ref_apps"), nullable=False),
        sa.Column("item", sa.String(80), nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("manifest_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("resolved_by", sa.String(80), nullable=True),
        sa.Column("resolved_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_review_comments_app", "review_comments", ["app_ref", "id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("app_ref", sa.Integer, nullable=True),
        sa.Column("destination", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("http_status", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("body", JSONDocument, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "activity_details",
        sa.Column("activity_id", BigId, primary_key=True),
        sa.Column("detail", JSONDocument, nullable=False),
    )
    op.create_table(
        "oidc_identities",
        sa.Column("email", sa.String(254), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE",
                                                         name="fk_oidc_identities_person_id_people"), nullable=False),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
    )
    people = sa.table("people", sa.column("name", sa.String), sa.column("revoked_at", UTCDateTime))
    names = [row[0] for row in op.get_bind().execute(sa.select(people.c.name).where(people.c.revoked_at.is_(None)))]
    if names:
        stamp = datetime.now(UTC)
        op.bulk_insert(roles, [{"person": name, "app_ref": 0, "role": "editor", "set_by": "upgrade",
                                "set_at": stamp} for name in names])


def downgrade() -> None:
    for table in ("oidc_identities", "activity_details", "webhook_deliveries", "review_comments",
                  "console_settings", "app_roles"):
        op.drop_table(table)
