"""`GET /api/v1/system/database`: admins only (it reads the whole file and names its size)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from vibe_quality_searcharr.deps import Context, DbSession
from vibe_quality_searcharr.security.principal import AdminUser
from vibe_quality_searcharr.system.schemas import DatabaseReport
from vibe_quality_searcharr.system.service import database_report

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/system", tags=["system"])


@router.get("/database", response_model=DatabaseReport)
def get_database(
    _admin: AdminUser,
    session: DbSession,
    context: Context,
    full: Annotated[
        bool, Query(description="Run the full integrity_check instead of quick_check.")
    ] = False,
) -> DatabaseReport:
    return database_report(session, context.database, full=full)
