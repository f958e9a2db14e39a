"""The queues pages: the list (status, next run, last run, totals; bulk actions), create from a
preset with the forecast, edit, clone, delete with a confirmation, pause and resume, and one
queue's page with its runs. They call `QueueService` (the JSON API's service), never the API.

A refused form is rendered again with status 422, every message next to its field, and the
session rolled back, so nothing of it is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.scheduling.schedules import DEFAULT_SCHEDULE, next_runs
from vibe_quality_searcharr.search.forecast import Forecast
from vibe_quality_searcharr.search.planner import Order, Strategy
from vibe_quality_searcharr.search.queues import forms
from vibe_quality_searcharr.search.queues.estimate import queue_forecast
from vibe_quality_searcharr.search.queues.options import QueueOptions
from vibe_quality_searcharr.search.queues.pagedata import instance_choices, queue_totals
from vibe_quality_searcharr.search.queues.presets import PRESETS, PresetName
from vibe_quality_searcharr.search.queues.repository import QueueFilters
from vibe_quality_searcharr.search.queues.schemas import (
    QueueBulk,
    QueueClone,
    QueueCreate,
    QueueRead,
    QueueUpdate,
)
from vibe_quality_searcharr.search.queues.service import QueueService, list_presets
from vibe_quality_searcharr.search.runs.repository import runs_page
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import redirect, render

__all__ = ["form_page_values", "new_queue_values", "next_run", "router"]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 100
_RUNS_PAGE_SIZE = 25
BULK_ACTIONS = (
    ("pause", "Pause"),
    ("resume", "Resume"),
    ("enable", "Enable"),
    ("disable", "Disable"),
    ("delete", "Delete"),
)


def _service(session: DbSession) -> QueueService:
    return QueueService(session)


Service = Annotated[QueueService, Depends(_service)]


def next_run(queue: QueueRead, now: datetime) -> datetime | None:
    """The queue's next slot, or None when it will not run (paused, disabled, no slot)."""
    if queue.status != "active":
        return None
    slots = next_runs(queue.schedule, now, count=1, anchor=queue.created_at)
    return slots[0] if slots else None


def new_queue_values(preset: PresetName | None, instance_id: int | None) -> forms.FormValues:
    """A new queue's form: the preset's values, or the API's defaults."""
    if preset is not None:
        chosen = PRESETS[preset]
        read = next(p for p in list_presets() if p.name == preset)
        return forms.values_of(
            name=chosen.title,
            instance_id=instance_id,
            strategy=read.strategy.value,
            order=read.order.value,
            batch_size=read.batch_size,
            enabled=True,
            options=read.options,
            schedule=read.schedule,
            preset=preset.value,
        )
    return forms.values_of(
        name="",
        instance_id=instance_id,
        strategy=Strategy.MISSING.value,
        order=Order.PRIORITY.value,
        batch_size=10,
        enabled=True,
        options=QueueOptions(),
        schedule=DEFAULT_SCHEDULE,
    )


def _forecast(service: QueueService, values: forms.FormValues, now: datetime) -> Forecast | None:
    """The forecast of what the form says, or None while the form does not validate."""
    try:
        data = QueueCreate.model_validate(forms.payload(values))
    except ValidationError:
        return None
    if service.repo.instance(data.instance_id) is None:
        return None
    return queue_forecast(
        service.repo.session,
        instance_id=data.instance_id,
        strategy=data.strategy,
        batch_size=data.batch_size,
        options=data.options,
        schedule=data.schedule,
        now=now,
    )


def form_page_values(
    service: QueueService, values: forms.FormValues, now: datetime, *, with_forecast: bool
) -> dict[str, Any]:
    """What the queue form template needs besides `values` and `errors`."""
    return {
        "values": values,
        "instances": instance_choices(service.repo.session),
        "presets": list_presets(),
        "strategies": forms.STRATEGY_CHOICES,
        "orders": forms.ORDER_CHOICES,
        "sources": forms.SOURCE_CHOICES,
        "kinds": forms.SCHEDULE_KINDS,
        "weekdays": forms.WEEKDAYS,
        "forecast": _forecast(service, values, now) if with_forecast else None,
    }


