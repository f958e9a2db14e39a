"""`vqs doctor`: checks an installation without changing it, and says how to fix what fails.

It creates nothing: a missing secret or database is reported as "will be created on first start".
Beyond the installation it looks at what the service depends on: every enabled *arr instance
(reachable, which version, clock agreement), the data directory's free disk, the age of the
newest backup, and whether the stored secrets decrypt. WARN lines never change the exit status.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
from collections.abc import Callable
from datetime import datetime

from vibe_quality_searcharr.backups.service import newest_backup
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database, open_postgres, open_sqlcipher
from vibe_quality_searcharr.db.errors import DatabaseCorrupt, DatabaseError
from vibe_quality_searcharr.diagnostics import local, remote
from vibe_quality_searcharr.diagnostics.result import CheckResult
from vibe_quality_searcharr.instances.connection import ConnectionTarget
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box
from vibe_quality_searcharr.instances.urls import Resolver, system_resolver
from vibe_quality_searcharr.security.crypto import DecryptionError
from vibe_quality_searcharr.settings import ConfigError, Settings, load_settings

__all__ = ["CheckResult", "run_checks"]


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


def _secret(settings: Settings, name: str) -> str | None:
    configured = getattr(settings, name)
    if configured is not None:
        return str(configured.get_secret_value())
    try:
        return (settings.secrets_dir / name).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _database_key(settings: Settings) -> str | None:
    return _secret(settings, "database_key")


def _instance_targets(
    database: Database, master_secret: str
) -> tuple[list[tuple[str, ConnectionTarget]], list[CheckResult]]:
    targets: list[tuple[str, ConnectionTarget]] = []
    broken: list[CheckResult] = []
    with database.session_scope() as session:
        service = InstanceService(session, api_key_box(master_secret))
        for instance in service.repo.enabled():
            name = f"{instance.name} ({instance.app})"
            try:
                targets.append((name, service.target(instance)))
            except DecryptionError:
                broken.append(
                    CheckResult(
                        f"instance {name}",
                        False,
                        "its API key does not decrypt",
                        "re-enter the API key in the instance settings",
                    )
                )
    return targets, broken


def _stack(
    database: Database, settings: Settings, clock: Callable[[], datetime], resolver: Resolver
) -> list[CheckResult]:
    master = _secret(settings, "master_secret")
    results = [local.stored_secrets(database, master)]
    if master is None:
        return results
    targets, broken = _instance_targets(database, master)
    return results + broken + remote.check_instances(targets, clock=clock, resolver=resolver)


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
        newest = newest_backup(settings.backups_dir)
        if newest is not None:
            return None, CheckResult(
                "database",
                False,
                f"{path} is missing, but there are backups (the service will not start an "
                "empty database beside them)",
                f"restore the newest: vqs restore {newest[1]}",
            )
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
    except DatabaseCorrupt as exc:
        return None, CheckResult("database", False, str(exc).split(". ")[0], _restore_fix(settings))
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


def _restore_fix(settings: Settings) -> str:
    newest = newest_backup(settings.backups_dir)
    target = str(newest[1]) if newest is not None else "<backup file>"
    return f"stop the service and restore the newest backup: vqs restore {target}"


def _integrity(database: Database, settings: Settings) -> CheckResult:
    """Every page read and checked (`quick_check`, which SQLCipher's page HMACs back), on a
    connection of its own: what the service's first read of a damaged page would meet."""
    if database.fresh_connection is None:
        return CheckResult("database integrity", True, "checked by PostgreSQL itself")
    try:
        connection = database.fresh_connection()
        try:
            verdict = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
        finally:
            connection.close()
    except Exception as exc:
        verdict = [str(exc).splitlines()[0] if str(exc) else type(exc).__name__]
    if verdict == ["ok"]:
        return CheckResult("database integrity", True, "every page reads back (quick_check ok)")
    return CheckResult(
        "database integrity",
        False,
        f"the database is damaged: {'; '.join(verdict[:3])}",
        _restore_fix(settings),
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


def run_checks(
    load: Callable[[], Settings] = load_settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    disk_usage: local.DiskUsage = shutil.disk_usage,
    resolver: Resolver = system_resolver,
) -> list[CheckResult]:
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
    migrations: CheckResult | None = None
    if database is not None and database.backend == "sqlite":
        integrity = _integrity(database, settings)
        results.append(integrity)
        if not integrity.ok:
            database.dispose()
            database = None
            migrations = CheckResult("migrations", True, "not checked: the database is damaged")
    migrations = migrations or _migrations(database)
    results.append(migrations)
    if database is not None:
        try:
            if migrations.ok:
                results.extend(_stack(database, settings, clock, resolver))
        finally:
            database.dispose()
    results.append(local.disk_space(settings, disk_usage))
    results.append(local.backup_age(settings, clock()))
    results.append(_port(settings))
    return results
