"""Is the service running on this data directory? Restore and key rotation must not run then.

Two signs, either one enough: the scheduler's leader lock (`scheduler.lock`, flock-ed by the
process that runs the schedules) is held, or some connection has the database open (see
`sqlite.in_use`, exact for any process including a server with its scheduler off). While the
operation runs, the lock is held here so that a server starting meanwhile does not schedule.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from vibe_quality_searcharr.backups import sqlite
from vibe_quality_searcharr.backups.errors import DatabaseInUse

__all__ = ["exclusive_database"]

_STOP_FIRST = "stop the service first (docker stop / systemctl stop), then run this again"


@contextlib.contextmanager
def exclusive_database(database_path: Path, key_hex: str | None) -> Iterator[bool]:
    """Hold the scheduler lock and check nobody has the database open.

    Yields whether the current database decrypts with `key_hex` (False when it is missing or
    the key is lost: nobody can be using it through the service then either).
    """
    lock_path = database_path.with_name("scheduler.lock")
    database_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise DatabaseInUse(
                f"the service is running (it holds {lock_path}); {_STOP_FIRST}"
            ) from None
        try:
            readable = key_hex is not None and sqlite.decrypts(database_path, key_hex)
            if readable and key_hex is not None and sqlite.in_use(database_path, key_hex):
                raise DatabaseInUse(f"another process has {database_path} open; {_STOP_FIRST}")
            yield readable
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
