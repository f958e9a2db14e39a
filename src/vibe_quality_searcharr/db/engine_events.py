"""The engine hooks behind database failure handling (see `failures` and `failure_memory`).

- `handle_error`: every failing statement, commit or connect is classified; availability
  failures are remembered for readiness. A damaged file also invalidates the whole pool, so no
  connection goes on answering from pages it cached before the damage.
- `begin` / `after_cursor_execute`: whether the transaction wrote anything, so that only a
  write that really reached the database clears a remembered "disk full" or "busy".
- SQLite only, `connect` / `checkout`: the file guard (`file_guard`): a connection is used only
  while the file it opened is still the one at the path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from sqlalchemy.exc import DisconnectionError

from vibe_quality_searcharr.db.failure_memory import FailureMemory
from vibe_quality_searcharr.db.failures import (
    DatabaseFailure,
    FailureKind,
    classify,
    technical_detail,
)
from vibe_quality_searcharr.db.file_guard import IDENTITY_KEY, identity

__all__ = ["WROTE_KEY", "install_failure_hooks", "install_file_guard", "transaction_wrote"]

WROTE_KEY = "vqs_wrote"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def transaction_wrote(connection: Connection) -> bool:
    return bool(connection.info.get(WROTE_KEY, False))


def install_failure_hooks(engine: Engine, memory: FailureMemory) -> None:
    @event.listens_for(engine, "handle_error")
    def _remember(context: ExceptionContext) -> None:
        failure = classify(context.original_exception)
        if failure is None:
            return
        memory.record(failure, technical_detail(context.original_exception))
        if failure.kind is FailureKind.CORRUPT:
            context.is_disconnect = True  # drop every pooled connection: none is to be trusted

    @event.listens_for(engine, "begin")
    def _reset(connection: Connection) -> None:
        connection.info[WROTE_KEY] = False

    @event.listens_for(engine, "after_cursor_execute")
    def _note_write(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(_WRITE_VERBS):
            connection.info[WROTE_KEY] = True


def install_file_guard(engine: Engine, path: Path, memory: FailureMemory) -> None:
    @event.listens_for(engine, "connect")
    def _remember_file(_dbapi_connection: Any, record: Any) -> None:
        record.info[IDENTITY_KEY] = identity(path)

    @event.listens_for(engine, "checkout")
    def _same_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        current = identity(path)
        if record.info.get(IDENTITY_KEY) == current:
            return
        # Close every idle connection on the old file before one opens on the path again:
        # their `-wal` and `-shm` files, found by name, must not be shared with a new file.
        engine.pool.dispose()
        if current is None:
            memory.record(DatabaseFailure.of(FailureKind.MISSING), f"{path} does not exist")
        # SQLAlchemy drops this connection and opens a new one (`mode=rw`): on the file put
        # back or restored, or, when there is none, `DatabaseMissing` from the creator.
        raise DisconnectionError("the database file was removed or replaced")
