"""What the backups API returns. A backup is named, never addressed by a path: the folder is
the server's business (`backups_dir`), and names are checked against `catalog.NAME_PATTERN`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from vibe_quality_searcharr.backups.catalog import NAME_PATTERN

__all__ = ["BackupList", "BackupRead", "RestoreOutcomeRead", "RestoreStage", "RestoreStatus"]


class BackupRead(BaseModel):
    name: str
    kind: Literal["backup", "replaced"] = Field(
        description="backup: taken by the app; replaced: the database a restore set aside"
    )
    size_bytes: int
    created_at: datetime


class BackupList(BaseModel):
    items: list[BackupRead]
    total: int
    page: int
    page_size: int
    schedule: str = Field(description="VQS_BACKUP_SCHEDULE: off, hourly, daily or weekly")
    keep: int = Field(description="VQS_BACKUP_KEEP: how many scheduled backups are kept")


class RestoreStage(BaseModel):
    name: str = Field(pattern=NAME_PATTERN, description="the backup to restore at next start")


class RestoreOutcomeRead(BaseModel):
    name: str
    at: datetime
    ok: bool
    detail: str


class RestoreStatus(BaseModel):
    pending: str | None = Field(description="the backup restored at the next start, if any")
    staged_at: datetime | None = None
    staged_by: str | None = None
    last: RestoreOutcomeRead | None = None
    command: str | None = Field(
        None, description="the command that restores the staged backup with the service stopped"
    )
