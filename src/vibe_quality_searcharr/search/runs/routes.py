"""JSON API of runs: preview and run a queue (`/api/v1/queues/{id}/preview`, `/run`) and read
runs (`/api/v1/runs`). Thin: parse, authorize, call."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.search.runs.repository import (
    command_items,
    commands_of_run,
    get_run,
    runs_page,
)
from vibe_quality_searcharr.search.runs.schemas import (
    CommandItemRead,
    PreviewRead,
    RunCommandRead,
    RunDetail,
    RunPage,
    RunRead,
    RunStarted,
)
from vibe_quality_searcharr.search.runs.service import (
    DEFAULT_SKIPPED_LIMIT,
    MAX_SKIPPED_LIMIT,
    preview_queue,
)
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser

__all__ = ["queue_router", "router"]

queue_router = APIRouter(prefix="/api/v1/queues", tags=["runs"])
router = APIRouter(prefix="/api/v1/runs", tags=["runs"])

PageNumber = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]
OptionalId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


@queue_router.post("/{queue_id}/preview", response_model=PreviewRead)
async def preview(
    _user: WriteUser,
    request: Request,
    queue_id: ResourceId,
    skipped_limit: Annotated[
        int, Query(ge=0, le=MAX_SKIPPED_LIMIT, description="skipped items to list")
    ] = DEFAULT_SKIPPED_LIMIT,
) -> PreviewRead:
    """The plan the next run would execute (same seed); asks the *arr what it is busy with,
    sends nothing, stores nothing."""
    return await preview_queue(
        registry_of(request.app).executor, queue_id, skipped_limit=skipped_limit
    )


@queue_router.post("/{queue_id}/run", response_model=RunStarted, status_code=202)
async def run_now(_user: WriteUser, request: Request, queue_id: ResourceId) -> RunStarted:
    """Start a run now; it goes on in the background. 409 while the queue is running."""
    started = await registry_of(request.app).start(queue_id, "manual")
    return RunStarted(run_id=started.run_id, status=started.status)


@router.get("", response_model=RunPage)
def list_runs(
    _user: CurrentUser,
    session: DbSession,
    page: PageNumber = 1,
    page_size: PageSize = 50,
    queue_id: OptionalId = None,
    instance_id: OptionalId = None,
    status: Literal["running", "completed", "held", "failed", "interrupted"] | None = None,
) -> RunPage:
    rows, total = runs_page(
        session,
        (page - 1) * page_size,
        page_size,
        queue_id=queue_id,
        instance_id=instance_id,
        status=status,
    )
    return RunPage(
        items=[RunRead.model_validate(row) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


@router.get("/{run_id}", response_model=RunDetail)
def read_run(_user: CurrentUser, session: DbSession, run_id: ResourceId) -> RunDetail:
    run = get_run(session, run_id)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    commands = commands_of_run(session, run_id)
    items = command_items(session, [command.id for command in commands])
    return RunDetail(
        **RunRead.model_validate(run).model_dump(),
        commands=[
            RunCommandRead.model_validate(command).model_copy(
                update={
                    "items": [
                        CommandItemRead.model_validate(item) for item in items.get(command.id, [])
                    ]
                }
            )
            for command in commands
        ],
    )