def _form_page(
    request: Request,
    service: QueueService,
    values: forms.FormValues,
    now: datetime,
    *,
    queue: QueueRead | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "queues/form.html",
        status_code,
        queue=queue,
        errors=errors or {},
        action=f"/queues/{queue.id}/edit" if queue else "/queues/new",
        **form_page_values(service, values, now, with_forecast=queue is None),
    )


async def _posted(request: Request) -> forms.FormValues:
    form = await request.form()
    return forms.posted(form, form.getlist)


Posted = Annotated[forms.FormValues, Depends(_posted)]


def _refused(service: QueueService, exc: Exception) -> dict[str, str]:
    service.repo.session.rollback()  # nothing of a refused form may stick
    if isinstance(exc, ValidationError):
        return forms.validation_errors(exc)
    assert isinstance(exc, AppError)
    return forms.app_errors(exc)


# --- list and bulk ------------------------------------------------------------------------


@router.get("/queues", response_class=HTMLResponse)
def list_page(request: Request, _user: CurrentUser, service: Service, now: Now) -> HTMLResponse:
    page = service.list_page(QueueFilters(), 1, _PAGE_SIZE)
    totals = queue_totals(service.repo.session, [queue.id for queue in page.items])
    return render(
        request,
        "queues/list.html",
        queues=page.items,
        total=page.total,
        next_runs={queue.id: next_run(queue, now) for queue in page.items},
        totals=totals,
        actions=BULK_ACTIONS,
        has_instances=bool(instance_choices(service.repo.session)),
    )


@router.post("/queues/bulk", response_class=HTMLResponse)
async def bulk_submit(request: Request, _user: WriteUser, service: Service) -> Response:
    form = await request.form()
    action = str(form.get("action", ""))
    raw_ids = [str(value) for value in form.getlist("ids")][:500]
    try:
        ids = [int(value) for value in raw_ids]
        result = service.bulk(QueueBulk.model_validate({"ids": ids, "action": action}))
    except ValueError:
        flash(request, "Choose at least one queue and an action; nothing was changed.", "error")
        return redirect(request, "/queues")
    except AppError as exc:
        service.repo.session.rollback()
        flash(request, exc.fields.get("ids", exc.detail) if exc.fields else exc.detail, "error")
        return redirect(request, "/queues")
    done = {"pause": "Paused", "resume": "Resumed", "enable": "Enabled", "disable": "Disabled"}
    count = len(result.ids)
    noun = "queue" if count == 1 else "queues"
    flash(request, f"{done.get(result.action, 'Deleted')} {count} {noun}.")
    return redirect(request, "/queues")


# --- create -------------------------------------------------------------------------------


