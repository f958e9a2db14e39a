"""On both backends: a failing statement is remembered, a committed write clears it, a read
or a rolled-back write does not, and readiness's write probe commits nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.db.failures import DatabaseFailure, FailureKind
from vibe_quality_searcharr.db.probes import PROBE_KEY, check_recovered
from vibe_quality_searcharr.db.settings_store import AppSetting, read_setting, write_setting


def _write_then_fail(database: Database) -> None:
    with database.session_scope() as session:
        write_setting(session, "rolled", "back")
        session.flush()
        raise RuntimeError("the unit of work fails after writing")


def test_only_a_committed_write_clears_a_remembered_failure(database: Database) -> None:
    database.failures.record(DatabaseFailure.of(FailureKind.BUSY), "OperationalError: locked")
    with database.session_scope() as session:
        read_setting(session, "anything")
    assert database.failures.last is not None
    with pytest.raises(RuntimeError):
        _write_then_fail(database)
    assert database.failures.last is not None
    with database.session_scope() as session:
        write_setting(session, "written", True)
    assert database.failures.last is None


def test_the_write_probe_clears_the_failure_and_leaves_no_row(database: Database) -> None:
    database.failures.record(DatabaseFailure.of(FailureKind.DISK_FULL), "OperationalError: full")
    assert check_recovered(database) is None
    assert database.failures.last is None
    with database.session_scope() as session:
        assert session.scalars(select(AppSetting).where(AppSetting.key == PROBE_KEY)).all() == []


def test_a_failing_statement_is_remembered(database: Database) -> None:
    if database.sqlite_path is None:
        pytest.skip("the SQLite error codes are exercised here; PostgreSQL in tests/reliability")
    with database.engine.connect() as connection:
        size = connection.exec_driver_sql("PRAGMA page_count").scalar()
        connection.exec_driver_sql(f"PRAGMA max_page_count = {size}")
        with pytest.raises(OperationalError, match="full"):
            connection.exec_driver_sql(
                "INSERT INTO app_setting (key, value, created_at, updated_at) "
                "VALUES ('big', json_quote(hex(randomblob(40000))), 0, 0)"
            )
        connection.exec_driver_sql("PRAGMA max_page_count = 1073741823")
    remembered = database.failures.last
    assert remembered is not None
    assert remembered.failure.kind is FailureKind.DISK_FULL
