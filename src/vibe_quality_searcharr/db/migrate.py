"""Alembic migrations, applied at start and by `vqs db upgrade`.

Two processes may start at once (replicas, or a CLI beside the server), so the upgrade runs under
a lock: a file lock in the data directory for SQLite, an advisory lock for PostgreSQL.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from vibe_quality_searcharr.db.engine import Database

__all__ = ["current_revision", "downgrade", "head_revision", "is_current", "upgrade"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_LOCK_KEY = 0x5651_5300  # "VQS\0": one advisory lock id for migrations


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations are shipped"
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(database: Database) -> bool:
    return current_revision(database) == head_revision()


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.touch(mode=0o600, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _locked(database: Database) -> Iterator[Connection]:
    """One transaction holding the migration lock: a file lock for SQLite, an advisory lock
    (released with the transaction) for PostgreSQL."""
    if database.sqlite_path is not None:
        lock = database.sqlite_path.with_name(".migrate.lock")
        with _file_lock(lock), database.engine.begin() as connection:
            yield connection
        return
    with database.engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield connection


def upgrade(database: Database, revision: str = "head") -> str | None:
    """Bring the schema to `revision`, exactly once however many processes ask at the same time.

    Returns the revision the schema was at before, as seen under the lock (None: empty).
    """
    with _locked(database) as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(_config(connection), revision)
    return before


def downgrade(database: Database, revision: str) -> None:
    """Step the schema back to `revision` ("base" empties it); for tests and emergencies."""
    with _locked(database) as connection:
        command.downgrade(_config(connection), revision)
