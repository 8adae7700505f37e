"""Alembic environment: Earmark always passes an open connection (see storage/migrate.py)."""

from __future__ import annotations

from alembic import context

from storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: let Alembic rebuild tables in batch mode.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
