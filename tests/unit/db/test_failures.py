"""What each driver error means for the user, from errors the drivers really raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import psycopg.errors
import pytest
import sqlcipher3
import structlog
from sqlalchemy.exc import IntegrityError, OperationalError
from structlog.testing import capture_logs

from vibe_quality_searcharr.db import failure_memory
from vibe_quality_searcharr.db.errors import DatabaseKeyError, DatabaseMissing
from vibe_quality_searcharr.db.failure_memory import FailureMemory
from vibe_quality_searcharr.db.failures import (
    DatabaseFailure,
    FailureKind,
    classify,
    technical_detail,
)

KEY = "ab" * 32


def raised(action: Any) -> BaseException:
    with pytest.raises(sqlcipher3.dbapi2.DatabaseError) as caught:
        action()
    return caught.value


def connect(path: Path, key: str = KEY, timeout: float = 5.0) -> Any:
    connection = sqlcipher3.dbapi2.connect(str(path), isolation_level=None, timeout=timeout)
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"x'{key}'\"")
    return connection


def wrapped(orig: BaseException) -> OperationalError:
    return OperationalError("INSERT INTO instance (api_key) VALUES (?)", ("secret-key",), orig)


def test_sqlite_errors_map_to_what_the_user_can_do(tmp_path: Path) -> None:
    full = connect(tmp_path / "full.db")
    full.execute("CREATE TABLE t (x)")
    full.execute("PRAGMA max_page_count = 2")
    disk_full = raised(lambda: full.execute("INSERT INTO t VALUES (randomblob(20000))"))

    holder, waiter = connect(tmp_path / "busy.db"), connect(tmp_path / "busy.db", timeout=0)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN EXCLUSIVE")
    busy = raised(lambda: waiter.execute("BEGIN IMMEDIATE"))
    holder.execute("ROLLBACK")

    not_a_database = raised(
        lambda: connect(tmp_path / "busy.db", "0f" * 32).execute("SELECT * FROM sqlite_master")
    )
    missing = raised(
        lambda: sqlcipher3.dbapi2.connect(f"file:{tmp_path}/gone.db?mode=rw", uri=True)
    )
    kinds = {
        FailureKind.DISK_FULL: disk_full,
        FailureKind.BUSY: busy,
        FailureKind.CORRUPT: not_a_database,
        FailureKind.MISSING: missing,
    }
    for kind, error in kinds.items():
        assert classify(error) == DatabaseFailure.of(kind)
        assert classify(wrapped(error)) == DatabaseFailure.of(kind)  # through SQLAlchemy


def test_postgresql_states_and_a_server_that_never_answered() -> None:
    assert classify(wrapped(psycopg.errors.DiskFull())) == DatabaseFailure.of(FailureKind.DISK_FULL)
    assert classify(wrapped(psycopg.errors.LockNotAvailable())).kind is FailureKind.BUSY  # type: ignore[union-attr]
    assert classify(wrapped(psycopg.errors.AdminShutdown())).kind is FailureKind.UNREACHABLE  # type: ignore[union-attr]
    refused = psycopg.OperationalError("connection failed: Connection refused")
    assert classify(wrapped(refused)) == DatabaseFailure.of(FailureKind.UNREACHABLE)


def test_what_is_not_about_availability_stays_unclassified() -> None:
    unique = IntegrityError("INSERT", {}, sqlcipher3.dbapi2.IntegrityError("UNIQUE failed"))
    assert classify(unique) is None
    assert classify(ValueError("bad input")) is None


def test_own_errors_answer_with_the_generic_sentence_and_logs_never_carry_sql() -> None:
    missing = classify(DatabaseMissing("/srv/data/vqs.db is missing"))
    assert missing == DatabaseFailure.of(FailureKind.MISSING)
    assert classify(DatabaseKeyError("cannot decrypt /srv/data/vqs.db")) is not None
    detail = technical_detail(wrapped(sqlcipher3.dbapi2.OperationalError("database is locked")))
    assert detail == "OperationalError: database is locked"
    assert "INSERT" not in detail
    assert "secret-key" not in detail


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_the_memory_logs_once_per_episode_and_knows_what_clears_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A logger of its own: the module's may have been bound by another test's logging setup.
    monkeypatch.setattr(failure_memory, "log", structlog.get_logger("failure_memory_test"))
    clock = Clock()
    memory = FailureMemory(clock)
    busy = DatabaseFailure.of(FailureKind.BUSY)
    with capture_logs() as logs:
        memory.record(busy, "OperationalError: database is locked")
        clock.now += timedelta(seconds=5)
        memory.record(busy, "OperationalError: database is locked")
        assert memory.last is not None
        assert memory.last.count == 2
        assert memory.recently(frozenset({FailureKind.BUSY}), timedelta(seconds=30))
        clock.now += timedelta(seconds=31)
        assert not memory.recently(frozenset({FailureKind.BUSY}), timedelta(seconds=30))
        memory.clear_after_write()
        assert memory.last is None
        memory.record(DatabaseFailure.of(FailureKind.CORRUPT), "DatabaseError: malformed")
        memory.clear_after_write()  # a write elsewhere in the file proves nothing about damage
        assert memory.last is not None
        memory.clear("restored")
    assert [line["event"] for line in logs] == [
        "database_failure",
        "database_recovered",
        "database_failure",
        "database_recovered",
    ]
    assert logs[1]["failures"] == 2
