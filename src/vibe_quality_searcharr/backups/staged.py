"""A restore chosen in the UI, done at the next start, before the database is opened.

The running service cannot swap its own database (`guard.exclusive_database` refuses while
anything has it open), so the Backups page only stages the choice: the backup is checked now
(it decrypts with this install's key, passes `integrity_check`, has a schema this build
knows), its name is written to `<data>/restore-pending.json`, and `apply_pending` runs the
ordinary `restore.restore_backup` at the next start. The marker is removed whatever happens,
so a backup that fails then is never retried in a loop; the outcome is kept in
`restore-last.json` for the page to show. A failed restore leaves the old database in place and
the service starts on it. Only a start that finds another process using the database (a
second `vqs serve` beside the running one) leaves the restore staged for a real restart.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog

from vibe_quality_searcharr.backups.catalog import BackupEntry, find_entry
from vibe_quality_searcharr.backups.checks import check_backup
from vibe_quality_searcharr.backups.errors import BackupError, DatabaseInUse
from vibe_quality_searcharr.backups.files import private_temp, write_private_text
from vibe_quality_searcharr.backups.guard import exclusive_database
from vibe_quality_searcharr.backups.restore import restore_backup
from vibe_quality_searcharr.settings import Settings

__all__ = [
    "PendingRestore",
    "RestoreOutcome",
    "apply_pending",
    "cancel_pending",
    "last_outcome",
    "pending_restore",
    "stage_restore",
]

log = structlog.get_logger(__name__)

PENDING_FILE = "restore-pending.json"
OUTCOME_FILE = "restore-last.json"


@dataclass(frozen=True)
class PendingRestore:
    name: str
    staged_at: datetime
    staged_by: str


@dataclass(frozen=True)
class RestoreOutcome:
    name: str
    at: datetime
    ok: bool
    detail: str


def _read(path: Path) -> dict[str, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_text(path, json.dumps(data, sort_keys=True), replace=True)


def pending_restore(settings: Settings) -> PendingRestore | None:
    data = _read(settings.data_dir / PENDING_FILE)
    try:
        return (
            PendingRestore(
                str(data["name"]), datetime.fromisoformat(data["staged_at"]), str(data["by"])
            )
            if data
            else None
        )
    except (KeyError, ValueError, TypeError):
        return None


def last_outcome(settings: Settings) -> RestoreOutcome | None:
    data = _read(settings.data_dir / OUTCOME_FILE)
    try:
        return (
            RestoreOutcome(
                str(data["name"]),
                datetime.fromisoformat(data["at"]),
                data["ok"] == "yes",
                str(data["detail"]),
            )
            if data
            else None
        )
    except (KeyError, ValueError, TypeError):
        return None


def stage_restore(
    settings: Settings, key_hex: str, entry: BackupEntry, *, now: datetime, by: str
) -> PendingRestore:
    """Check the backup (a private copy of it: opening a file may rewrite it) and stage it.
    Raises a `BackupRejected` naming what is wrong; then nothing is staged."""
    copy = private_temp(entry.path, "checking")
    try:
        shutil.copyfile(entry.path, copy)
        check_backup(copy, key_hex, shown=Path(entry.name))
    finally:
        with contextlib.suppress(FileNotFoundError):
            copy.unlink()
    staged = PendingRestore(entry.name, now, by)
    _write(
        settings.data_dir / PENDING_FILE,
        {"name": entry.name, "staged_at": now.isoformat(), "by": by},
    )
    log.info("restore_staged", backup=entry.name, by=by)
    return staged


def cancel_pending(settings: Settings) -> bool:
    try:
        (settings.data_dir / PENDING_FILE).unlink()
    except FileNotFoundError:
        return False
    log.info("restore_unstaged")
    return True


def _check_not_in_use(settings: Settings, key_hex: str) -> None:
    """Raise DatabaseInUse when a running service (or anything else) has the database open."""
    with exclusive_database(settings.sqlite_path, key_hex):
        pass


def apply_pending(settings: Settings, key_hex: str, *, now: datetime) -> RestoreOutcome | None:
    """At start, before the database is opened: run the staged restore, if there is one."""
    marker = settings.data_dir / PENDING_FILE
    if not marker.exists():
        return None
    staged = pending_restore(settings)
    name = staged.name if staged is not None else "?"
    try:
        if staged is not None:
            _check_not_in_use(settings, key_hex)
    except DatabaseInUse as exc:  # another process serves this database: leave it staged
        log.warning("staged_restore_postponed", backup=name, reason=str(exc))
        return None
    try:
        if staged is None:
            raise BackupError(f"{marker} is unreadable; stage the restore again")
        entry = find_entry(settings.backups_dir, staged.name)
        if entry is None:
            raise BackupError(f"{staged.name} is no longer in {settings.backups_dir}")
        result = restore_backup(settings, key_hex, entry.path, now=now)
        kept = (
            f"; the replaced database is kept as {result.replaced.name}" if result.replaced else ""
        )
        outcome = RestoreOutcome(
            name,
            now,
            True,
            f"restored (schema {result.restored_revision}, now {result.revision}){kept}",
        )
        log.info("staged_restore_done", backup=name)
    except (BackupError, OSError) as exc:
        outcome = RestoreOutcome(name, now, False, str(exc))
        log.error("staged_restore_failed", backup=name, error=str(exc))
    finally:
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()
    _write(
        settings.data_dir / OUTCOME_FILE,
        {
            "name": outcome.name,
            "at": outcome.at.isoformat(),
            "ok": "yes" if outcome.ok else "no",
            "detail": outcome.detail,
        },
    )
    return outcome
