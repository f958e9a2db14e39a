"""Encryption at rest: the file is unreadable without the key, and a wrong key is a clear message."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.db.errors import DatabaseKeyError
from vibe_quality_searcharr.db.settings_store import read_setting, write_setting
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings

MARKER = "plaintext-marker-that-must-not-appear-on-disk"
WRONG_KEY = "0f" * 32


def stored_bytes(settings: Settings) -> bytes:
    return b"".join(path.read_bytes() for path in settings.data_dir.glob("vqs.db*"))


def make_encrypted_database(settings: Settings) -> None:
    database = open_sqlcipher(settings.sqlite_path, ensure_secrets(settings).database_key)
    migrate.upgrade(database)
    with database.session_scope() as session:
        write_setting(session, "greeting", MARKER)
    database.dispose()


def test_the_file_is_encrypted_at_rest(settings: Settings) -> None:
    make_encrypted_database(settings)
    header = settings.sqlite_path.read_bytes()[:16]
    assert header != b"SQLite format 3\x00"
    raw = stored_bytes(settings)
    assert MARKER.encode() not in raw
    assert b"app_setting" not in raw
    assert b"CREATE TABLE" not in raw
    assert stat.S_IMODE(settings.sqlite_path.stat().st_mode) == 0o600


def test_the_right_key_reads_it_back(settings: Settings) -> None:
    make_encrypted_database(settings)
    database = open_sqlcipher(settings.sqlite_path, ensure_secrets(settings).database_key)
    with database.session_scope() as session:
        assert read_setting(session, "greeting") == MARKER
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    database.dispose()


def test_a_wrong_key_raises_a_clear_error(settings: Settings) -> None:
    make_encrypted_database(settings)
    with pytest.raises(DatabaseKeyError) as caught:
        open_sqlcipher(settings.sqlite_path, WRONG_KEY)
    message = str(caught.value)
    assert message.startswith(f"cannot decrypt {settings.sqlite_path}: the database key")
    assert "VQS_DATABASE_KEY" in message
    assert WRONG_KEY not in message


def test_the_cli_reports_a_wrong_key_without_a_traceback(settings: Settings) -> None:
    make_encrypted_database(settings)
    env = {"VQS_DATA_DIR": str(settings.data_dir), "VQS_DATABASE_KEY": WRONG_KEY}
    result = CliRunner().invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("Database problem:\n  - cannot decrypt ")
    assert WRONG_KEY not in result.output


def test_the_installed_command_exits_2_with_one_message(settings: Settings) -> None:
    """The real process, as a user runs it: no traceback, no key, exit status 2."""
    make_encrypted_database(settings)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("VQS_")},
        "VQS_DATA_DIR": str(settings.data_dir),
        "VQS_DATABASE_KEY": WRONG_KEY,
    }
    vqs = Path(sys.executable).with_name("vqs")
    done = subprocess.run(
        [str(vqs), "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "cannot decrypt" in done.stderr
    assert WRONG_KEY not in done.stderr + done.stdout


def test_an_unreachable_postgres_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"postgresql+psycopg://vqs:pw-never-printed@127.0.0.1:{closed_port}/vqs"
    result = CliRunner().invoke(
        cli, ["db", "upgrade"], env={"VQS_DATA_DIR": str(tmp_path), "VQS_DATABASE_URL": url}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("Database problem:\n  - PostgreSQL does not answer (")
    assert "check VQS_DATABASE_URL" in result.stderr
    assert "pw-never-printed" not in result.output


def test_concurrent_read_then_write_units_of_work_wait_instead_of_failing(
    settings: Settings,
) -> None:
    """Two jobs that each read, then write (a run creating its record while another claims a
    slot) must queue for the write lock, not fail with "database is locked"."""
    import threading

    keys = ensure_secrets(settings)
    database = open_sqlcipher(settings.sqlite_path, keys.database_key)
    migrate.upgrade(database)
    with database.session_scope() as session:
        write_setting(session, "counter", "0")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            barrier.wait(timeout=30)  # all four start together
            for _ in range(10):
                with database.session_scope() as session:
                    value = int(read_setting(session, "counter") or "0")
                    write_setting(session, "counter", str(value + 1))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.session_scope(read_only=True) as session:
        assert read_setting(session, "counter") == "40"  # no lost update either
    database.dispose()
