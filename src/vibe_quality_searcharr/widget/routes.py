"""`GET /api/v1/widget`: any signed-in principal, a read-only API token is enough."""

from __future__ import annotations

from fastapi import APIRouter, Request

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.deps import DbSession
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.widget.schemas import WidgetRead
from vibe_quality_searcharr.widget.service import summary

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/widget", tags=["widget"])


@router.get("", response_model=WidgetRead)
def widget(_user: CurrentUser, session: DbSession, request: Request) -> WidgetRead:
    clock = getattr(request.app.state, "clock", utcnow)
    return summary(session, clock())
