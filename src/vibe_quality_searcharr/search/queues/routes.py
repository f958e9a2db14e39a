"""JSON API of the search queues under /api/v1/queues (thin: parse, authorize, call).

Reading needs any signed-in user; every change needs a write-capable admin. Preview and run
live on their own router (`search.runs`). The fixed paths (`/presets`, `/bulk`) are declared
before `/{queue_id}` so they are never read as an id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.search.queues.repository import QueueFilters
from vibe_quality_searcharr.search.queues.schemas import (
    PresetRead,
    QueueBulk,
    QueueBulkResult,
    QueueClone,
    QueueCreate,
    QueuePage,
    QueueRead,
    QueueUpdate,
)
from vibe_quality_searcharr.search.queues.service import QueueService, list_presets
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/queues", tags=["queues"])

PageNumber = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]
IdFilter = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _service(session: DbSession) -> QueueService:
    return QueueService(session)


Service = Annotated[QueueService, Depends(_service)]


def _created(response: Response, queue: QueueRead) -> QueueRead:
    response.headers["Location"] = f"/api/v1/queues/{queue.id}"
    return queue


@router.get("/presets", response_model=list[PresetRead])
def presets(_user: CurrentUser) -> list[PresetRead]:
    """The built-in presets; `POST /api/v1/queues` with `preset` starts from one."""
    return list_presets()


@router.get("", response_model=QueuePage)
def list_queues(
    _user: CurrentUser,
    service: Service,
    page: PageNumber = 1,
    page_size: PageSize = 50,
    instance_id: IdFilter = None,
    enabled: bool | None = None,
    paused: bool | None = None,
) -> QueuePage:
    filters = QueueFilters(instance_id=instance_id, enabled=enabled, paused=paused)
    return service.list_page(filters, page, page_size)


@router.post("", response_model=QueueRead, status_code=201)
def create_queue(
    _user: WriteUser, service: Service, data: QueueCreate, response: Response
) -> QueueRead:
    return _created(response, service.create(data))


@router.post("/bulk", response_model=QueueBulkResult)
def bulk_action(_user: WriteUser, service: Service, data: QueueBulk) -> QueueBulkResult:
    """Pause, resume, enable, disable or delete several queues: all of them or none."""
    return service.bulk(data)


@router.get("/{queue_id}", response_model=QueueRead)
def read_queue(_user: CurrentUser, service: Service, queue_id: ResourceId) -> QueueRead:
    return service.read(queue_id)


@router.put("/{queue_id}", response_model=QueueRead, operation_id="replace_queue")
@router.patch("/{queue_id}", response_model=QueueRead, operation_id="update_queue")
def update_queue(
    _user: WriteUser, service: Service, queue_id: ResourceId, data: QueueUpdate
) -> QueueRead:
    """Change the fields given; `options` are merged into the stored ones key by key."""
    return service.update(queue_id, data)


@router.delete("/{queue_id}", status_code=204)
def delete_queue(_user: WriteUser, service: Service, queue_id: ResourceId) -> Response:
    """History keeps its rows (with the queue's name); only their link to the queue goes."""
    service.delete(queue_id)
    return Response(status_code=204)


@router.post("/{queue_id}/clone", response_model=QueueRead, status_code=201)
def clone_queue(
    _user: WriteUser,
    service: Service,
    queue_id: ResourceId,
    response: Response,
    data: Annotated[QueueClone | None, Body()] = None,
) -> QueueRead:
    """A paused copy of the configuration (not the history)."""
    return _created(response, service.clone(queue_id, data or QueueClone()))


@router.post("/{queue_id}/pause", response_model=QueueRead)
def pause_queue(_user: WriteUser, service: Service, queue_id: ResourceId) -> QueueRead:
    return service.set_paused(queue_id, True)


@router.post("/{queue_id}/resume", response_model=QueueRead)
def resume_queue(_user: WriteUser, service: Service, queue_id: ResourceId) -> QueueRead:
    return service.set_paused(queue_id, False)
