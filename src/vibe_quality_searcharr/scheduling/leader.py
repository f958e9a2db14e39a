"""Leader election: of several replicas on one database, exactly one runs the schedules.

PostgreSQL: the leader holds a session-level advisory lock on a connection of its own. The lock
lives exactly as long as that connection, so a leader that dies (kill -9, lost network) loses it
the moment PostgreSQL notices the session is gone, and the next replica to try becomes leader:
automatic failover with no lease to tune and no clock to trust. The lock id is derived from the
schema, so installs (or tests) sharing one PostgreSQL database in different schemas do not
block one another.

SQLite is one machine and one file: an exclusive `fcntl` lock on a file beside the database
plays the same role for processes sharing the data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO, Protocol

import structlog
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from vibe_quality_searcharr.db.engine import Database

__all__ = ["FileLeader", "Leader", "PostgresLeader", "leader_for"]

log = structlog.get_logger(__name__)

# The two-key form of pg_try_advisory_lock: (this class of lock, the schema's hash).
_LOCK_CLASS = 0x56515301  # "VQS\1": the scheduler; 0x56515300 is the migration lock


class Leader(Protocol):
    def try_acquire(self) -> bool:
        """Become leader if nobody is; True while this process is the leader."""

    def still_leader(self) -> bool:
        """Check that leadership is still held (the connection or file lock is alive)."""

    def release(self) -> None: ...


class PostgresLeader:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        if self._connection is not None:
            return self.still_leader()
        connection = self._database.engine.connect()
        try:
            acquired = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:cls, hashtext(current_schema()))"),
                    {"cls": _LOCK_CLASS},
                ).scalar()
            )
            connection.commit()
        except SQLAlchemyError:
            connection.close()
            return False
        if not acquired:
            connection.close()
            return False
        self._connection = connection
        log.info("scheduler leadership acquired", backend="postgresql")
        return True

    def still_leader(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        try:
            connection.execute(text("SELECT 1")).scalar()
            connection.commit()
            return True
        except SQLAlchemyError:
            log.warning("scheduler leadership lost: the lock's connection is gone")
            self._drop()
            return False

    def release(self) -> None:
        connection = self._connection
        if connection is None:
            return
        with contextlib.suppress(SQLAlchemyError):
            connection.execute(
                text("SELECT pg_advisory_unlock(:cls, hashtext(current_schema()))"),
                {"cls": _LOCK_CLASS},
            )
            connection.commit()
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                connection.invalidate()  # never hand a lock-holding connection back to the pool
                connection.close()


class FileLeader:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self._path, "a+", encoding="utf-8")  # noqa: SIM115 - held while leader
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def still_leader(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def leader_for(database: Database) -> Leader:
    if database.sqlite_path is not None:
        return FileLeader(database.sqlite_path.with_name("scheduler.lock"))
    return PostgresLeader(database)
