"""Migration 0002_users goes up, down and up again on each backend."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database

TABLES = {
    "users",
    "user_sessions",
    "api_tokens",
    "recovery_codes",
    "audit_events",
    "login_throttle",
    "setup_marker",
}


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def test_users_migration_round_trip(database: Database) -> None:
    assert _tables(database) >= TABLES
    with database.engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0001_initial")
    assert not TABLES & _tables(database)
    migrate.upgrade(database)
    assert _tables(database) >= TABLES
    assert migrate.is_current(database)
