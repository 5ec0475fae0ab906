"""Team mode: who fired (fires.actor), invited people, signed-in sessions, the gate's failure counts,
the activity log and sign-offs.

Revision ID: 0007_team
Revises: 0006_bursts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.store.migrations.column_types import BigId, JSONDocument, UTCDateTime

revision = "0007_team"
down_revision = "0006_bursts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fires") as batch:
        batch.add_column(sa.Column("actor", sa.String(80), nullable=False, server_default="local"))
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("name", name="uq_people_name"),
        sa.UniqueConstraint("token_hash", name="uq_people_token_hash"),
    )
    op.create_table(
        "team_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE",
                                                         name="fk_team_sessions_person_id_people"), nullable=True),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "gate_failures",
        sa.Column("client", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failed_at", UTCDateTime, nullable=False),
        sa.Column("locked_until", UTCDateTime, nullable=True),
    )
    op.create_table(
        "activity",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("app_ref", sa.Integer, nullable=True),
        sa.Column("app_name", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("fire_id", sa.BigInteger, nullable=True),
        sa.Column("run_id", sa.String(40), nullable=True),
        sa.Column("signoff_id", sa.Integer, nullable=True),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_activity_app_time", "activity", ["app_ref", "at", "id"])
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE",
                                                      name="fk_signoffs_app_ref_apps"), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("ready", sa.Boolean, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("for_listing", sa.Boolean, nullable=False),
        sa.Column("manifest_hash", sa.String(64), nullable=False),
        sa.Column("scopes_hash", sa.String(64), nullable=False),
        sa.Column("evidence", JSONDocument, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_signoffs_manifest_hash", "signoffs", ["manifest_hash"])
    op.create_index("ix_signoffs_app_time", "signoffs", ["app_ref", "at", "id"])


def downgrade() -> None:
    for table in ("signoffs", "activity", "gate_failures", "team_sessions", "people"):
        op.drop_table(table)
    with op.batch_alter_table("fires") as batch:
        batch.drop_column("actor")
