"""The files in `<data>/backups/` that the UI and the API may show, hand out and delete.

Two kinds, told apart by name: `vqs-backup-<UTC>.db` (taken by `vqs backup`, the schedule or
"Back up now") and `replaced-<UTC>.db` (the database a restore set aside, so a restore can be
undone). A name from a request is only ever matched against this pattern and looked up in the
folder: no path is built from user text, so `../secrets/master_secret` is simply not found.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from vibe_quality_searcharr.backups.files import fsync_dir, parse_stamp

__all__ = ["NAME_PATTERN", "BackupEntry", "BackupKind", "delete_entry", "entries", "find_entry"]

BackupKind = Literal["backup", "replaced"]
NAME_PATTERN = r"^(vqs-backup|replaced)-[0-9]{8}T[0-9]{6}Z\.db$"
_NAME = re.compile(NAME_PATTERN)
_KINDS: dict[str, BackupKind] = {"vqs-backup": "backup", "replaced": "replaced"}


@dataclass(frozen=True)
class BackupEntry:
    name: str
    kind: BackupKind
    taken_at: datetime
    size_bytes: int
    path: Path


def _entry(path: Path) -> BackupEntry | None:
    match = _NAME.fullmatch(path.name)
    if match is None:
        return None
    taken = parse_stamp(path.name[len(match.group(1)) + 1 : -len(".db")])
    if taken is None:
        return None
    try:
        if not path.is_file() or path.is_symlink():
            return None
        size = path.stat().st_size
    except OSError:
        return None
    return BackupEntry(path.name, _KINDS[match.group(1)], taken, size, path)


def entries(directory: Path) -> list[BackupEntry]:
    """Every backup and set-aside database in `directory`, newest first."""
    if not directory.is_dir():
        return []
    found = [entry for path in directory.iterdir() if (entry := _entry(path)) is not None]
    return sorted(found, key=lambda entry: (entry.taken_at, entry.name), reverse=True)


def find_entry(directory: Path, name: str) -> BackupEntry | None:
    if not _NAME.fullmatch(name):
        return None
    return _entry(directory / name)


def delete_entry(entry: BackupEntry) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(entry.path)
    fsync_dir(entry.path.parent)
