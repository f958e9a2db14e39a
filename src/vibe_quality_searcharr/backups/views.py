"""Settings > Backups (admins): the backups with their size and age, "Back up now", download,
delete with a confirmation, and a restore staged for the next start.

The same `manage` functions as `/api/v1/backups`. The live database is never replaced under
the running service: choosing a backup stages it (checked first), the page says to restart,
and shows the `vqs restore` command for those who would rather stop the service and run it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from vibe_quality_searcharr.backups import manage, staged
from vibe_quality_searcharr.backups.errors import PG_DUMP_HINT
from vibe_quality_searcharr.backups.routes import BackupName, download_response, restore_status
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.deps import Context
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser
from vibe_quality_searcharr.users.settings_views import render_settings
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import redirect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE = "/settings/backups"


def _page(
    request: Request, context: AppContext, status_code: int = 200, **values: Any
) -> HTMLResponse:
    return render_settings(
        request,
        "settings/backups.html",
        status_code,
        supported=manage.supported(context),
        pg_hint=PG_DUMP_HINT,
        rows=manage.entries(context),
        schedule=context.settings.backup_schedule,
        keep=context.settings.backup_keep,
        restore=restore_status(context),
        **values,
    )


@router.get(_PAGE, response_class=HTMLResponse)
def backups_page(request: Request, _admin: AdminUser, context: Context) -> HTMLResponse:
    return _page(request, context)


@router.post(_PAGE, response_class=HTMLResponse)
def back_up_now(request: Request, _admin: WriteUser, context: Context, now: Now) -> Response:
    try:
        entry = manage.take_now(context, now)
    except AppError as exc:
        flash(request, exc.detail, "error")
        return _page(request, context, exc.status_code)
    flash(request, f"Backup {entry.name} taken.")
    return redirect(request, _PAGE)


@router.get(_PAGE + "/{name}/download")
def download(_admin: AdminUser, context: Context, name: BackupName) -> FileResponse:
    return download_response(manage.get_entry(context, name))


def _confirm(
    request: Request, context: AppContext, name: str, action: Literal["delete", "restore"]
) -> HTMLResponse:
    entry = manage.get_entry(context, name)
    return render_settings(
        request,
        "settings/backup_confirm.html",
        entry=entry,
        action=action,
        command=manage.restore_command(context, entry.name),
    )


def _confirmed(
    request: Request, context: AppContext, act: Callable[[], object], done: str
) -> Response:
    """Carry out a confirmed delete or restore. A backup gone meanwhile is the 404 page, as
    for its confirmation page; any other refusal is flashed over the list, nothing changed."""
    try:
        act()
    except AppError as exc:
        if exc.status_code == 404:
            raise
        flash(request, exc.detail, "error")
        return _page(request, context, exc.status_code)
    flash(request, done)
    return redirect(request, _PAGE)


@router.get(_PAGE + "/{name}/delete", response_class=HTMLResponse)
def delete_page(
    request: Request, _admin: WriteUser, context: Context, name: BackupName
) -> HTMLResponse:
    return _confirm(request, context, name, "delete")


@router.post(_PAGE + "/{name}/delete", response_class=HTMLResponse)
def delete_submit(
    request: Request, _admin: WriteUser, context: Context, name: BackupName
) -> Response:
    return _confirmed(request, context, lambda: manage.remove(context, name), f"Deleted {name}.")


@router.get(_PAGE + "/{name}/restore", response_class=HTMLResponse)
def restore_page(
    request: Request, _admin: WriteUser, context: Context, name: BackupName
) -> HTMLResponse:
    return _confirm(request, context, name, "restore")


@router.post(_PAGE + "/{name}/restore", response_class=HTMLResponse)
def restore_submit(
    request: Request, admin: WriteUser, context: Context, now: Now, name: BackupName
) -> Response:
    return _confirmed(
        request,
        context,
        lambda: manage.stage(context, name, now, admin.username),
        f"{name} will be restored when the service next starts: restart it now.",
    )


@router.post(_PAGE + "/restore/cancel", response_class=HTMLResponse)
def cancel_restore(request: Request, _admin: WriteUser, context: Context) -> Response:
    if staged.cancel_pending(context.settings):
        flash(request, "The staged restore is cancelled; the next start keeps this database.")
    return redirect(request, _PAGE)
