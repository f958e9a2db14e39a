"""The commit stamp behind the page and session caches: it moves on every commit of any other
connection (this pool's or another process's) and on nothing else; PostgreSQL has none."""

from __future__ import annotations

from sqlalchemy import text

from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings


def test_the_stamp_moves_on_commits_only(database: Database, settings: Settings) -> None:
    if database.sqlite_path is None:
        assert database.data_stamp() is None  # nothing may be cached on PostgreSQL
        return
    first = database.data_stamp()
    assert first is not None
    assert database.data_stamp() == first
    with database.session_scope() as session:
        session.execute(text("SELECT count(*) FROM instance")).one()
    assert database.data_stamp() == first  # a transaction that wrote nothing
    with database.session_scope() as session:
        session.execute(text("INSERT INTO app_setting (key, value) VALUES ('t', '1')"))
    second = database.data_stamp()
    assert second is not None
    assert second > first
    other = open_sqlcipher(database.sqlite_path, ensure_secrets(settings).database_key)
    try:
        with other.session_scope() as session:
            session.execute(text("DELETE FROM app_setting WHERE key = 't'"))
    finally:
        other.dispose()
    third = database.data_stamp()
    assert third is not None
    assert third > second
    database.dispose()
    assert database.data_stamp() is None  # closed: never a stale "unchanged"
