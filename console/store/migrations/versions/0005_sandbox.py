"""The ManyChat API sandbox: per-app review state, installations, their App Keys as SHA-256 hashes
(never the keys), the call log and each sandbox page's data.

Revision ID: 0005_sandbox
Revises: 0004_app_versions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.store.migrations.column_types import JSONDocument, UTCDateTime

revision = "0005_sandbox"
down_revision = "0004_app_versions"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sandbox_apps",
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE",
                                                       name="fk_sandbox_apps_app_ref_apps"), nullable=False),
        sa.Column("live_scopes", JSONDocument, nullable=False),
        sa.Column("pending_scopes", JSONDocument, nullable=True),
        sa.Column("review_state", sa.String(20), nullable=False),
        sa.Column("replaced_key_rule", sa.Boolean, nullable=False),
        sa.Column("rate_limits", sa.Boolean, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("app_ref", name="pk_sandbox_apps"),
    )
    op.create_table(
        "installations",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE",
                                                       name="fk_installations_app_ref_apps"), nullable=False),
        sa.Column("page_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("key_fingerprint", sa.String(40), nullable=False),
        sa.Column("fire_url", sa.Text, nullable=True),
        sa.Column("delivery", sa.String(12), nullable=False),
        sa.Column("last_fire_ref", BigId, sa.ForeignKey("fires.id", ondelete="SET NULL",
                                                        name="fk_installations_last_fire_ref_fires"), nullable=True),
        sa.Column("installed_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_installations"),
    )
    op.create_index("ix_installations_app", "installations", ["app_ref", "id"])
    op.create_table(
        "sandbox_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("installation_ref", sa.Integer,
                  sa.ForeignKey("installations.id", ondelete="CASCADE",
                                name="fk_sandbox_keys_installation_ref_installations"), nullable=False),
        sa.Column("key_fingerprint", sa.String(40), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name="pk_sandbox_keys"),
    )
    op.create_index("ix_sandbox_keys_installation_ref", "sandbox_keys", ["installation_ref"])
    op.create_table(
        "sandbox_calls",
        sa.Column("id", BigId, autoincrement=True),
        sa.Column("called_at", UTCDateTime, nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("key_fingerprint", sa.String(40), nullable=True),
        sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE",
                                                       name="fk_sandbox_calls_app_ref_apps"), nullable=True),
        sa.Column("installation_ref", sa.Integer,
                  sa.ForeignKey("installations.id", ondelete="SET NULL",
                                name="fk_sandbox_calls_installation_ref_installations"), nullable=True),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_calls"),
    )
    op.create_index("ix_sandbox_calls_app_time", "sandbox_calls", ["app_ref", "called_at", "id"])
    op.create_index("ix_sandbox_calls_time", "sandbox_calls", ["called_at", "id"])
    op.create_table(
        "sandbox_pages",
        sa.Column("page_id", sa.String(40), nullable=False),
        sa.Column("data", JSONDocument, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("page_id", name="pk_sandbox_pages"),
    )


def downgrade() -> None:
    for table in ("sandbox_pages", "sandbox_calls", "sandbox_keys", "installations", "sandbox_apps"):
        op.drop_table(table)
