"""Alembic environment: runs on the connection `db.migrate` hands over, never on its own URL."""

from __future__ import annotations

from alembic import context

from vibe_quality_searcharr.db.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `vqs db upgrade`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
