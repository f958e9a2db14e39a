"""The setup wizard's third step: the first queue, started from a preset, with the forecast.

It is the queue form (same fields, same validation, same messages next to each field) inside
the wizard's frame; "Skip for now" goes on to the end.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.search.queues import forms
from vibe_quality_searcharr.search.queues.pagedata import instance_choices
from vibe_quality_searcharr.search.queues.presets import PresetName
from vibe_quality_searcharr.search.queues.views import (
    Posted,
    Service,
    _refused,
    create_from_form,
    form_page_values,
    new_queue_values,
    preset_named,
)
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import WriteUser
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import redirect, render
from vibe_quality_searcharr.web.wizard import WIZARD_STEPS, next_path

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    service: Service,
    values: forms.FormValues,
    now: object,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "setup/queue.html",
        status_code,
        steps=WIZARD_STEPS,
        current_step="queue",
        skip_to=next_path("queue"),
        errors=errors or {},
        action="/setup/queue",
        queue=None,
        **form_page_values(service, values, now, with_forecast=True),  # type: ignore[arg-type]
    )


@router.get("/setup/queue", response_class=HTMLResponse)
def queue_step(
    request: Request,
    _user: WriteUser,
    service: Service,
    now: Now,
    preset: Annotated[str, Query(max_length=40)] = PresetName.STEADY_MISSING.value,
) -> Response:
    instances = instance_choices(service.repo.session)
    chosen = int(instances[0][0]) if instances else None
    return _page(request, service, new_queue_values(preset_named(preset), chosen), now)


@router.post("/setup/queue", response_class=HTMLResponse)
def queue_step_submit(
    request: Request,
    _user: WriteUser,
    service: Service,
    now: Now,
    values: Posted,
    action: Annotated[str, Form(max_length=10)] = "save",
) -> Response:
    if action == "forecast":
        return _page(request, service, values, now)
    try:
        queue = create_from_form(service, values)
    except (ValidationError, AppError) as exc:
        return _page(request, service, values, now, _refused(service, exc), 422)
    flash(request, f"Created {queue.name}.")
    return redirect(request, next_path("queue"))
