"""Tables for reviewing as a team: roles per app, console settings, comments per checklist item,
webhook deliveries, the field-level detail of activity entries and OpenID Connect identities.
(Same metadata as ``schema``; migration 0010_review creates them.)"""

from __future__ import annotations

import sqlalchemy as sa

from console.store.schema import BigId, JSONDocument, UTCDateTime, metadata

app_roles = sa.Table(
    "app_roles", metadata,
    sa.Column("person", sa.String(40), primary_key=True),  # the person's name (people.name)
    sa.Column("app_ref", sa.Integer, primary_key=True),  # 0 = every app
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("set_by", sa.String(80), nullable=False),
    sa.Column("set_at", UTCDateTime, nullable=False),
)

console_settings = sa.Table(
    "console_settings", metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", JSONDocument, nullable=False),
    sa.Column("set_by", sa.String(80), nullable=False),
    sa.Column("set_at", UTCDateTime, nullable=False),
)

review_comments = sa.Table(
    "review_comments", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_ref", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("item", sa.String(80), nullable=False),  # the checklist item's id
    sa.Column("parent_id", sa.Integer, nullable=True),  # the comment this one answers
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("manifest_hash", sa.String(64), nullable=False),  # the App JSON the comment was made on
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("resolved_by", sa.String(80), nullable=True),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    sa.Index("ix_review_comments_app", "app_ref", "id"),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("app_ref", sa.Integer, nullable=True),
    sa.Column("destination", sa.String(200), nullable=False),  # scheme://host:port only: a hook URL's path is a secret
    sa.Column("outcome", sa.String(20), nullable=False),  # "delivered" | "failed"
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("http_status", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("body", JSONDocument, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)

activity_details = sa.Table(
    "activity_details", metadata,
    sa.Column("activity_id", BigId, primary_key=True),
    sa.Column("detail", JSONDocument, nullable=False),  # e.g. {"changes": [{"path", "kind", "old", "new"}]}
)

oidc_identities = sa.Table(
    "oidc_identities", metadata,
    sa.Column("email", sa.String(254), primary_key=True),  # lower-cased, as the identity provider vouched
    sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
)
