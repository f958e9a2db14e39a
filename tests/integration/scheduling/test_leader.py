"""Leader election: one leader per database; failover when the leader's session dies."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.scheduling.leader import FileLeader, PostgresLeader, leader_for


@pytest.mark.postgres
def test_one_leader_per_schema_and_failover_when_its_session_dies(
    postgres_schema: tuple[str, str],
) -> None:
    url, schema = postgres_schema
    first_db, second_db = open_postgres(url, schema=schema), open_postgres(url, schema=schema)
    try:
        first, second = PostgresLeader(first_db), PostgresLeader(second_db)
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.still_leader()

        # The leader's backend is killed (as when its process dies): the lock goes with it.
        admin = open_postgres(url, schema=schema)
        with admin.engine.begin() as connection:
            killed = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND classid = :cls AND granted"
                ),
                {"cls": 0x56515301},
            ).all()
        admin.dispose()
        assert killed
        assert not first.still_leader()
        assert second.try_acquire()
        assert not first.try_acquire()
        second.release()
        assert first.try_acquire()
        first.release()
    finally:
        first_db.dispose()
        second_db.dispose()


@pytest.mark.postgres
def test_installs_in_other_schemas_do_not_block_each_other(
    postgres_schema: tuple[str, str],
) -> None:
    url, schema = postgres_schema
    other = f"{schema}_other"
    admin = open_postgres(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{other}"'))
    mine, theirs = open_postgres(url, schema=schema), open_postgres(url, schema=other)
    try:
        a, b = PostgresLeader(mine), PostgresLeader(theirs)
        assert a.try_acquire()
        assert b.try_acquire()
        a.release()
        b.release()
    finally:
        mine.dispose()
        theirs.dispose()
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{other}" CASCADE'))
        admin.dispose()


def test_file_leader_is_exclusive_until_released(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.lock"
    first, second = FileLeader(path), FileLeader(path)
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_sqlite_databases_elect_by_file(database: Database) -> None:
    leader = leader_for(database)
    assert leader.try_acquire()
    assert isinstance(leader, FileLeader if database.sqlite_path else PostgresLeader)
    leader.release()
