"""Grab rates: `GET /api/v1/queues/{id}/stats` and `GET /api/v1/instances/{id}/stats`."""

from __future__ import annotations

from fastapi import APIRouter, Request

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.search.feedback.stats import StatsRead, instance_stats, queue_stats
from vibe_quality_searcharr.security.clock import app_clock
from vibe_quality_searcharr.security.principal import CurrentUser

__all__ = ["instance_router", "queue_router"]

queue_router = APIRouter(prefix="/api/v1/queues", tags=["queues"])
instance_router = APIRouter(prefix="/api/v1/instances", tags=["instances"])


@queue_router.get("/{queue_id}/stats", response_model=StatsRead)
def get_queue_stats(
    _user: CurrentUser, request: Request, session: DbSession, queue_id: ResourceId
) -> StatsRead:
    """Search commands sent, items they searched, items grabbed and imported, and the grab
    rate (items grabbed / items searched) over the last 7 and 30 days."""
    return queue_stats(session, queue_id, app_clock(request.app)())


@instance_router.get("/{instance_id}/stats", response_model=StatsRead)
def get_instance_stats(
    _user: CurrentUser, request: Request, session: DbSession, instance_id: ResourceId
) -> StatsRead:
    """The same figures for every queue of the instance together."""
    return instance_stats(session, instance_id, app_clock(request.app)())
