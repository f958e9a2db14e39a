"""`vqs doctor`: every check reported OK or FAIL with a fix, and exit status 1 on any failure."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings


@pytest.fixture
def listener() -> Iterator[int]:
    """A port something is already listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def doctor(data_dir: Path, **env: str) -> Result:
    variables = {"VQS_DATA_DIR": str(data_dir), "VQS_PORT": str(free_port()), **env}
    return CliRunner().invoke(cli, ["doctor"], env=variables)


def line(result: Result, check: str) -> str:
    [found] = [text for text in result.stdout.splitlines() if f"] {check}:" in text]
    return found


def install(data_dir: Path, *, migrated: bool = True) -> None:
    settings = load_settings(data_dir=data_dir)
    database = open_sqlcipher(settings.sqlite_path, ensure_secrets(settings).database_key)
    if migrated:
        migrate.upgrade(database)
    database.dispose()


def test_a_fresh_machine_passes_and_nothing_is_created(tmp_path: Path) -> None:
    result = doctor(tmp_path / "data")
    assert result.exit_code == 0, result.stdout
    assert "will be created on first start" in line(result, "data directory")
    assert "FAIL" not in result.stdout
    assert not (tmp_path / "data").exists()


def test_an_installed_service_passes_every_check(tmp_path: Path) -> None:
    install(tmp_path / "data")
    result = doctor(tmp_path / "data")
    assert result.exit_code == 0, result.stdout
    for check, says in [
        ("configuration", "valid"),
        ("data directory", "mode 700"),
        ("data directory permissions", "not writable by other users"),
        ("secret files", "private (mode 600)"),
        ("database", "opens and decrypts (SQLCipher)"),
        ("migrations", f"at head ({migrate.head_revision()})"),
        ("port", "is free"),
    ]:
        assert line(result, check) == f"[ OK ] {check}: " + line(result, check).split(": ", 1)[1]
        assert says in line(result, check)


def test_bad_configuration_fails_with_each_problem(tmp_path: Path) -> None:
    result = doctor(tmp_path, VQS_LOG_LEVEL="LOUD", VQS_DATABASE_KEY="not-hex-and-secret")
    assert result.exit_code == 1
    failures = [text for text in result.stdout.splitlines() if text.startswith("[FAIL]")]
    assert sorted(text.split(": ")[1] for text in failures) == ["VQS_DATABASE_KEY", "VQS_LOG_LEVEL"]
    assert "not-hex-and-secret" not in result.stdout


def test_a_world_writable_data_dir_fails(tmp_path: Path) -> None:
    install(tmp_path / "data")
    (tmp_path / "data").chmod(0o777)
    result = doctor(tmp_path / "data")
    assert result.exit_code == 1
    assert line(result, "data directory permissions").startswith("[FAIL]")
    assert f"fix: chmod 700 {tmp_path / 'data'}" in result.stdout


def test_a_secret_file_readable_by_others_fails(tmp_path: Path) -> None:
    install(tmp_path / "data")
    (tmp_path / "data" / "secrets" / "pepper").chmod(0o644)
    result = doctor(tmp_path / "data")
    assert result.exit_code == 1
    assert line(result, "secret files") == "[FAIL] secret files: readable by others: pepper"
    assert "fix: chmod 600" in result.stdout


def test_a_wrong_database_key_fails(tmp_path: Path) -> None:
    install(tmp_path / "data")
    result = doctor(tmp_path / "data", VQS_DATABASE_KEY="ee" * 32)
    assert result.exit_code == 1
    assert line(result, "database").startswith("[FAIL] database: cannot decrypt")
    assert "fix: use the key the database was created with" in result.stdout
    assert "ee" * 32 not in result.stdout


def test_a_missing_database_key_fails(tmp_path: Path) -> None:
    install(tmp_path / "data")
    (tmp_path / "data" / "secrets" / "database_key").unlink()
    result = doctor(tmp_path / "data")
    assert result.exit_code == 1
    assert "no database key was found" in line(result, "database")


def test_a_pending_migration_fails(tmp_path: Path) -> None:
    install(tmp_path / "data", migrated=False)
    result = doctor(tmp_path / "data")
    assert result.exit_code == 1
    assert line(result, "migrations") == (
        f"[FAIL] migrations: at nothing, head is {migrate.head_revision()}"
    )
    assert "fix: run: vqs db upgrade" in result.stdout


def test_a_port_in_use_fails(tmp_path: Path, listener: int) -> None:
    result = doctor(tmp_path / "data", VQS_PORT=str(listener))
    assert result.exit_code == 1
    assert line(result, "port").startswith(f"[FAIL] port: cannot listen on 127.0.0.1:{listener}")
    assert "fix: stop what uses it" in result.stdout


def test_an_unreachable_postgres_fails(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://vqs:hunter2-password@127.0.0.1:{free_port()}/vqs"
    result = doctor(tmp_path / "data", VQS_DATABASE_URL=url)
    assert result.exit_code == 1
    assert line(result, "database").startswith("[FAIL] database: PostgreSQL does not answer")
    assert "hunter2" not in result.stdout


def test_a_reachable_postgres_passes(tmp_path: Path, postgres_schema: tuple[str, str]) -> None:
    url, schema = postgres_schema
    result = doctor(tmp_path / "data", VQS_DATABASE_URL=f"{url}?options=-csearch_path%3D{schema}")
    assert line(result, "database") == "[ OK ] database: PostgreSQL answers"
    assert line(result, "migrations").startswith("[FAIL] migrations: at nothing")
