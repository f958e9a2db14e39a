"""The database settings page (admins): backend, size, schema revision and an integrity check
on demand, from the same report as `GET /api/v1/system/database`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.deps import Context, DbSession
from vibe_quality_searcharr.security.principal import AdminUser
from vibe_quality_searcharr.system.service import database_report
from vibe_quality_searcharr.users.settings_views import render_settings

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/settings/database", response_class=HTMLResponse)
def database_page(
    request: Request,
    _admin: AdminUser,
    session: DbSession,
    context: Context,
    full: Annotated[bool, Query(description="run the full integrity_check")] = False,
) -> HTMLResponse:
    """A GET: checking changes nothing, so the page can be reloaded and needs no token."""
    report = database_report(session, context.database, full=full)
    return render_settings(request, "settings/database.html", report=report, full=full)
