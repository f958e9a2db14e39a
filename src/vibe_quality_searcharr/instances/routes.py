"""JSON API of the instances domain under /api/v1/instances (thin: parse, authorize, call).

No response model has an API key field; responses say `api_key_set`. Changing anything and
testing connections (which make outbound requests) need a write-capable admin; reading needs
any signed-in user.
"""

from __future__ import annotations

from typing import Annotated

import anyio.from_thread
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.connection import ConnectionTarget, Connector
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.schemas import (
    ConnectionTestRequest,
    ConnectionTestResult,
    HealthEventRead,
    InstanceCreate,
    InstancePage,
    InstanceRead,
    InstanceTestOverrides,
    InstanceUpdate,
)
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box, to_read
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser

__all__ = ["INTERACTIVE", "announce_created", "get_connector", "router"]

router = APIRouter(prefix="/api/v1/instances", tags=["instances"])


def announce_created(session: Session, events: EventBus, instance: Instance) -> None:
    """Publish `instance.created` once the request's transaction has committed, whichever way
    the instance was added (API, page, setup wizard): the library syncs it then."""
    created = {"instance_id": instance.id, "name": instance.name, "app": instance.app}
    event.listen(
        session,
        "after_commit",
        lambda _session: events.publish("instance.created", **created),
        once=True,
    )


# Someone is waiting on a connection test: one retry at most and a shorter read timeout.
INTERACTIVE = ClientOptions(read_timeout=10.0, retry=RetryPolicy(retries=1))


def get_connector(request: Request) -> Connector:
    """The connector for connection tests; `app.state.arr_connector` replaces it (tests)."""
    connector: Connector | None = getattr(request.app.state, "arr_connector", None)
    return connector or Connector(options=INTERACTIVE)


Connect = Annotated[Connector, Depends(get_connector)]
PageNumber = Annotated[int, Query(ge=1, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]


class HealthEventPage(BaseModel):
    items: list[HealthEventRead]
    total: int
    page: int
    page_size: int


def _service(session: DbSession, context: Context) -> InstanceService:
    return InstanceService(session, api_key_box(context.secrets.master_secret))


Service = Annotated[InstanceService, Depends(_service)]


@router.get("", response_model=InstancePage)
def list_instances(
    _user: CurrentUser, service: Service, page: PageNumber = 1, page_size: PageSize = 50
) -> InstancePage:
    return service.list_page(page, page_size)


@router.post("", response_model=InstanceRead, status_code=201)
def create_instance(
    _user: WriteUser,
    service: Service,
    context: Context,
    data: InstanceCreate,
    response: Response,
) -> InstanceRead:
    instance = service.create(data)
    response.headers["Location"] = f"/api/v1/instances/{instance.id}"
    announce_created(service.repo.session, context.events, instance)
    return to_read(instance)


@router.post("/test", response_model=ConnectionTestResult)
async def try_new_connection(
    _user: WriteUser, data: ConnectionTestRequest, connector: Connect
) -> ConnectionTestResult:
    """Try a URL and key before saving them; nothing is stored."""
    target = ConnectionTarget(
        app=data.app, url=data.url, api_key=data.api_key.get_secret_value(), name=data.name
    )
    return await connector.test(target)


@router.get("/{instance_id}", response_model=InstanceRead)
def read_instance(_user: CurrentUser, service: Service, instance_id: ResourceId) -> InstanceRead:
    return to_read(service.get(instance_id))


@router.put("/{instance_id}", response_model=InstanceRead, operation_id="replace_instance")
@router.patch("/{instance_id}", response_model=InstanceRead, operation_id="update_instance")
def update_instance(
    _user: WriteUser, service: Service, instance_id: ResourceId, data: InstanceUpdate
) -> InstanceRead:
    """Change some fields; without `api_key` the stored key is kept."""
    return to_read(service.update(instance_id, data))


@router.delete("/{instance_id}", status_code=204)
def delete_instance(_user: WriteUser, service: Service, instance_id: ResourceId) -> Response:
    service.delete(instance_id)
    return Response(status_code=204)


@router.post("/{instance_id}/test", response_model=ConnectionTestResult)
def try_saved_connection(
    _user: WriteUser,
    service: Service,
    connector: Connect,
    instance_id: ResourceId,
    overrides: Annotated[InstanceTestOverrides | None, Body()] = None,
) -> ConnectionTestResult:
    """Test a saved instance, optionally with edited URL/app/key (nothing is stored)."""
    target = service.target(service.get(instance_id), overrides)
    return anyio.from_thread.run(connector.test, target)


@router.get("/{instance_id}/health/events", response_model=HealthEventPage)
def health_events(
    _user: CurrentUser,
    service: Service,
    instance_id: ResourceId,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> HealthEventPage:
    service.get(instance_id)
    rows, total = service.repo.health_events(instance_id, (page - 1) * page_size, page_size)
    return HealthEventPage(
        items=[HealthEventRead.model_validate(row) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )
