"""An installed SQLite service in a temporary data directory, with an instance and a 2FA user."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.security.crypto import SecretBox
from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets, ensure_secrets
from vibe_quality_searcharr.settings import Settings, load_settings
from vibe_quality_searcharr.users.models import User

API_KEY = "0123456789abcdef0123456789abcdef"
TOTP_SEED = "JBSWY3DPEHPK3PXP"


@dataclass
class Install:
    settings: Settings
    secrets: RuntimeSecrets

    def open(self, key: str | None = None) -> Database:
        return open_sqlcipher(self.settings.sqlite_path, key or self.secrets.database_key)

    def instance_names(self, key: str | None = None) -> list[str]:
        database = self.open(key)
        try:
            with database.session_scope() as session:
                return sorted(session.scalars(select(Instance.name)))
        finally:
            database.dispose()


def make_install(data_dir: Path, **settings: object) -> Install:
    config = load_settings(data_dir=data_dir, scheduler_enabled=False, **settings)
    secrets = ensure_secrets(config)
    database = open_sqlcipher(config.sqlite_path, secrets.database_key)
    migrate.upgrade(database)
    now = utcnow()
    with database.session_scope() as session:
        for name in ("Sonarr", "Radarr"):
            session.add(
                Instance(
                    name=name,
                    app=name.lower(),
                    url=f"http://192.168.1.5:{8989 if name == 'Sonarr' else 7878}",
                    api_key_encrypted=api_key_box(secrets.master_secret).encrypt(API_KEY),
                )
            )
        session.add(
            User(
                username="admin",
                role="admin",
                password_hash="x",
                password_changed_at=now,
                totp_secret=SecretBox([secrets.master_secret], "totp").encrypt(TOTP_SEED),
                totp_enabled=True,
            )
        )
    database.dispose()
    return Install(config, secrets)


@pytest.fixture
def install(tmp_path: Path) -> Install:
    return make_install(tmp_path / "data")
