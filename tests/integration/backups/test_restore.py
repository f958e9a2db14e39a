"""`vqs restore`: checks first (key, integrity, schema), swaps atomically, keeps the old DB."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from vibe_quality_searcharr.backups import sqlite
from vibe_quality_searcharr.backups.errors import (
    BackupRejected,
    CorruptBackup,
    DatabaseInUse,
    ForeignBackup,
    IncompatibleSchema,
    NotADatabase,
)
from vibe_quality_searcharr.backups.restore import restore_backup
from vibe_quality_searcharr.backups.service import create_backup
from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.scheduling.leader import FileLeader

from .conftest import Install, make_install

TAKEN = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def take_backup(install: Install) -> Path:
    return create_backup(install.settings, install.secrets.database_key, now=TAKEN).path


def delete_radarr(install: Install) -> None:
    database = install.open()
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM instance WHERE name = 'Radarr'"))
    database.dispose()


def test_backup_then_restore_gives_the_same_data_still_encrypted(install: Install) -> None:
    backup = take_backup(install)
    delete_radarr(install)
    assert install.instance_names() == ["Sonarr"]
    result = restore_backup(install.settings, install.secrets.database_key, backup, now=LATER)
    assert install.instance_names() == ["Radarr", "Sonarr"]
    database = install.settings.sqlite_path
    assert not database.read_bytes().startswith(sqlite.SQLITE_HEADER)
    assert not sqlite.decrypts(database, "ab" * 32)
    assert result.replaced == install.settings.backups_dir / "replaced-20250305T120000Z.db"
    assert sqlite.decrypts(result.replaced, install.secrets.database_key)
    with sqlite.opened(result.replaced, install.secrets.database_key) as old:
        assert old.execute("SELECT count(*) FROM instance").fetchone()[0] == 1
    assert result.revision == migrate.head_revision()
    assert backup.exists()  # the operator's file is left as it was


def test_an_older_backup_is_migrated_to_head_after_restore(install: Install) -> None:
    database = install.open()
    migrate.downgrade(database, "0003_instances")
    database.dispose()
    backup = take_backup(install)
    database = install.open()
    migrate.upgrade(database)
    database.dispose()
    result = restore_backup(install.settings, install.secrets.database_key, backup, now=LATER)
    assert result.restored_revision == "0003_instances"
    assert result.revision == migrate.head_revision()
    assert install.instance_names() == ["Radarr", "Sonarr"]


def corrupt(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    damaged = path.with_name("damaged.db")
    damaged.write_bytes(bytes(data))
    return damaged


def newer_schema(install: Install, backup: Path) -> Path:
    with sqlite.opened(backup, install.secrets.database_key) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    return backup


def plaintext_sqlite(tmp: Path) -> Path:
    path = tmp / "plain.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
    return path


def garbage(tmp: Path) -> Path:
    path = tmp / "notes.db"
    path.write_text("this is not a database\n" * 100)
    return path


def foreign(tmp: Path) -> Path:
    other = make_install(tmp / "other")
    return take_backup(other)


@pytest.mark.parametrize(
    ("make", "error", "says"),
    [
        (lambda i, t: corrupt(take_backup(i)), CorruptBackup, "damaged"),
        (lambda i, t: foreign(t), ForeignBackup, "another install"),
        (lambda i, t: newer_schema(i, take_backup(i)), IncompatibleSchema, "upgrade"),
        (lambda i, t: plaintext_sqlite(t), NotADatabase, "unencrypted"),
        (lambda i, t: garbage(t), NotADatabase, "not a database"),
    ],
    ids=["corrupt", "other-key", "newer-schema", "plain-sqlite", "not-a-database"],
)
def test_a_bad_file_is_refused_and_nothing_changes(
    install: Install, tmp_path: Path, make: object, error: type[BackupRejected], says: str
) -> None:
    offered: Path = make(install, tmp_path)  # type: ignore[operator]
    before = digest(install.settings.sqlite_path)
    offered_before = digest(offered)
    with pytest.raises(error, match=says):
        restore_backup(install.settings, install.secrets.database_key, offered, now=LATER)
    assert digest(install.settings.sqlite_path) == before
    assert digest(offered) == offered_before
    assert not list(install.settings.backups_dir.glob("replaced-*"))
    assert not [p for p in install.settings.data_dir.iterdir() if "restoring" in p.name]


def test_a_backup_without_a_schema_version_is_refused(install: Install) -> None:
    backup = take_backup(install)
    with sqlite.opened(backup, install.secrets.database_key) as connection:
        connection.execute("DROP TABLE alembic_version")
    with pytest.raises(IncompatibleSchema, match="not a database of this app"):
        restore_backup(install.settings, install.secrets.database_key, backup, now=LATER)


def test_restore_refuses_while_the_database_is_open(install: Install) -> None:
    backup = take_backup(install)
    running = install.open()
    try:
        with pytest.raises(DatabaseInUse, match="stop the service first"):
            restore_backup(install.settings, install.secrets.database_key, backup, now=LATER)
    finally:
        running.dispose()
    assert not list(install.settings.backups_dir.glob("replaced-*"))


def test_restore_refuses_while_the_scheduler_lock_is_held(install: Install) -> None:
    backup = take_backup(install)
    leader = FileLeader(install.settings.sqlite_path.with_name("scheduler.lock"))
    assert leader.try_acquire()
    try:
        with pytest.raises(DatabaseInUse, match="the service is running"):
            restore_backup(install.settings, install.secrets.database_key, backup, now=LATER)
    finally:
        leader.release()


def test_restore_onto_a_directory_without_a_database(install: Install, tmp_path: Path) -> None:
    backup = take_backup(install)
    install.settings.sqlite_path.unlink()
    result = restore_backup(install.settings, install.secrets.database_key, backup, now=LATER)
    assert result.replaced is None
    assert install.instance_names() == ["Radarr", "Sonarr"]


def test_the_cli_restores_and_refuses_with_a_message(install: Install, tmp_path: Path) -> None:
    env = {"VQS_DATA_DIR": str(install.settings.data_dir)}
    backup = take_backup(install)
    delete_radarr(install)
    result = CliRunner().invoke(cli, ["restore", str(backup)], env=env)
    assert result.exit_code == 0, result.stderr
    assert "the replaced database is kept at" in result.stdout
    assert install.instance_names() == ["Radarr", "Sonarr"]
    refused = CliRunner().invoke(cli, ["restore", str(garbage(tmp_path))], env=env)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("refused: ")
