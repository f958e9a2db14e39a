"""`vqs doctor` beyond the installation: instances (through the simulator), clock, disk,
backups and stored secrets."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.integration.backups.conftest import Install, make_install
from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.diagnostics.result import CheckResult
from vibe_quality_searcharr.doctor import run_checks
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings, load_settings
from vibe_quality_searcharr.simulator.testing import RunningSimulator

GIB = 1024**3


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def add_instance(database: Database, master: str, name: str, app: str, url: str, key: str) -> None:
    with database.session_scope() as session:
        session.add(
            Instance(
                name=name, app=app, url=url, api_key_encrypted=api_key_box(master).encrypt(key)
            )
        )


def plenty(_path: Path) -> Any:
    return SimpleNamespace(total=500 * GIB, free=200 * GIB)


def checks(
    settings: Settings, clock: Callable[[], datetime] | None = None, **kw: Any
) -> dict[str, CheckResult]:
    results = run_checks(
        lambda: settings,
        clock=clock or (lambda: datetime.now(UTC)),
        disk_usage=kw.pop("disk", plenty),
        **kw,
    )
    return {result.name: result for result in results}


@pytest.fixture
def stack(tmp_path: Path, simulator_factory: Callable[..., RunningSimulator]) -> Install:
    install = make_install(tmp_path / "data")  # two instances at 192.168.1.5 (disabled below)
    sonarr = simulator_factory("sonarr", version="4.0.14.2939")
    prowlarr = simulator_factory("prowlarr")
    database = install.open()
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE instance SET enabled = 0")
    master = install.secrets.master_secret
    add_instance(database, master, "Home Sonarr", "sonarr", sonarr.base_url, sonarr.api_key)
    add_instance(database, master, "Prowlarr", "prowlarr", prowlarr.base_url, prowlarr.api_key)
    add_instance(database, master, "Gone", "radarr", f"http://127.0.0.1:{closed_port()}", "k" * 32)
    database.dispose()
    return install


def test_each_instance_is_reported_reachable_with_its_version_or_unreachable(
    stack: Install,
) -> None:
    found = checks(stack.settings)
    sonarr = found["instance Home Sonarr (sonarr)"]
    assert sonarr.ok
    assert sonarr.detail.startswith("Sonarr 4.0.14.2939, ")
    assert found["instance Prowlarr (prowlarr)"].ok
    gone = found["instance Gone (radarr)"]
    assert not gone.ok
    assert gone.detail.startswith("unreachable: ")
    assert "instance Sonarr (sonarr)" not in found  # disabled instances are not probed
    assert found["clock"].ok
    assert not found["clock"].warning
    assert found["clock"].detail.startswith("within ")
    assert (
        found["stored secrets"].detail == "6 decrypt with the master secret"
    )  # 5 keys, 1 TOTP seed


def test_a_clock_five_minutes_off_is_a_warning(stack: Install) -> None:
    found = checks(stack.settings, clock=lambda: datetime.now(UTC) + timedelta(minutes=5))
    clock = found["clock"]
    assert clock.warning
    assert clock.ok
    assert "ahead of" in clock.detail
    assert "min" in clock.detail
    assert "NTP" in clock.fix


def test_the_cli_prints_warn_and_fail_lines_and_exits_1(stack: Install) -> None:
    env = {"VQS_DATA_DIR": str(stack.settings.data_dir), "VQS_PORT": str(closed_port())}
    result = CliRunner().invoke(cli, ["doctor"], env=env)
    assert result.exit_code == 1
    assert "[FAIL] instance Gone (radarr): unreachable" in result.stdout
    assert "[ OK ] instance Home Sonarr (sonarr): Sonarr" in result.stdout
    assert "[WARN] backups: no backup yet" in result.stdout
    assert "fix: run: vqs backup" in result.stdout
    assert stack.secrets.master_secret not in result.stdout


def test_low_disk_space_is_a_warning(install: Install) -> None:
    found = checks(
        install.settings, disk=lambda _p: SimpleNamespace(total=100 * GIB, free=GIB // 2)
    )
    disk = found["disk space"]
    assert disk.warning
    assert disk.detail.startswith("0.5 GiB free")
    assert not checks(install.settings)["disk space"].warning


def test_a_stale_backup_is_a_warning_while_backups_are_scheduled(install: Install) -> None:
    from vibe_quality_searcharr.backups.service import create_backup

    taken = datetime(2025, 1, 1, 3, 0, tzinfo=UTC)
    create_backup(install.settings, install.secrets.database_key, now=taken)
    fresh = checks(install.settings, clock=lambda: taken + timedelta(hours=30))["backups"]
    assert not fresh.warning
    assert fresh.detail == "newest vqs-backup-20250101T030000Z.db, 1 d 6 h old"
    stale = checks(install.settings, clock=lambda: taken + timedelta(days=3))["backups"]
    assert stale.warning
    assert "VQS_BACKUP_SCHEDULE is daily" in stale.detail
    off = load_settings(data_dir=install.settings.data_dir, backup_schedule="off")
    assert not checks(off, clock=lambda: taken + timedelta(days=30))["backups"].warning


def test_secrets_stored_under_another_master_secret_fail(install: Install) -> None:
    database = install.open()
    add_instance(database, "z" * 40, "Stranger", "sonarr", "http://192.168.1.7:8989", "k" * 32)
    database.dispose()
    found = checks(install.settings)
    assert not found["stored secrets"].ok
    assert "instance.api_key_encrypted (rows 3)" in found["stored secrets"].detail
    assert not found["instance Stranger (sonarr)"].ok
    assert found["instance Stranger (sonarr)"].detail == "its API key does not decrypt"


@pytest.fixture
def install(tmp_path: Path) -> Install:
    return make_install(tmp_path / "data")


@pytest.mark.postgres
def test_postgres_instances_are_checked_too(
    tmp_path: Path,
    postgres_schema: tuple[str, str],
    sonarr_simulator: RunningSimulator,
) -> None:
    url, schema = postgres_schema
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"{url}?options=-csearch_path%3D{schema}"
    )
    secrets = ensure_secrets(settings)
    database = open_postgres(url, schema=schema)
    migrate.upgrade(database)
    add_instance(
        database, secrets.master_secret, "Sonarr", "sonarr",
        sonarr_simulator.base_url, sonarr_simulator.api_key,
    )  # fmt: skip
    database.dispose()
    found = checks(settings)
    assert found["migrations"].ok
    assert found["instance Sonarr (sonarr)"].ok
    assert found["backups"].detail == "PostgreSQL: back it up with pg_dump"
