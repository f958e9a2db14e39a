"""Readiness probes that tell whether a remembered database failure is over.

A `SELECT 1` succeeds on a full disk and beside another process's write lock, so after such a
failure readiness asks the question that failed: can a transaction that needs new space commit
(`write_probe`: a row of a few pages, inserted and deleted, committed)? SQLite takes the write
lock for it with a short wait (PostgreSQL: a short `lock_timeout`), so the probe answers within a
second even while the lock is held.
A damaged file is checked by `PRAGMA quick_check` on a connection of its own, outside the pool,
whose connections may answer from pages cached before the damage.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import delete, insert, text

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.db.failures import DatabaseFailure, FailureKind, classify
from vibe_quality_searcharr.db.settings_store import AppSetting

__all__ = ["PROBE_KEY", "PROBE_WAIT_MS", "check_recovered"]

PROBE_KEY = "_vqs_write_probe"
PROBE_WAIT_MS = 500
_PROBE_BYTES = 12_000  # three 4 KiB pages: room for a real write, not just an in-place update


def write_probe(database: Database) -> None:
    """Commit a write that needs free pages; raises what the failing write would raise."""
    now = utcnow()
    with database.engine.connect() as connection:
        raw: Any = connection.connection.driver_connection
        sqlite = database.sqlite_path is not None and raw is not None
        if sqlite:
            raw.execute(f"PRAGMA busy_timeout = {PROBE_WAIT_MS}")
        try:
            with connection.begin():
                if database.sqlite_path is None:  # PostgreSQL: a short wait, this transaction only
                    connection.execute(text(f"SET LOCAL lock_timeout = {PROBE_WAIT_MS}"))
                connection.execute(
                    insert(AppSetting).values(
                        key=PROBE_KEY, value="x" * _PROBE_BYTES, created_at=now, updated_at=now
                    )
                )
                connection.execute(delete(AppSetting).where(AppSetting.key == PROBE_KEY))
        finally:
            if sqlite:
                with contextlib.suppress(Exception):
                    raw.execute(f"PRAGMA busy_timeout = {database.busy_timeout_ms}")


def integrity_probe(database: Database) -> None:
    if database.fresh_connection is None:
        database.ping()
        return
    connection = database.fresh_connection()
    try:
        verdict = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
    finally:
        connection.close()
    if verdict != ["ok"]:
        raise RuntimeError(f"quick_check: {'; '.join(verdict[:3])}")


def check_recovered(database: Database) -> DatabaseFailure | None:
    """None when nothing is remembered or the cause is gone (then the memory is cleared), else
    the failure that still holds."""
    remembered = database.failures.last
    if remembered is None:
        return None
    try:
        if remembered.failure.kind is FailureKind.CORRUPT:
            integrity_probe(database)
        else:
            database.ping()
            write_probe(database)
    except Exception as exc:
        return classify(exc) or remembered.failure
    database.failures.clear(f"the {remembered.failure.kind.value} probe succeeded")
    return None
