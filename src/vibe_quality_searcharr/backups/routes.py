"""JSON API of the database backups under /api/v1/backups (admins; thin: parse, authorize, call).

A backup holds every stored secret (encrypted with the database key), so even listing them is
for admins only; taking, deleting and staging a restore need a write-capable admin. Downloads
are streamed from the file, never read into memory.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import FileResponse

from vibe_quality_searcharr.backups import manage, staged
from vibe_quality_searcharr.backups.catalog import NAME_PATTERN, BackupEntry
from vibe_quality_searcharr.backups.schemas import (
    BackupList,
    BackupRead,
    RestoreOutcomeRead,
    RestoreStage,
    RestoreStatus,
)
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.deps import Context
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser

__all__ = ["BackupName", "download_response", "restore_status", "router", "to_read"]

router = APIRouter(prefix="/api/v1/backups", tags=["backups"])

BackupName = Annotated[str, Path(pattern=NAME_PATTERN, max_length=64)]
"""A backup named in a path: only names of the catalog's pattern get past validation."""
PageNumber = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]


def to_read(entry: BackupEntry) -> BackupRead:
    return BackupRead(
        name=entry.name, kind=entry.kind, size_bytes=entry.size_bytes, created_at=entry.taken_at
    )


def download_response(entry: BackupEntry) -> FileResponse:
    return FileResponse(
        entry.path,
        media_type="application/octet-stream",
        filename=entry.name,
        headers={"Cache-Control": "no-store"},
    )


def restore_status(context: AppContext) -> RestoreStatus:
    pending = staged.pending_restore(context.settings)
    last = staged.last_outcome(context.settings)
    return RestoreStatus(
        pending=pending.name if pending else None,
        staged_at=pending.staged_at if pending else None,
        staged_by=pending.staged_by if pending else None,
        last=RestoreOutcomeRead(name=last.name, at=last.at, ok=last.ok, detail=last.detail)
        if last
        else None,
        command=manage.restore_command(context, pending.name) if pending else None,
    )


@router.get("", response_model=BackupList)
def list_backups(
    _admin: AdminUser, context: Context, page: PageNumber = 1, page_size: PageSize = 50
) -> BackupList:
    found = manage.entries(context)
    start = (page - 1) * page_size
    return BackupList(
        items=[to_read(entry) for entry in found[start : start + page_size]],
        total=len(found),
        page=page,
        page_size=page_size,
        schedule=context.settings.backup_schedule,
        keep=context.settings.backup_keep,
    )


@router.post("", response_model=BackupRead, status_code=201)
def take_backup(_admin: WriteUser, context: Context, now: Now, response: Response) -> BackupRead:
    """Back up the database now (online: searches go on meanwhile)."""
    entry = manage.take_now(context, now)
    response.headers["Location"] = f"/api/v1/backups/{entry.name}/download"
    return to_read(entry)


@router.get("/restore", response_model=RestoreStatus)
def get_restore(_admin: AdminUser, context: Context) -> RestoreStatus:
    """The restore staged for the next start, and how the last one went."""
    return restore_status(context)


@router.post("/restore", response_model=RestoreStatus, status_code=202)
def stage_restore(
    admin: WriteUser, context: Context, now: Now, data: RestoreStage
) -> RestoreStatus:
    """Check a backup and restore it at the next start (the live database is never swapped
    under the running service); restart the service to apply it."""
    manage.stage(context, data.name, now, admin.username)
    return restore_status(context)


@router.delete("/restore", status_code=204)
def cancel_restore(_admin: WriteUser, context: Context) -> Response:
    staged.cancel_pending(context.settings)
    return Response(status_code=204)


@router.get(
    "/{name}/download",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_backup(_admin: AdminUser, context: Context, name: BackupName) -> FileResponse:
    """The encrypted backup file; it opens only with this install's `secrets/database_key`."""
    return download_response(manage.get_entry(context, name))


@router.delete("/{name}", status_code=204)
def delete_backup(_admin: WriteUser, context: Context, name: BackupName) -> Response:
    manage.remove(context, name)
    return Response(status_code=204)