@router.get("/queues/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    _user: WriteUser,
    service: Service,
    now: Now,
    preset: Annotated[str, Query(max_length=40)] = PresetName.STEADY_MISSING.value,
    instance_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    instances = instance_choices(service.repo.session)
    chosen = instance_id or (int(instances[0][0]) if instances else None)
    return _form_page(request, service, new_queue_values(preset_named(preset), chosen), now)


def preset_named(value: str | None) -> PresetName | None:
    """The preset a form or link names, or None for an unknown or missing name."""
    return _PRESETS_BY_VALUE.get(value or "")


def create_from_form(service: QueueService, values: forms.FormValues) -> QueueRead:
    """Create the queue a submitted form describes; raises ValidationError or AppError with
    the messages the form shows next to its fields."""
    body = forms.payload(values)
    if preset_named(values["preset"]) is not None:
        body["preset"] = values["preset"]
    return service.create(QueueCreate.model_validate(body))


_PRESETS_BY_VALUE = {name.value: name for name in PresetName}


@router.post("/queues/new", response_class=HTMLResponse)
def new_submit(
    request: Request,
    _user: WriteUser,
    service: Service,
    now: Now,
    values: Posted,
    action: Annotated[str, Form(max_length=10)] = "save",
) -> Response:
    if action == "forecast":
        return _form_page(request, service, values, now)
    try:
        queue = create_from_form(service, values)
    except (ValidationError, AppError) as exc:
        errors = _refused(service, exc)
        return _form_page(request, service, values, now, errors=errors, status_code=422)
    flash(request, f"Created {queue.name}. Preview it to see what its first run will search.")
    return redirect(request, f"/queues/{queue.id}")


# --- one queue ----------------------------------------------------------------------------


@router.get("/queues/{queue_id}", response_class=HTMLResponse)
def detail_page(
    request: Request,
    _user: CurrentUser,
    service: Service,
    now: Now,
    queue_id: ResourceId,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    queue = service.read(queue_id)
    session = service.repo.session
    runs, total = runs_page(
        session, (page - 1) * _RUNS_PAGE_SIZE, _RUNS_PAGE_SIZE, queue_id=queue_id
    )
    return render(
        request,
        "queues/detail.html",
        queue=queue,
        upcoming=next_runs(queue.schedule, now, count=5, anchor=queue.created_at)
        if queue.status == "active"
        else [],
        runs=runs,
        total=total,
        page=page,
        pages=max(1, -(-total // _RUNS_PAGE_SIZE)),
        totals=queue_totals(session, [queue_id]).get(queue_id),
    )


@router.get("/queues/{queue_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, _user: WriteUser, service: Service, now: Now, queue_id: ResourceId
) -> HTMLResponse:
    queue = service.read(queue_id)
    values = forms.values_of(
        name=queue.name,
        instance_id=queue.instance_id,
        strategy=queue.strategy.value,
        order=queue.order.value,
        batch_size=queue.batch_size,
        enabled=queue.enabled,
        options=queue.options,
        schedule=queue.schedule,
        preset=queue.preset,
    )
    return _form_page(request, service, values, now, queue=queue)


@router.post("/queues/{queue_id}/edit", response_class=HTMLResponse)
def edit_submit(
    request: Request,
    _user: WriteUser,
    service: Service,
    now: Now,
    queue_id: ResourceId,
    values: Posted,
) -> Response:
    queue = service.read(queue_id)
    try:
        saved = service.update(queue_id, QueueUpdate.model_validate(forms.payload(values)))
    except (ValidationError, AppError) as exc:
        errors = _refused(service, exc)
        return _form_page(
            request, service, values, now, queue=queue, errors=errors, status_code=422
        )
    flash(request, f"Saved {saved.name}.")
    return redirect(request, f"/queues/{queue_id}")


@router.post("/queues/{queue_id}/clone", response_class=HTMLResponse)
def clone_submit(
    request: Request, _user: WriteUser, service: Service, queue_id: ResourceId
) -> Response:
    copy = service.clone(queue_id, QueueClone())
    flash(request, f"Copied to {copy.name}; the copy is paused until you resume it.")
    return redirect(request, f"/queues/{copy.id}/edit")


@router.post("/queues/{queue_id}/pause", response_class=HTMLResponse)
def pause_submit(
    request: Request, _user: WriteUser, service: Service, queue_id: ResourceId
) -> Response:
    queue = service.set_paused(queue_id, True)
    flash(request, f"Paused {queue.name}; it will not run until you resume it.")
    return redirect(request, _back(request, f"/queues/{queue_id}"))


@router.post("/queues/{queue_id}/resume", response_class=HTMLResponse)
def resume_submit(
    request: Request, _user: WriteUser, service: Service, queue_id: ResourceId
) -> Response:
    queue = service.set_paused(queue_id, False)
    flash(request, f"Resumed {queue.name}.")
    return redirect(request, _back(request, f"/queues/{queue_id}"))


def _back(request: Request, default: str) -> str:
    """Pause/resume from the list goes back to the list; only our own paths are followed."""
    wanted = request.query_params.get("next", "")
    return wanted if wanted == "/queues" else default


@router.get("/queues/{queue_id}/delete", response_class=HTMLResponse)
def delete_page(
    request: Request, _user: WriteUser, service: Service, queue_id: ResourceId
) -> HTMLResponse:
    return render(request, "queues/delete.html", queue=service.read(queue_id))


@router.post("/queues/{queue_id}/delete", response_class=HTMLResponse)
def delete_submit(
    request: Request, _user: WriteUser, service: Service, queue_id: ResourceId
) -> Response:
    name = service.get(queue_id).name
    service.delete(queue_id)
    flash(request, f"Deleted {name}; its history stays.")
    return redirect(request, "/queues")
