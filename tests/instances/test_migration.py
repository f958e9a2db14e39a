"""Migration 0003_instances creates exactly what the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.db.models import metadata

TABLES = {"instance", "instance_health", "instance_health_event"}


def test_migration_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
        present = set(inspect(connection).get_table_names())
    ours = [diff for diff in differences if any(table in str(diff) for table in TABLES)]
    assert ours == []
    assert present >= TABLES
