"""`vqs rotate-keys`: every stored secret re-encrypted, the database rekeyed, resumable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from vibe_quality_searcharr.backups import sqlite
from vibe_quality_searcharr.backups.errors import DatabaseInUse, RotationError
from vibe_quality_searcharr.backups.rotation import rotate_keys
from vibe_quality_searcharr.cli import app as cli
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_postgres, open_sqlcipher
from vibe_quality_searcharr.db.models import metadata
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import API_KEY_PURPOSE, api_key_box
from vibe_quality_searcharr.security.crypto import DecryptionError, SecretBox
from vibe_quality_searcharr.security.encrypted_columns import ENCRYPTED_COLUMNS
from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets, ensure_secrets
from vibe_quality_searcharr.settings import Settings, load_settings
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import User

from .conftest import API_KEY, TOTP_SEED, Install, make_install

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
STEPS = [
    "prepared",
    "reencrypted",
    "rekeyed",
    "swapped:database_key",
    "swapped:master_secret",
    "done",
]


class Crash(Exception):
    pass


def secret_file(install: Install, name: str) -> str:
    return (install.settings.secrets_dir / name).read_text().strip()


def plaintexts(settings: Settings, master: str, key: str | None) -> tuple[list[str], list[str]]:
    """Decrypt every instance key and TOTP seed with exactly this master secret."""
    database = (
        open_sqlcipher(settings.sqlite_path, key)
        if key
        else open_postgres(settings.database_url.get_secret_value())  # type: ignore[union-attr]
    )
    try:
        with database.session_scope() as session:
            keys = [
                api_key_box(master).decrypt(token)
                for token in session.scalars(select(Instance.api_key_encrypted))
            ]
            seeds = [
                SecretBox([master], "totp").decrypt(token)
                for token in session.scalars(select(User.totp_secret))
                if token
            ]
    finally:
        database.dispose()
    return keys, seeds


def assert_rotated(install: Install) -> None:
    master, key = secret_file(install, "master_secret"), secret_file(install, "database_key")
    assert master != install.secrets.master_secret
    assert key != install.secrets.database_key
    assert plaintexts(install.settings, master, key) == ([API_KEY, API_KEY], [TOTP_SEED])
    assert not sqlite.decrypts(install.settings.sqlite_path, install.secrets.database_key)
    with pytest.raises(DecryptionError):
        plaintexts(install.settings, install.secrets.master_secret, key)
    leftovers = [p.name for p in install.settings.secrets_dir.iterdir() if p.is_file()]
    assert sorted(leftovers) == ["database_key", "master_secret", "pepper"]
    # the service starts on the rotated secrets
    assert ensure_secrets(install.settings).master_secret == master


def test_rotation_reencrypts_every_secret_and_rekeys_the_database(install: Install) -> None:
    report = rotate_keys(install.settings, now=NOW)
    assert report.reencrypted == 3  # two instance keys, one TOTP seed
    assert report.rekeyed
    assert not report.resumed
    assert_rotated(install)
    assert report.retired == install.settings.secrets_dir / "retired-20250601T120000Z"
    assert (report.retired / "database_key").read_text().strip() == install.secrets.database_key
    assert (report.retired / "master_secret").read_text().strip() == install.secrets.master_secret


@pytest.mark.parametrize("step", STEPS)
def test_an_interrupted_rotation_is_finished_by_running_it_again(
    install: Install, step: str
) -> None:
    def crash(reached: str) -> None:
        if reached == step:
            raise Crash(step)

    with pytest.raises(Crash):
        rotate_keys(install.settings, now=NOW, after_step=crash)
    # whatever the state, the secrets on disk still open everything (nothing is lost)
    report = rotate_keys(install.settings, now=NOW.replace(minute=5))
    assert report.resumed == (step != "done")
    assert_rotated(install)


def test_a_configured_master_secret_is_never_made_up_and_the_operator_is_told(
    tmp_path: Path,
) -> None:
    old = "o" * 40
    install = make_install(tmp_path / "data", master_secret=old)
    with pytest.raises(RotationError, match="--new-master-secret-file"):
        rotate_keys(install.settings, now=NOW)
    new = "n" * 40
    report = rotate_keys(install.settings, now=NOW, new_master_secret=new)
    assert any("VQS_MASTER_SECRET" in line for line in report.update_config)
    key = secret_file(install, "database_key")
    assert plaintexts(install.settings, new, key) == ([API_KEY, API_KEY], [TOTP_SEED])
    assert not (install.settings.secrets_dir / "master_secret").exists()  # never written
    assert not (install.settings.secrets_dir / "master_secret.next").exists()


def test_rotation_refuses_while_the_database_is_open_and_changes_nothing(
    install: Install,
) -> None:
    running = install.open()
    try:
        with pytest.raises(DatabaseInUse):
            rotate_keys(install.settings, now=NOW)
    finally:
        running.dispose()
    assert sqlite.decrypts(install.settings.sqlite_path, install.secrets.database_key)
    assert plaintexts(
        install.settings, install.secrets.master_secret, install.secrets.database_key
    ) == ([API_KEY, API_KEY], [TOTP_SEED])
    report = rotate_keys(install.settings, now=NOW)  # and it finishes once the DB is free
    assert report.resumed
    assert_rotated(install)


def test_a_secret_nobody_can_decrypt_stops_the_rotation_before_anything_changes(
    install: Install,
) -> None:
    database = install.open()
    with database.session_scope() as session:
        session.add(
            Instance(
                name="Lost", app="sonarr", url="http://192.168.1.9:8989",
                api_key_encrypted=api_key_box("x" * 40).encrypt("lost"),
            )
        )  # fmt: skip
    database.dispose()
    with pytest.raises(RotationError, match=r"instance\.api_key_encrypted \(rows 3\)"):
        rotate_keys(install.settings, now=NOW)
    assert sqlite.decrypts(install.settings.sqlite_path, install.secrets.database_key)
    assert secret_file(install, "master_secret") == install.secrets.master_secret


def test_the_cli_rotates_and_reports(install: Install) -> None:
    result = CliRunner().invoke(
        cli, ["rotate-keys"], env={"VQS_DATA_DIR": str(install.settings.data_dir)}
    )
    assert result.exit_code == 0, result.stderr
    assert "keys rotated: 3 stored secrets re-encrypted, database rekeyed" in result.stdout
    assert "retired-" in result.stdout
    assert secret_file(install, "master_secret") not in result.stdout
    assert_rotated(install)


@pytest.mark.postgres
def test_postgres_rotates_the_master_secret(
    postgres_schema: tuple[str, str], tmp_path: Path
) -> None:
    url, schema = postgres_schema
    settings = load_settings(
        data_dir=tmp_path / "data", database_url=f"{url}?options=-csearch_path%3D{schema}"
    )
    secrets = ensure_secrets(settings)
    database = open_postgres(url, schema=schema)
    migrate.upgrade(database)
    with database.session_scope() as session:
        session.add(
            Instance(
                name="Sonarr", app="sonarr", url="http://192.168.1.5:8989",
                api_key_encrypted=api_key_box(secrets.master_secret).encrypt(API_KEY),
            )
        )  # fmt: skip
    database.dispose()
    report = rotate_keys(settings, now=NOW)
    assert report.reencrypted == 1
    assert not report.rekeyed
    master = (settings.secrets_dir / "master_secret").read_text().strip()
    assert master != secrets.master_secret
    assert plaintexts(settings, master, None) == ([API_KEY], [])


def test_the_registry_names_real_columns_and_every_secret_looking_column() -> None:
    columns = {(c.table, c.column) for c in ENCRYPTED_COLUMNS}
    for entry in ENCRYPTED_COLUMNS:
        assert entry.column in metadata.tables[entry.table].columns
        assert entry.key in metadata.tables[entry.table].columns
    secretish = {
        (table.name, column.name)
        for table in metadata.tables.values()
        for column in table.columns
        if "encrypted" in column.name or column.name.endswith("_secret")
    }
    assert secretish <= columns, (
        f"register these in security/encrypted_columns.py: {secretish - columns}"
    )
    purposes = {c.column: c.purpose for c in ENCRYPTED_COLUMNS}
    assert purposes["api_key_encrypted"] == API_KEY_PURPOSE
    master = "m" * 40
    keys = AuthKeys.from_secrets(RuntimeSecrets(master, "00" * 32, "p" * 40))
    token = keys.totp_box.encrypt(TOTP_SEED)
    assert SecretBox([master], purposes["totp_secret"]).decrypt(token) == TOTP_SEED
