"""Budget API under /api/v1/instances/{id}: the instance's limits (read; replace with a
write-capable admin) and its budget now (Prowlarr read live). Thin: parse, authorize, call."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request

from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.search.budgets.api import (
    budget_inputs,
    budget_read,
    read_limits,
    replace_limits,
)
from vibe_quality_searcharr.search.budgets.schemas import BudgetRead, LimitsRead, LimitsUpdate
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.security.clock import app_clock
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/instances", tags=["budgets"])


@router.get("/{instance_id}/limits", response_model=LimitsRead)
def get_limits(_user: CurrentUser, session: DbSession, instance_id: ResourceId) -> LimitsRead:
    """Hourly and daily caps in indexer queries, Prowlarr headroom and link."""
    return read_limits(session, instance_id)


@router.put("/{instance_id}/limits", response_model=LimitsRead)
def put_limits(
    _user: WriteUser, session: DbSession, instance_id: ResourceId, data: LimitsUpdate
) -> LimitsRead:
    """Replace the limits; a field left out takes its default (caps 10/hour, 100/day)."""
    return replace_limits(session, instance_id, data)


@router.get("/{instance_id}/budget", response_model=BudgetRead)
async def get_budget(
    _user: CurrentUser, request: Request, context: Context, instance_id: ResourceId
) -> BudgetRead:
    """Every limit in force now: the instance's caps and, when a Prowlarr applies, each of its
    indexers serving the instance (read live from Prowlarr: `live` is true)."""
    now = app_clock(request.app)()
    box = api_key_box(context.secrets.master_secret)

    def gather():  # type: ignore[no-untyped-def]
        with context.database.session_scope() as session:
            return budget_inputs(session, box, instance_id, now)

    inputs = await anyio.to_thread.run_sync(gather)
    executor = registry_of(request.app).executor
    return await budget_read(inputs, executor.connect, now, executor.prowlarr_views)
