"""Column types as the migrations create them.

A JSON column is JSON on SQLite and JSONB on PostgreSQL, declared as a variant: Alembic's batch mode
on SQLite (which rebuilds a table to change a column) copies such a column's text as it is. The
running console reads and writes the same columns through ``console.store.schema.JSONDocument``,
which looks up PostgreSQL's type only on a PostgreSQL connection.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from console.store.schema import BigId, UTCDateTime

__all__ = ["BigId", "JSONDocument", "UTCDateTime"]

JSONDocument = sa.JSON().with_variant(JSONB(), "postgresql")
