"""JSON API of the library: the mirror's items and parents, and its sync (thin: parse,
authorize, call). Reading needs a signed-in user; starting a sync needs write access."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.errors import Conflict
from vibe_quality_searcharr.inputs import refuse_nul
from vibe_quality_searcharr.library.jobs import get_library_sync
from vibe_quality_searcharr.library.repository import ItemFilters
from vibe_quality_searcharr.library.schemas import ItemPage, ParentPage, SyncStateRead
from vibe_quality_searcharr.library.service import LibraryService
from vibe_quality_searcharr.library.sync import LibrarySync
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser

__all__ = ["instance_router", "router"]

router = APIRouter(prefix="/api/v1/library", tags=["library"])
instance_router = APIRouter(prefix="/api/v1/instances", tags=["library"])

Syncer = Annotated[LibrarySync, Depends(get_library_sync)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]
ArrId = Annotated[int, Query(ge=1, le=2**31 - 1)]
Search = Annotated[
    str,
    Query(min_length=1, max_length=200, description="title contains"),
    AfterValidator(refuse_nul),
]


def _state(context: Context, syncer: LibrarySync, instance_id: int) -> SyncStateRead:
    with context.database.session_scope() as session:
        return LibraryService(session).sync_state(
            instance_id,
            running=syncer.is_running(instance_id),
            progress=syncer.progress.get(instance_id),
        )


@instance_router.get("/{instance_id}/sync", response_model=SyncStateRead)
def read_sync_state(
    _user: CurrentUser, session: DbSession, syncer: Syncer, instance_id: ResourceId
) -> SyncStateRead:
    return LibraryService(session).sync_state(
        instance_id,
        running=syncer.is_running(instance_id),
        progress=syncer.progress.get(instance_id),
    )


@instance_router.post(
    "/{instance_id}/sync", response_model=SyncStateRead, status_code=202, responses={409: {}}
)
async def start_sync(
    _user: WriteUser, context: Context, syncer: Syncer, instance_id: ResourceId
) -> JSONResponse:
    """Start a sync now (202 with the state); one already running is not started twice."""

    def check() -> None:
        with context.database.session_scope() as session:
            instance = LibraryService(session).instance(instance_id)
            if instance.app == ArrApp.PROWLARR.value:
                raise Conflict("Prowlarr has no library to sync.")
            if not instance.enabled:
                raise Conflict(f"{instance.name} is disabled; enable it to sync its library.")

    await anyio.to_thread.run_sync(check)
    syncer.start(instance_id)
    state = await anyio.to_thread.run_sync(_state, context, syncer, instance_id)
    return JSONResponse(state.model_dump(mode="json"), status_code=202)


@router.get("/{instance_id}/items", response_model=ItemPage)
def list_items(
    _user: CurrentUser,
    session: DbSession,
    instance_id: ResourceId,
    wanted: Literal["missing", "cutoff_unmet", "format_upgrade"] | None = None,
    parent_id: ArrId | None = None,
    q: Search | None = None,
    monitored: bool | None = None,
    excluded: bool | None = None,
    sort: Literal["title", "released", "last_searched"] = "title",
    direction: Literal["asc", "desc"] = "asc",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> ItemPage:
    filters = ItemFilters(
        wanted=wanted,
        parent_id=parent_id,
        q=q,
        monitored=monitored,
        excluded=excluded,
        sort=sort,
        descending=direction == "desc",
    )
    return LibraryService(session).items(instance_id, filters, utcnow(), page, page_size)


@router.get("/{instance_id}/parents", response_model=ParentPage)
def list_parents(
    _user: CurrentUser,
    session: DbSession,
    instance_id: ResourceId,
    q: Search | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> ParentPage:
    """Series, artists or authors with their completion (movies have none)."""
    return LibraryService(session).parents(instance_id, q, utcnow(), page, page_size)
