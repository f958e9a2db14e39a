"""The setup wizard: admin account -> first instance -> first queue (from a preset, with the
forecast; `search.queues.wizard`) -> done.

The steps are one tuple; a later step (the search UI's "first queue") is appended by adding a
`WizardStep` before "done" and a route for its path. Each step's page finds its neighbours
through `next_path`, so no page hard-codes where the wizard goes next. Step one is the public
/setup page in `users.views` (it exists only while no account does); the rest need the admin it
created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.deps import Context
from vibe_quality_searcharr.instances.forms import (
    APP_CHOICES,
    InstanceForm,
    check_connection,
    create_from_form,
)
from vibe_quality_searcharr.instances.routes import Connect, announce_created
from vibe_quality_searcharr.instances.views import PostedForm, Service
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import is_fragment, redirect, render

__all__ = ["WIZARD_STEPS", "WizardStep", "next_path", "router"]


@dataclass(frozen=True)
class WizardStep:
    key: str
    title: str
    path: str


WIZARD_STEPS: tuple[WizardStep, ...] = (
    WizardStep("account", "Admin account", "/setup"),
    WizardStep("instance", "First instance", "/setup/instance"),
    WizardStep("queue", "First queue", "/setup/queue"),
    WizardStep("done", "Done", "/setup/done"),
)


def next_path(key: str) -> str:
    keys = [step.key for step in WIZARD_STEPS]
    index = keys.index(key)
    return WIZARD_STEPS[min(index + 1, len(keys) - 1)].path


router = APIRouter(include_in_schema=False)


def _step_page(
    request: Request, key: str, template: str, status_code: int = 200, **values: object
) -> HTMLResponse:
    return render(
        request,
        template,
        status_code,
        steps=WIZARD_STEPS,
        current_step=key,
        skip_to=next_path(key),
        **values,
    )


@router.get("/setup/instance", response_class=HTMLResponse)
def instance_step(request: Request, _user: WriteUser, service: Service) -> Response:
    _rows, total = service.repo.page(0, 1)
    return _step_page(
        request,
        "instance",
        "setup/instance.html",
        form=InstanceForm(),
        apps=APP_CHOICES,
        existing=total,
        result=None,
    )


@router.post("/setup/instance", response_class=HTMLResponse)
def instance_step_submit(
    request: Request,
    _user: WriteUser,
    service: Service,
    connector: Connect,
    context: Context,
    form: PostedForm,
    action: Annotated[str, Form(max_length=10)] = "save",
) -> Response:
    if action == "test":
        result, errors = check_connection(service, connector, form)
        if is_fragment(request):
            return render(request, "instances/_test_result.html", result=result, errors=errors)
        return _step_page(
            request,
            "instance",
            "setup/instance.html",
            200 if result is not None and not errors else 422,
            form=form,
            apps=APP_CHOICES,
            errors=errors,
            existing=0,
            result=result,
        )
    outcome = create_from_form(service, connector, form)
    if outcome.instance is None:
        return _step_page(
            request,
            "instance",
            "setup/instance.html",
            422,
            form=form,
            apps=APP_CHOICES,
            errors=outcome.errors,
            existing=0,
            result=outcome.result,
        )
    announce_created(service.repo.session, context.events, outcome.instance)
    flash(request, f"Added {outcome.instance.name}.")
    return redirect(request, next_path("instance"))


@router.get("/setup/done", response_class=HTMLResponse)
def done_step(request: Request, _user: CurrentUser, service: Service) -> Response:
    instances, total = service.repo.page(0, 20)
    return _step_page(request, "done", "setup/done.html", instances=instances, total=total)
