"""Alembic environment: runs on the connection that console.store.engine hands over."""

from __future__ import annotations

from alembic import context

from console.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the console always passes its connection
    raise RuntimeError("Run migrations through `python -m console db upgrade`.")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
