"""`vqs doctor`: checks an installation without changing it, and says how to fix what fails.

It creates nothing: a missing secret or database is reported as "will be created on first start".
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass

from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres, open_sqlcipher
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.settings import ConfigError, Settings, load_settings

__all__ = ["CheckResult", "run_checks"]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _data_dir(settings: Settings) -> list[CheckResult]:
    path = settings.data_dir
    if not path.exists():
        parent = path.parent
        writable = os.access(parent, os.W_OK)
        return [
            CheckResult(
                "data directory",
                writable,
                f"{path} does not exist yet"
                + (" (will be created on first start)" if writable else ""),
                "" if writable else f"create it: mkdir -p {path} && chmod 700 {path}",
            )
        ]
    results = []
    mode = stat.S_IMODE(path.stat().st_mode)
    writable = os.access(path, os.W_OK)
    results.append(
        CheckResult(
            "data directory",
            writable,
            f"{path} (mode {mode:o})",
            "" if writable else f"make it writable by this user: chown $(id -u) {path}",
        )
    )
    world_writable = bool(mode & 0o002)
    results.append(
        CheckResult(
            "data directory permissions",
            not world_writable,
            f"{path} is world-writable" if world_writable else "not writable by other users",
            f"chmod 700 {path}" if world_writable else "",
        )
    )
    secrets_dir = settings.secrets_dir
    if secrets_dir.exists():
        loose = [
            entry.name
            for entry in secrets_dir.iterdir()
            if stat.S_IMODE(entry.stat().st_mode) & 0o077
        ]
        results.append(
            CheckResult(
                "secret files",
                not loose,
                "private (mode 600)" if not loose else f"readable by others: {', '.join(loose)}",
                f"chmod 600 {secrets_dir}/*" if loose else "",
            )
        )
    return results


def _database_key(settings: Settings) -> str | None:
    if settings.database_key is not None:
        return settings.database_key.get_secret_value()
    try:
        return (settings.secrets_dir / "database_key").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _open_existing(settings: Settings) -> tuple[Database | None, CheckResult]:
    if settings.database_url is not None:
        try:
            database = open_postgres(settings.database_url.get_secret_value())
            database.ping()
        except Exception as exc:
            return None, CheckResult(
                "database",
                False,
                f"PostgreSQL does not answer: {str(exc).splitlines()[0]}",
                "check VQS_DATABASE_URL and that the server accepts connections",
            )
        return database, CheckResult("database", True, "PostgreSQL answers")
    path = settings.sqlite_path
    if not path.exists():
        return None, CheckResult(
            "database", True, f"{path} does not exist yet (will be created on first start)"
        )
    key = _database_key(settings)
    if key is None:
        return None, CheckResult(
            "database",
            False,
            f"{path} exists but no database key was found",
            "restore secrets/database_key or set VQS_DATABASE_KEY(_FILE)",
        )
    try:
        database = open_sqlcipher(path, key, pool_size=1)
    except DatabaseError as exc:
        return None, CheckResult(
            "database",
            False,
            str(exc).split(". ")[0],
            "use the key the database was created with, or restore a backup",
        )
    header = path.read_bytes()[:16]
    encrypted = header != b"SQLite format 3\x00"
    return database, CheckResult(
        "database",
        encrypted,
        "opens and decrypts (SQLCipher)" if encrypted else "file is NOT encrypted",
        "" if encrypted else "restore from an encrypted backup",
    )


def _migrations(database: Database | None) -> CheckResult:
    if database is None:
        return CheckResult("migrations", True, "applied on first start")
    current, head = migrate.current_revision(database), migrate.head_revision()
    if current == head:
        return CheckResult("migrations", True, f"at head ({head})")
    return CheckResult(
        "migrations", False, f"at {current or 'nothing'}, head is {head}", "run: vqs db upgrade"
    )


def _port(settings: Settings) -> CheckResult:
    with socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET) as probe:
        # As uvicorn does: a port left in TIME_WAIT by a stopped server is free, a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as exc:
            return CheckResult(
                "port",
                False,
                f"cannot listen on {settings.host}:{settings.port} ({exc.strerror})",
                "stop what uses it (a running vqs counts) or set VQS_PORT",
            )
    return CheckResult("port", True, f"{settings.host}:{settings.port} is free")


def run_checks(load: Callable[[], Settings] = load_settings) -> list[CheckResult]:
    try:
        settings = load()
    except ConfigError as exc:
        return [
            CheckResult("configuration", False, problem, "see the README's configuration table")
            for problem in exc.problems
        ]
    results = [CheckResult("configuration", True, "valid")]
    results.extend(_data_dir(settings))
    database, db_result = _open_existing(settings)
    results.append(db_result)
    results.append(_migrations(database))
    if database is not None:
        database.dispose()
    results.append(_port(settings))
    return results
