"""The backups as the running service offers them to admins (the API and Settings > Backups).

Thin over `service` (take), `catalog` (list, find, delete) and `staged` (restore at the next
start): this module only turns their refusals into the app's errors (a damaged or foreign
backup is 422, anything else that stops an operation 409, an unknown name 404) and knows that
PostgreSQL installs have no file backups.
"""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path

from vibe_quality_searcharr.backups import catalog, staged
from vibe_quality_searcharr.backups.catalog import BackupEntry
from vibe_quality_searcharr.backups.errors import PG_DUMP_HINT, BackupError, BackupRejected
from vibe_quality_searcharr.backups.service import create_backup
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "BackupRefused",
    "entries",
    "get_entry",
    "remove",
    "restore_command",
    "stage",
    "supported",
    "take_now",
]


class BackupRefused(Conflict):
    kind = "backup_refused"


def supported(context: AppContext) -> bool:
    return context.database.sqlite_path is not None


def _require(context: AppContext) -> None:
    if not supported(context):
        raise BackupRefused(f"No file backups here: {PG_DUMP_HINT}.")


def entries(context: AppContext) -> list[BackupEntry]:
    return catalog.entries(context.settings.backups_dir) if supported(context) else []


def get_entry(context: AppContext, name: str) -> BackupEntry:
    entry = catalog.find_entry(context.settings.backups_dir, name) if supported(context) else None
    if entry is None:
        raise NotFound(f"There is no backup named {name[:80]!r}.")
    return entry


def take_now(context: AppContext, now: datetime) -> BackupEntry:
    _require(context)
    try:
        result = create_backup(context.settings, context.secrets.database_key, now=now)
    except BackupError as exc:
        raise BackupRefused(f"No backup was taken: {exc}.") from None
    return get_entry(context, result.path.name)


def remove(context: AppContext, name: str) -> BackupEntry:
    entry = get_entry(context, name)
    pending = staged.pending_restore(context.settings)
    if pending is not None and pending.name == name:
        raise BackupRefused(
            f"{name} is staged to be restored at the next start; cancel that first."
        )
    catalog.delete_entry(entry)
    return entry


def stage(context: AppContext, name: str, now: datetime, by: str) -> staged.PendingRestore:
    entry = get_entry(context, name)
    try:
        return staged.stage_restore(
            context.settings, context.secrets.database_key, entry, now=now, by=by
        )
    except BackupRejected as exc:
        raise InvalidInput(
            f"This backup cannot be restored: {exc}.", fields={"name": str(exc)}
        ) from None
    except (BackupError, OSError) as exc:
        raise BackupRefused(f"Nothing was staged: {exc}.") from None


def restore_command(context: AppContext, name: str) -> str:
    """The command an operator runs with the service stopped, for a restore right now."""
    data_dir: Path = context.settings.data_dir.resolve()
    path = context.settings.backups_dir.resolve() / name
    return f"VQS_DATA_DIR={shlex.quote(str(data_dir))} vqs restore {shlex.quote(str(path))}"
