"""Settings > Notifications (admins): the targets, add and edit with "send test" before
saving, enable or disable, send a test, delete with a confirmation.

The pages call the same service and dispatcher as `/api/v1/notifications`. A target is shown
by its service and scheme only ("Discord, discord://…"): its URL holds credentials and never
reaches a page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from vibe_quality_searcharr.deps import ResourceId
from vibe_quality_searcharr.notifications.forms import (
    EVENT_CHOICES,
    TargetForm,
    save_form,
    test_form,
)
from vibe_quality_searcharr.notifications.kinds import SUBSCRIPTION_TITLES
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.routes import Dispatcher, Service
from vibe_quality_searcharr.notifications.schemas import NotificationUpdate
from vibe_quality_searcharr.notifications.service import NotificationService
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser
from vibe_quality_searcharr.users.settings_views import render_settings
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import is_fragment, redirect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE = "/settings/notifications"
_LIST_LIMIT = 200
_TITLES = {choice.value: title for choice, title in SUBSCRIPTION_TITLES.items()}


class PostedTarget(BaseModel):
    """What the new and the edit forms post, with the limits both refuse beyond.

    Checkboxes: an unticked one is simply absent, so no events means an empty list and no
    `enabled` means disabled. `action` is the button pressed: "save" or "test".
    """

    name: str = Field("", max_length=200)
    url: str = Field("", max_length=4096, repr=False)
    events: list[str] = []
    enabled: str | None = Field(None, max_length=10)
    action: str = Field("save", max_length=10)

    def form(self) -> TargetForm:
        return TargetForm(
            name=self.name, url=self.url, events=list(self.events), enabled=self.enabled is not None
        )


Posted = Annotated[PostedTarget, Form()]


def _form_page(
    request: Request,
    form: TargetForm,
    target: NotificationTarget | None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    return render_settings(
        request,
        "settings/notification_form.html",
        status_code,
        form=form,
        target=target,
        choices=EVENT_CHOICES,
        action=f"{_PAGE}/{target.id}/edit" if target else f"{_PAGE}/new",
        **values,
    )


def _tested(
    request: Request,
    form: TargetForm,
    target: NotificationTarget | None,
    delivery: object,
    errors: dict[str, str],
) -> HTMLResponse:
    """htmx gets the result box only; a browser without JavaScript the whole form again."""
    if is_fragment(request):
        return render_settings(
            request, "settings/_notification_test.html", result=delivery, errors=errors
        )
    ok = delivery is not None and not errors and getattr(delivery, "ok", False)
    return _form_page(request, form, target, 200 if ok else 422, result=delivery, errors=errors)


def _release(service: NotificationService) -> None:
    """End this request's transaction before the dispatcher sends: it records the outcome in a
    session of its own, which this one's write lock would block (SQLite has one writer)."""
    service.repo.session.rollback()


@router.get(_PAGE, response_class=HTMLResponse)
def list_page(request: Request, _admin: AdminUser, service: Service) -> HTMLResponse:
    rows, total = service.repo.page(0, _LIST_LIMIT)
    return render_settings(
        request, "settings/notifications.html", rows=rows, total=total, titles=_TITLES
    )


@router.get(_PAGE + "/new", response_class=HTMLResponse)
def new_page(request: Request, _admin: WriteUser) -> HTMLResponse:
    return _form_page(request, TargetForm(), None)


@router.post(_PAGE + "/new", response_class=HTMLResponse)
def new_submit(
    request: Request,
    _admin: WriteUser,
    service: Service,
    dispatcher: Dispatcher,
    posted: Posted,
) -> Response:
    form = posted.form()
    if posted.action == "test":
        delivery, errors = test_form(dispatcher, form, None)
        return _tested(request, form, None, delivery, errors)
    target, errors = save_form(service, form, None)
    if target is None:
        service.repo.session.rollback()
        return _form_page(request, form, None, 422, errors=errors)
    flash(request, f"Added {target.name} ({target.service}).")
    return redirect(request, _PAGE)


@router.get(_PAGE + "/{target_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, _admin: WriteUser, service: Service, target_id: ResourceId
) -> HTMLResponse:
    target = service.get(target_id)
    return _form_page(request, TargetForm.of(target), target)


@router.post(_PAGE + "/{target_id}/edit", response_class=HTMLResponse)
def edit_submit(
    request: Request,
    _admin: WriteUser,
    service: Service,
    dispatcher: Dispatcher,
    target_id: ResourceId,
    posted: Posted,
) -> Response:
    target = service.get(target_id)
    form = posted.form()
    form.url_set, form.service = True, TargetForm.of(target).service
    if posted.action == "test":
        _release(service)
        delivery, errors = test_form(dispatcher, form, target_id)
        return _tested(request, form, service.get(target_id), delivery, errors)
    saved, errors = save_form(service, form, target)
    if saved is None:
        service.repo.session.rollback()  # nothing of a refused edit may stick
        return _form_page(request, form, service.get(target_id), 422, errors=errors)
    dispatcher.forget(target_id)
    flash(request, f"Saved {saved.name}.")
    return redirect(request, _PAGE)


@router.post(_PAGE + "/{target_id}/test", response_class=HTMLResponse)
def send_test(
    request: Request,
    _admin: WriteUser,
    dispatcher: Dispatcher,
    service: Service,
    target_id: ResourceId,
) -> Response:
    name = service.get(target_id).name
    _release(service)
    delivery = dispatcher.send_test(target_id)
    if delivery is not None and delivery.ok:
        flash(request, f"Test message sent to {name}.")
    else:
        reason = delivery.error if delivery is not None else "the target is gone"
        flash(request, f"The test message to {name} failed: {reason}", "error")
    return redirect(request, _PAGE)


@router.post(_PAGE + "/{target_id}/enabled", response_class=HTMLResponse)
def set_enabled(
    request: Request,
    _admin: WriteUser,
    service: Service,
    dispatcher: Dispatcher,
    target_id: ResourceId,
    enabled: Annotated[bool, Form()],
) -> Response:
    target = service.update(target_id, NotificationUpdate(enabled=enabled))
    dispatcher.forget(target_id)
    flash(request, f"{target.name} {'enabled' if target.enabled else 'disabled'}.")
    return redirect(request, _PAGE)


@router.get(_PAGE + "/{target_id}/delete", response_class=HTMLResponse)
def delete_page(
    request: Request, _admin: WriteUser, service: Service, target_id: ResourceId
) -> HTMLResponse:
    return render_settings(
        request, "settings/notification_delete.html", target=service.get(target_id)
    )


@router.post(_PAGE + "/{target_id}/delete", response_class=HTMLResponse)
def delete_submit(
    request: Request,
    _admin: WriteUser,
    service: Service,
    dispatcher: Dispatcher,
    target_id: ResourceId,
) -> Response:
    name = service.get(target_id).name
    service.delete(target_id)
    dispatcher.forget(target_id)
    flash(request, f"Deleted {name}.")
    return redirect(request, _PAGE)
