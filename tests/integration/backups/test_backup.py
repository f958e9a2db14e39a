"""`vqs backup`: an online, consistent copy, still encrypted, private, named by UTC time."""

from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from vibe_quality_searcharr.backups import sqlite
from vibe_quality_searcharr.backups.errors import BackupError, BackupUnsupported
from vibe_quality_searcharr.backups.service import create_backup, list_backups, prune_backups
from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.settings import load_settings

from .conftest import Install

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_a_backup_is_encrypted_private_and_named_by_utc_time(install: Install) -> None:
    result = create_backup(install.settings, install.secrets.database_key, now=NOW)
    assert result.path == install.settings.backups_dir / "vqs-backup-20250304T050607Z.db"
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(install.settings.backups_dir.stat().st_mode) == 0o700
    assert not result.path.read_bytes().startswith(sqlite.SQLITE_HEADER)
    assert API_KEY_BYTES not in result.path.read_bytes()
    assert sqlite.decrypts(result.path, install.secrets.database_key)
    assert not sqlite.decrypts(result.path, "ab" * 32)
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]  # no leftovers


API_KEY_BYTES = b"192.168.1.5"  # a plaintext value stored in the database


def test_backup_to_a_directory_or_a_file_and_never_over_an_existing_file(
    install: Install, tmp_path: Path
) -> None:
    key = install.secrets.database_key
    into_dir = create_backup(install.settings, key, now=NOW, to=tmp_path)
    assert into_dir.path.parent == tmp_path
    named = create_backup(install.settings, key, now=NOW, to=tmp_path / "mine.db")
    assert named.path == tmp_path / "mine.db"
    before = named.path.read_bytes()
    with pytest.raises(BackupError, match="already exists"):
        create_backup(install.settings, key, now=NOW, to=tmp_path / "mine.db")
    assert named.path.read_bytes() == before


def test_a_backup_taken_while_another_thread_writes_is_consistent(install: Install) -> None:
    """Each writer transaction adds one row to two tables; every copy must have equal counts."""
    database = install.open()
    stop, written = threading.Event(), threading.Event()
    commits = 0

    def writer() -> None:
        nonlocal commits
        for number in range(100_000):
            if stop.is_set():
                return
            with database.engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO app_setting (key, value, created_at, updated_at) "
                         "VALUES (:k, '1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"k": f"w{number}"},
                )  # fmt: skip
                connection.execute(
                    text("INSERT INTO audit_events (at, kind, actor, subject, client_ip, detail) "
                         "VALUES (CURRENT_TIMESTAMP, 'w', '', '', '', '')"),
                )  # fmt: skip
            commits += 1
            if commits >= 20:
                written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(30)
        copies = [
            create_backup(
                install.settings, install.secrets.database_key, now=NOW.replace(second=second)
            )
            for second in range(5)
        ]
    finally:
        stop.set()
        thread.join()
        database.dispose()
    counts = []
    for copy in copies:
        with sqlite.opened(copy.path, install.secrets.database_key) as connection:
            settings_rows = connection.execute("SELECT count(*) FROM app_setting").fetchone()[0]
            audit_rows = connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert settings_rows == audit_rows
        counts.append(settings_rows)
    assert counts[-1] > 0
    assert commits > counts[0]  # the writer really went on while copies were taken


def test_retention_keeps_the_newest_n_and_nothing_else_is_touched(tmp_path: Path) -> None:
    for day in range(1, 11):
        (tmp_path / f"vqs-backup-202501{day:02d}T030000Z.db").write_bytes(b"x")
    (tmp_path / "replaced-20250101T000000Z.db").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("mine")
    deleted = prune_backups(tmp_path, 3)
    assert len(deleted) == 7
    assert [path.name for _, path in list_backups(tmp_path)] == [
        "vqs-backup-20250110T030000Z.db",
        "vqs-backup-20250109T030000Z.db",
        "vqs-backup-20250108T030000Z.db",
    ]
    assert (tmp_path / "notes.txt").exists()
    assert (tmp_path / "replaced-20250101T000000Z.db").exists()


def test_postgres_gets_a_pg_dump_hint_and_nothing_is_pretended(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, database_url="postgresql+psycopg://vqs@db.lan/vqs")
    with pytest.raises(BackupUnsupported, match="pg_dump"):
        create_backup(settings, "00" * 32, now=NOW)
    for command in (["backup"], ["restore", str(tmp_path / "x.db")]):
        result = CliRunner().invoke(
            cli,
            command,
            env={
                "VQS_DATA_DIR": str(tmp_path),
                "VQS_DATABASE_URL": settings.database_url.get_secret_value(),
            },  # type: ignore[union-attr]
        )
        assert result.exit_code == 1
        assert "pg_dump" in result.stderr
        assert "written" not in result.stdout
    assert not (tmp_path / "backups").exists()


def test_the_cli_writes_a_backup_and_says_where(install: Install) -> None:
    result = CliRunner().invoke(
        cli, ["backup"], env={"VQS_DATA_DIR": str(install.settings.data_dir)}
    )
    assert result.exit_code == 0, result.stderr
    [(_, path)] = list_backups(install.settings.backups_dir)
    assert f"backup written: {path}" in result.stdout
    assert install.secrets.database_key not in result.stdout


def test_nothing_to_back_up_on_a_fresh_directory(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    with pytest.raises(BackupError, match="nothing to back up"):
        create_backup(settings, "00" * 32, now=NOW)
