"""The run pages: the preview of a queue's next run, "run now", and one run as it happens.

The preview is a GET that runs the dry run. It sends no search and stores nothing (the same
`preview_queue` as the API), so it is safe and idempotent: a link opens it, reloading refreshes
it, and it needs no CSRF token. It does ask the *arr what it is busy with, so, like the API's
preview, it is for users who may change queues (viewers see runs and history instead).

A running run's page polls itself every 2 seconds with htmx (`hx-trigger="every 2s"` on the live
region, `hx-select` taking the same region from the answer); the answer for a finished run has
no trigger, so the polling stops by itself. Without JavaScript the page says to reload.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.search.models import RunStatus
from vibe_quality_searcharr.search.queues.service import QueueService
from vibe_quality_searcharr.search.runs.errors import ArrUnavailable, RunInProgress
from vibe_quality_searcharr.search.runs.repository import command_items, commands_of_run, get_run
from vibe_quality_searcharr.search.runs.service import DEFAULT_SKIPPED_LIMIT, preview_queue
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser
from vibe_quality_searcharr.web.charts import grab_rate
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import redirect, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/queues/{queue_id}/preview", response_class=HTMLResponse)
async def preview_page(request: Request, _user: WriteUser, queue_id: ResourceId) -> Response:
    executor = registry_of(request.app).executor
    queue = await executor.db(lambda session: QueueService(session).read(queue_id))
    try:
        preview = await preview_queue(executor, queue_id, skipped_limit=DEFAULT_SKIPPED_LIMIT)
    except ArrUnavailable as exc:
        return render(
            request, "runs/preview.html", 503, queue=queue, preview=None, problem=exc.detail
        )
    return render(request, "runs/preview.html", queue=queue, preview=preview, problem=None)


@router.post("/queues/{queue_id}/run", response_class=HTMLResponse)
async def run_submit(request: Request, _user: WriteUser, queue_id: ResourceId) -> Response:
    registry = registry_of(request.app)
    name = await registry.executor.db(lambda session: QueueService(session).get(queue_id).name)
    try:
        started = await registry.start(queue_id, "manual")
    except RunInProgress:
        flash(request, f"{name} is already running; its run is on the queue's page.", "warning")
        return redirect(request, f"/queues/{queue_id}")
    flash(request, f"Started a run of {name}.")
    return redirect(request, f"/runs/{started.run_id}")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request, _user: CurrentUser, session: DbSession, run_id: ResourceId
) -> HTMLResponse:
    run = get_run(session, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} does not exist.")
    commands = commands_of_run(session, run_id)
    items = command_items(session, [command.id for command in commands])
    done = sum(1 for command in commands if command.status in ("completed", "failed", "not_sent"))
    # The grab rate in items, as on the dashboard: the items of the commands that were sent,
    # not `run.searches` (a season pack is one search of many episodes).
    sent = [command for command in commands if command.arr_command_id is not None]
    searched = sum(len(items.get(command.id, [])) for command in sent)
    grabbed = sum(command.grabbed for command in sent)
    return render(
        request,
        "runs/detail.html",
        run=run,
        commands=commands,
        items=items,
        running=run.status == RunStatus.RUNNING,
        done=done,
        searched=searched,
        grabbed_items=grabbed,
        rate=grab_rate(searched, grabbed),
    )
