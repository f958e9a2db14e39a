"""JSON API of notification targets under /api/v1/notifications (thin: parse, authorize, call).

No response carries the Apprise URL (it holds tokens): `url_set`, `scheme` and `service` say
what is stored. Changing targets and sending a test need a write-capable admin.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.notifications.dispatch import NotificationDispatcher
from vibe_quality_searcharr.notifications.schemas import (
    NotificationCreate,
    NotificationPage,
    NotificationRead,
    NotificationUpdate,
    TestResult,
)
from vibe_quality_searcharr.notifications.service import NotificationService, to_read, url_box
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser

__all__ = ["Dispatcher", "Service", "get_dispatcher", "router"]

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])

PageNumber = Annotated[int, Query(ge=1, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]


def get_dispatcher(request: Request) -> NotificationDispatcher:
    dispatcher: NotificationDispatcher = request.app.state.notifications
    return dispatcher


def _service(session: DbSession, context: Context) -> NotificationService:
    return NotificationService(session, url_box(context.secrets.master_secret))


Service = Annotated[NotificationService, Depends(_service)]
Dispatcher = Annotated[NotificationDispatcher, Depends(get_dispatcher)]


@router.get("", response_model=NotificationPage)
def list_notifications(
    _user: CurrentUser, service: Service, page: PageNumber = 1, page_size: PageSize = 50
) -> NotificationPage:
    return service.list_page(page, page_size)


@router.post("", response_model=NotificationRead, status_code=201)
def create_notification(
    _user: WriteUser, service: Service, data: NotificationCreate, response: Response
) -> NotificationRead:
    target = service.create(data)
    response.headers["Location"] = f"/api/v1/notifications/{target.id}"
    return to_read(target)


@router.get("/{target_id}", response_model=NotificationRead)
def read_notification(
    _user: CurrentUser, service: Service, target_id: ResourceId
) -> NotificationRead:
    return to_read(service.get(target_id))


@router.put("/{target_id}", response_model=NotificationRead, operation_id="replace_notification")
@router.patch("/{target_id}", response_model=NotificationRead, operation_id="update_notification")
def update_notification(
    _user: WriteUser,
    service: Service,
    dispatcher: Dispatcher,
    target_id: ResourceId,
    data: NotificationUpdate,
) -> NotificationRead:
    """Change some fields; without `url` the stored URL is kept."""
    target = service.update(target_id, data)
    dispatcher.forget(target_id)
    return to_read(target)


@router.delete("/{target_id}", status_code=204)
def delete_notification(
    _user: WriteUser, service: Service, dispatcher: Dispatcher, target_id: ResourceId
) -> Response:
    service.delete(target_id)
    dispatcher.forget(target_id)
    return Response(status_code=204)


@router.post("/{target_id}/test", response_model=TestResult)
def send_test(_user: WriteUser, dispatcher: Dispatcher, target_id: ResourceId) -> TestResult:
    """Send a test message now (not rate limited); the outcome is also kept on the target."""
    delivery = dispatcher.send_test(target_id)
    if delivery is None:
        raise NotFound(f"Notification target {target_id} does not exist.")
    return TestResult(ok=delivery.ok, error=delivery.error)
