"""The instances pages: list with health, add and edit with a connection test, delete with a
confirmation, and one instance's health history. They call the same service as the JSON API
(`instances.routes`), never the API itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.instances.forms import (
    APP_CHOICES,
    InstanceForm,
    check_connection,
    create_from_form,
    update_from_form,
)
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.routes import Connect, announce_created
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import is_fragment, redirect, render

__all__ = ["instance_form", "router", "service_for"]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 100
_EVENTS_PAGE_SIZE = 25


def service_for(session: DbSession, context: Context) -> InstanceService:
    return InstanceService(session, api_key_box(context.secrets.master_secret))


Service = Annotated[InstanceService, Depends(service_for)]


def instance_form(
    name: Annotated[str, Form(max_length=200)] = "",
    app: Annotated[str, Form(max_length=20)] = "sonarr",
    url: Annotated[str, Form(max_length=2048)] = "",
    api_key: Annotated[str, Form(max_length=400)] = "",
    enabled: Annotated[str | None, Form(max_length=10)] = None,
    save_anyway: Annotated[str | None, Form(max_length=10)] = None,
) -> InstanceForm:
    """The posted form. Unknown apps are caught by validation like any other bad value."""
    return InstanceForm(
        name=name,
        app=app,
        url=url,
        api_key=api_key,
        enabled=enabled is not None,
        save_anyway=save_anyway is not None,
    )


PostedForm = Annotated[InstanceForm, Depends(instance_form)]
Action = Annotated[str, Form(max_length=10)]


def _form_page(
    request: Request,
    *,
    form: InstanceForm,
    instance: Instance | None,
    errors: dict[str, str] | None = None,
    result: object = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "instances/form.html",
        status_code,
        form=form,
        instance=instance,
        errors=errors or {},
        result=result,
        apps=APP_CHOICES,
        action=f"/instances/{instance.id}/edit" if instance else "/instances/new",
    )


def _test_answer(
    request: Request,
    form: InstanceForm,
    instance: Instance | None,
    result: object,
    errors: dict[str, str],
) -> HTMLResponse:
    """htmx gets just the result box; a browser without JavaScript the whole form again."""
    if is_fragment(request):
        return render(request, "instances/_test_result.html", result=result, errors=errors)
    return _form_page(
        request,
        form=form,
        instance=instance,
        errors=errors,
        result=result,
        status_code=200 if result is not None and not errors else 422,
    )


@router.get("/instances", response_class=HTMLResponse)
def list_page(request: Request, _user: CurrentUser, service: Service) -> HTMLResponse:
    rows, total = service.repo.page(0, _PAGE_SIZE)
    return render(request, "instances/list.html", instances=rows, total=total)


@router.get("/instances/new", response_class=HTMLResponse)
def new_page(request: Request, _user: WriteUser) -> HTMLResponse:
    return _form_page(request, form=InstanceForm(), instance=None)


@router.post("/instances/new", response_class=HTMLResponse)
def new_submit(
    request: Request,
    _user: WriteUser,
    service: Service,
    connector: Connect,
    context: Context,
    form: PostedForm,
    action: Action = "save",
) -> Response:
    if action == "test":
        result, errors = check_connection(service, connector, form)
        return _test_answer(request, form, None, result, errors)
    outcome = create_from_form(service, connector, form)
    if outcome.instance is None:
        return _form_page(
            request,
            form=form,
            instance=None,
            errors=outcome.errors,
            result=outcome.result,
            status_code=422,
        )
    announce_created(service.repo.session, context.events, outcome.instance)
    flash(request, f"Added {outcome.instance.name}.")
    if outcome.result is not None and not outcome.result.ok:
        flash(request, "It did not answer the connection test; check it soon.", "warning")
    return redirect(request, f"/instances/{outcome.instance.id}")


@router.get("/instances/{instance_id}", response_class=HTMLResponse)
def detail_page(
    request: Request,
    _user: CurrentUser,
    service: Service,
    instance_id: ResourceId,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    instance = service.get(instance_id)
    events, total = service.repo.health_events(
        instance_id, (page - 1) * _EVENTS_PAGE_SIZE, _EVENTS_PAGE_SIZE
    )
    pages = max(1, -(-total // _EVENTS_PAGE_SIZE))
    return render(
        request,
        "instances/detail.html",
        instance=instance,
        events=events,
        total=total,
        page=page,
        pages=pages,
    )


@router.get("/instances/{instance_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, _user: WriteUser, service: Service, instance_id: ResourceId
) -> HTMLResponse:
    instance = service.get(instance_id)
    return _form_page(request, form=InstanceForm.of(instance), instance=instance)


@router.post("/instances/{instance_id}/edit", response_class=HTMLResponse)
def edit_submit(
    request: Request,
    _user: WriteUser,
    service: Service,
    connector: Connect,
    instance_id: ResourceId,
    form: PostedForm,
    action: Action = "save",
) -> Response:
    instance = service.get(instance_id)
    form.key_set = bool(instance.api_key_encrypted)
    if action == "test":
        result, errors = check_connection(service, connector, form, instance)
        return _test_answer(request, form, instance, result, errors)
    outcome = update_from_form(service, connector, instance, form)
    if outcome.instance is None:
        service.repo.session.rollback()  # nothing of a refused edit may stick
        instance = service.get(instance_id)
        form.key_set = bool(instance.api_key_encrypted)
        return _form_page(
            request,
            form=form,
            instance=instance,
            errors=outcome.errors,
            result=outcome.result,
            status_code=422,
        )
    flash(request, f"Saved {outcome.instance.name}.")
    if outcome.result is not None and not outcome.result.ok:
        flash(request, "It did not answer the connection test; check it soon.", "warning")
    return redirect(request, f"/instances/{instance_id}")


@router.get("/instances/{instance_id}/delete", response_class=HTMLResponse)
def delete_page(
    request: Request, _user: WriteUser, service: Service, instance_id: ResourceId
) -> HTMLResponse:
    return render(request, "instances/delete.html", instance=service.get(instance_id))


@router.post("/instances/{instance_id}/delete", response_class=HTMLResponse)
def delete_submit(
    request: Request, _user: WriteUser, service: Service, instance_id: ResourceId
) -> Response:
    name = service.get(instance_id).name
    service.delete(instance_id)
    flash(request, f"Deleted {name}.")
    return redirect(request, "/instances")
