"""`GET /api/v1/queues/{id}/forecast`: "N items, M per day, first full pass in about D days".

A route of its own rather than a field of every queue read: it walks a week of schedule slots
and counts the backlog in the mirror, which a list of 200 queues should not pay for.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.scheduling.forecasting import ForecastRead, queue_forecast
from vibe_quality_searcharr.security.clock import app_clock
from vibe_quality_searcharr.security.principal import CurrentUser

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/queues", tags=["queues"])


@router.get("/{queue_id}/forecast", response_model=ForecastRead)
def get_forecast(
    _user: CurrentUser, request: Request, session: DbSession, queue_id: ResourceId
) -> ForecastRead:
    return queue_forecast(session, queue_id, app_clock(request.app)())
