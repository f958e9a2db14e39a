"""What a database exception means for the user: disk full, busy, damaged, missing, unreachable.

SQLite says it with a result code (`sqlite_errorcode`, whose low byte is the primary code),
PostgreSQL with an SQLSTATE; SQLAlchemy wraps both. `classify` looks through the wrapping and
returns a `DatabaseFailure`: a kind for readiness and metrics, and one sentence a user can act on
(it never quotes SQL, parameters or the connection URL, which may hold secrets). Errors that are
not about the database being usable (a constraint violated, a bug in a query) classify as None
and stay what they were: 4xx from their domain, or the 500 with a request id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from vibe_quality_searcharr.db.errors import (
    DatabaseCorrupt,
    DatabaseKeyError,
    DatabaseMissing,
    DatabaseUnavailable,
)
from vibe_quality_searcharr.db.errors import DatabaseError as AppDatabaseError
from vibe_quality_searcharr.observability.redaction import registry

__all__ = [
    "MESSAGES",
    "DatabaseFailure",
    "FailureKind",
    "as_database_error",
    "classify",
    "technical_detail",
]


class FailureKind(StrEnum):
    DISK_FULL = "disk_full"
    BUSY = "busy"
    CORRUPT = "corrupt"
    MISSING = "missing"
    READ_ONLY = "read_only"
    IO_ERROR = "io_error"
    UNREACHABLE = "unreachable"


MESSAGES: dict[FailureKind, str] = {
    FailureKind.DISK_FULL: (
        "The database could not save this: the disk holding the data directory is full. "
        "Nothing was changed. Free some space; the service recovers by itself."
    ),
    FailureKind.BUSY: (
        "The database is busy: another process holds its lock (a backup or maintenance tool, "
        "or a second copy of the service). Nothing was changed. Try again in a moment."
    ),
    FailureKind.CORRUPT: (
        "The database file is damaged. Nothing was changed. Stop the service and restore the "
        "newest backup (vqs restore <backup file>); vqs doctor lists what it found."
    ),
    FailureKind.MISSING: (
        "The database file is missing: it was moved or deleted while the service ran. Nothing "
        "was changed and no empty database was created in its place. Put the file back, or "
        "restore a backup (vqs restore <backup file>) and restart."
    ),
    FailureKind.READ_ONLY: (
        "The database file cannot be written (read-only file or file system). Nothing was "
        "changed. Make the data directory writable by the service's user."
    ),
    FailureKind.IO_ERROR: (
        "The database file could not be read or written (input/output error). Nothing was "
        "changed. Check the disk and the data directory; vqs doctor can help."
    ),
    FailureKind.UNREACHABLE: (
        "The database server does not answer. Nothing was changed. Check that PostgreSQL is "
        "running and reachable; the service reconnects by itself."
    ),
}

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_CODES: dict[int, FailureKind] = {
    5: FailureKind.BUSY,  # SQLITE_BUSY
    6: FailureKind.BUSY,  # SQLITE_LOCKED
    8: FailureKind.READ_ONLY,  # SQLITE_READONLY
    10: FailureKind.IO_ERROR,  # SQLITE_IOERR
    11: FailureKind.CORRUPT,  # SQLITE_CORRUPT
    13: FailureKind.DISK_FULL,  # SQLITE_FULL
    14: FailureKind.MISSING,  # SQLITE_CANTOPEN
    26: FailureKind.CORRUPT,  # SQLITE_NOTADB (SQLCipher: a page failed its HMAC)
}
# PostgreSQL SQLSTATEs: exact codes first, then classes (the first two characters).
_PG_STATES: dict[str, FailureKind] = {
    "53100": FailureKind.DISK_FULL,  # disk_full
    "55P03": FailureKind.BUSY,  # lock_not_available (lock_timeout)
    "57014": FailureKind.BUSY,  # query_canceled (statement_timeout)
    "25006": FailureKind.READ_ONLY,  # read_only_sql_transaction (a standby)
    "XX001": FailureKind.CORRUPT,  # data_corrupted
    "XX002": FailureKind.CORRUPT,  # index_corrupted
    "58030": FailureKind.IO_ERROR,  # io_error
}
_PG_CLASSES: dict[str, FailureKind] = {
    "08": FailureKind.UNREACHABLE,  # connection exceptions
    "57": FailureKind.UNREACHABLE,  # operator intervention: shutdown, terminated backend
    "53": FailureKind.BUSY,  # insufficient resources: too many connections, out of memory
}


@dataclass(frozen=True)
class DatabaseFailure:
    kind: FailureKind
    message: str

    @classmethod
    def of(cls, kind: FailureKind) -> DatabaseFailure:
        return cls(kind, MESSAGES[kind])


def _sqlite_kind(error: BaseException) -> FailureKind | None:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_CODES.get(code & 0xFF)
    return None


def _postgres_kind(error: BaseException) -> FailureKind | None:
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str) and state:
        return _PG_STATES.get(state) or _PG_CLASSES.get(state[:2])
    # psycopg raises OperationalError without an SQLSTATE when no server answered at all.
    if type(error).__name__ == "OperationalError" and type(error).__module__.startswith("psycopg"):
        return FailureKind.UNREACHABLE
    return None


def _own_kind(error: AppDatabaseError) -> FailureKind:
    if isinstance(error, DatabaseMissing):
        return FailureKind.MISSING
    if isinstance(error, DatabaseCorrupt | DatabaseKeyError):
        return FailureKind.CORRUPT
    assert isinstance(error, DatabaseUnavailable | AppDatabaseError)
    return FailureKind.UNREACHABLE


def classify(exc: BaseException) -> DatabaseFailure | None:
    """The failure behind `exc` (or one it wraps), or None when it is not about availability."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, AppDatabaseError):
            # Its own text names paths and settings: for the command line, not for responses.
            return DatabaseFailure.of(_own_kind(current))
        if isinstance(current, PoolTimeout):
            return DatabaseFailure.of(FailureKind.BUSY)
        if isinstance(current, DBAPIError):
            current = current.orig
            continue
        driver_kind = _sqlite_kind(current) or _postgres_kind(current)
        if driver_kind is not None:
            return DatabaseFailure.of(driver_kind)
        current = current.__cause__
    return None


def technical_detail(exc: BaseException) -> str:
    """The driver's own first line, for logs: no SQL statement, no bound parameters (SQLAlchemy's
    text of an error carries both), known secrets scrubbed."""
    inner: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
    lines = str(inner).strip().splitlines()
    text = lines[0] if lines else type(inner).__name__
    return registry.scrub(f"{type(inner).__name__}: {text}")[:300]


def as_database_error(exc: BaseException) -> AppDatabaseError | None:
    """`exc` as the error a command line reports (`Database problem: ...`), or None."""
    if isinstance(exc, AppDatabaseError):
        return exc
    failure = classify(exc)
    if failure is None:
        return None
    kinds: dict[FailureKind, type[AppDatabaseError]] = {
        FailureKind.CORRUPT: DatabaseCorrupt,
        FailureKind.MISSING: DatabaseMissing,
    }
    error_type = kinds.get(failure.kind, DatabaseUnavailable)
    return error_type(f"{failure.message} ({technical_detail(exc)})")
