"""`vqs rotate-keys`: a new master secret for stored secrets and a new SQLCipher key, atomically
and resumable.

States, read back from the secrets directory and the database on every run, so a run cut off
at any point is finished by running the command again:

    idle          no `rotation` marker, no `<name>.next` files
    preparing     some `<name>.next` files (new values), no marker yet: a re-run keeps them and
                  writes the missing ones; nothing uses them yet
    prepared      marker written: every secret being rotated has its `.next` file. The old
                  values are also copied to `retired-<UTC time>/` (they open older backups)
    reencrypted   every registered column (`security.encrypted_columns`) holds tokens under the
                  new master secret, written in one transaction; the old secret file is still
                  there, and MultiFernet([new, old]) reads both, so repeating this is harmless
    rekeyed       `PRAGMA rekey`: the database opens with the `.next` key only (SQLCipher
                  rewrites every page in one transaction: either key works, never neither)
    swapped       each `.next` file renamed over the current one (atomic, one at a time); a
                  `.next` still present means that swap is still to do
    done          the marker is removed

Secrets given by configuration (`VQS_MASTER_SECRET`, `VQS_DATABASE_KEY` or their `_FILE`
forms) are the operator's: this never writes to them and never makes one up. The new value
must be passed in a file (`--new-master-secret-file`, `--new-database-key-file`), the rotation
runs, and the command prints which variable to update; until then the service refuses to start
(wrong database key) or `vqs doctor` reports the undecryptable secrets: never a silent drift.
The pepper is not rotated: it is mixed into every password hash, which cannot be re-computed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import structlog

from vibe_quality_searcharr.backups import sqlite
from vibe_quality_searcharr.backups.errors import RotationError
from vibe_quality_searcharr.backups.files import fsync_dir, stamp, write_private_text
from vibe_quality_searcharr.backups.guard import exclusive_database
from vibe_quality_searcharr.backups.tokens import reencrypt_all
from vibe_quality_searcharr.db.engine import Database, open_postgres, open_sqlcipher
from vibe_quality_searcharr.settings import Settings

__all__ = ["RotationReport", "rotate_keys"]

log = structlog.get_logger(__name__)

MARKER = "rotation"
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class _Secret:
    name: str
    configured: bool
    current: str
    directory: Path

    @property
    def variable(self) -> str:
        return f"VQS_{self.name.upper()}"

    @property
    def file(self) -> Path:
        return self.directory / self.name

    @property
    def pending(self) -> Path:
        return self.directory / f"{self.name}.next"


@dataclass
class RotationReport:
    reencrypted: int = 0
    rekeyed: bool = False
    resumed: bool = False
    retired: Path | None = None
    update_config: list[str] = field(default_factory=list)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _current(settings: Settings, name: str) -> _Secret:
    configured = getattr(settings, name)
    if configured is not None:
        return _Secret(name, True, configured.get_secret_value(), settings.secrets_dir)
    value = _read(settings.secrets_dir / name)
    if value is None:
        raise RotationError(
            f"{settings.secrets_dir / name} is missing: start the service once (it creates the "
            "secrets), or restore the file"
        )
    return _Secret(name, False, value, settings.secrets_dir)


def _valid(name: str, value: str) -> str:
    if name == "database_key" and not _HEX_KEY.match(value):
        raise RotationError("the new database key must be 64 hex digits (openssl rand -hex 32)")
    if name == "master_secret" and len(value) < 32:
        raise RotationError("the new master secret must be at least 32 characters")
    return value


def _prepare(
    secret: _Secret, supplied: str | None, marked: bool, retired: Path
) -> tuple[str | None, bool]:
    """The new value (None: this secret's swap is already done) and whether it was resumed."""
    pending = _read(secret.pending)
    if pending is not None and pending == secret.current:  # a leftover of a finished rotation
        secret.pending.unlink()
        pending = None
    if pending is not None:
        if supplied is not None and supplied != pending:
            raise RotationError(
                f"a rotation to another new {secret.name} is in progress ({secret.pending}); "
                "run this again without the new value to finish it first"
            )
        return pending, True
    if marked:
        return None, True
    if supplied is None:
        if secret.configured:
            option = "--new-" + secret.name.replace("_", "-") + "-file"
            raise RotationError(
                f"{secret.variable} comes from the configuration, which this command never "
                f"rewrites: put a new value in a file (openssl rand -hex 32 > new) and pass it "
                f"with {option}"
            )
        supplied = secrets.token_hex(32)
    new = _valid(secret.name, supplied)
    if new == secret.current:
        raise RotationError(f"the new {secret.name} is the current one; give a different value")
    if not secret.configured:
        retired.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            write_private_text(retired / secret.name, secret.current, replace=False)
    write_private_text(secret.pending, new, replace=False)
    return new, False


def _key_that_opens(settings: Settings, keys: list[str]) -> str | None:
    """The SQLCipher key the database opens with now (None on PostgreSQL)."""
    if settings.database_url is not None:
        return None
    for key in keys:
        if sqlite.decrypts(settings.sqlite_path, key):
            return key
    raise RotationError(
        f"{settings.sqlite_path} opens with neither the current nor the new database key; "
        "restore the key it was created with (see secrets/retired-*) before rotating"
    )


def _open(settings: Settings, key: str | None) -> Database:
    if settings.database_url is not None:
        return open_postgres(settings.database_url.get_secret_value(), pool_size=1)
    assert key is not None
    return open_sqlcipher(settings.sqlite_path, key, pool_size=1)


def _swap(secret: _Secret) -> None:
    if not secret.pending.exists():
        return
    if secret.configured:
        secret.pending.unlink()
    else:
        os.replace(secret.pending, secret.file)
    fsync_dir(secret.directory)


def rotate_keys(
    settings: Settings,
    *,
    now: datetime,
    new_master_secret: str | None = None,
    new_database_key: str | None = None,
    after_step: Callable[[str], None] = lambda step: None,
) -> RotationReport:
    """Run (or finish) a rotation; `after_step` is called after each step (tests inject crashes)."""
    names = ["master_secret"] if settings.uses_postgres else ["master_secret", "database_key"]
    if not settings.uses_postgres and not settings.sqlite_path.is_file():
        raise RotationError(f"there is no database at {settings.sqlite_path}: nothing to rotate")
    current = {name: _current(settings, name) for name in names}
    supplied = {"master_secret": new_master_secret, "database_key": new_database_key}
    marker = settings.secrets_dir / MARKER
    marked = marker.exists()
    report = RotationReport(resumed=marked)
    retired = settings.secrets_dir / f"retired-{stamp(now)}"
    new: dict[str, str | None] = {}
    for name in names:
        new[name], resumed = _prepare(current[name], supplied[name], marked, retired)
        report.resumed = report.resumed or resumed
    if retired.exists():
        report.retired = retired
    if not marked:
        write_private_text(marker, json.dumps({"started": stamp(now)}), replace=True)
    after_step("prepared")

    db_key, new_db_key = current.get("database_key"), new.get("database_key")
    candidates = [key for key in (db_key.current if db_key else None, new_db_key) if key]
    opened_with = _key_that_opens(settings, candidates)
    guard = (
        exclusive_database(settings.sqlite_path, opened_with)
        if opened_with is not None
        else contextlib.nullcontext(True)
    )
    with guard:
        database = _open(settings, opened_with)
        master = current["master_secret"]
        try:
            with database.session_scope() as session:
                report.reencrypted = reencrypt_all(
                    session, new["master_secret"] or master.current, [master.current]
                )
        finally:
            database.dispose()
        after_step("reencrypted")
        if new_db_key is not None and opened_with is not None and opened_with != new_db_key:
            with sqlite.opened(settings.sqlite_path, opened_with) as connection:
                connection.execute(f"PRAGMA rekey = \"x'{new_db_key}'\"")
            if not sqlite.decrypts(settings.sqlite_path, new_db_key):
                raise RotationError("the database did not take the new key; nothing was swapped")
            report.rekeyed = True
        after_step("rekeyed")

    for name in reversed(names):  # the database key first: it is what opening needs
        if new[name] is not None and current[name].configured:
            report.update_config.append(
                f"{current[name].variable} (or {current[name].variable}_FILE): set it to the new "
                "value you passed before starting the service"
            )
        if not current[name].configured:
            _swap(current[name])
            after_step(f"swapped:{name}")
    marker.unlink(missing_ok=True)
    for name in names:
        if current[name].configured:
            _swap(current[name])
    fsync_dir(settings.secrets_dir)
    after_step("done")
    log.info("keys_rotated", reencrypted=report.reencrypted, rekeyed=report.rekeyed)
    return report
