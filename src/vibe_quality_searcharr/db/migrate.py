"""Alembic migrations, applied at start and by `vqs db upgrade`.

Two processes may start at once (replicas, or a CLI beside the server), so the upgrade runs under
a lock: a file lock in the data directory for SQLite, an advisory lock for PostgreSQL.

Alembic itself (about 10 MB of memory and a fifth of a second to import) is only loaded when
there is something to migrate: the head is read from the revision scripts' source, and the
current revision from the `alembic_version` table, so a restart at head never imports it.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from vibe_quality_searcharr.db.engine import Database

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "current_revision",
    "downgrade",
    "head_revision",
    "is_current",
    "known_revisions",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
_PG_LOCK_KEY = 0x5651_5300  # "VQS\0": one advisory lock id for migrations


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _declared(script: Path) -> tuple[str, set[str]]:
    """A revision script's own id and the ids it follows, read without importing it."""
    values: dict[str, object] = {}
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(node.value)
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str):
        raise RuntimeError(f"{script.name} declares no revision id")
    parents = {down} if isinstance(down, str) else set(down) if isinstance(down, tuple) else set()
    return revision, parents


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The one revision no other script follows."""
    declared = [_declared(script) for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py"))]
    followed = set().union(*(parents for _, parents in declared))
    heads = [revision for revision, _ in declared if revision not in followed]
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return heads[0]


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every revision this build ships: a database at any other one is from a newer build."""
    return frozenset(_declared(script)[0] for script in (MIGRATIONS_DIR / "versions").glob("*.py"))


def _current(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return found[0] if len(found) == 1 else None


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return _current(connection)


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
        # A migration may wait for another process's migration and may run long: neither the
        # lock nor the statement timeout of the pooled connections applies (`db.engine`).
        connection.execute(text("SET LOCAL lock_timeout = 0"))
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield connection


def upgrade(database: Database, revision: str = "head") -> str | None:
    """Bring the schema to `revision`, exactly once however many processes ask at the same time.

    Returns the revision the schema was at before, as seen under the lock (None: empty).
    """
    if revision == "head":
        current = current_revision(database)
        if current == head_revision():
            return current
    from alembic import command

    with _locked(database) as connection:
        before = _current(connection)
        command.upgrade(_config(connection), revision)
    return before


def downgrade(database: Database, revision: str) -> None:
    """Step the schema back to `revision` ("base" empties it); for tests and emergencies."""
    from alembic import command

    with _locked(database) as connection:
        command.downgrade(_config(connection), revision)
