"""`GET /events/stream`: the event bus as server-sent events, for the dashboard's live regions.

Each bus event becomes at most two SSE messages whose data is a small HTML fragment for htmx's
SSE extension to swap in: `running` (the whole "Running now" list, from `web.live.LiveRuns`) and
`activity` (one `<li>` for the results list). Fragments are rendered from a short whitelist of
each event's fields through autoescaped templates, so no key, token or address an event might
carry can reach a browser. sse-starlette sends the heartbeat comments, ends the stream when the
client goes away (the generator's subscription is released in its `finally`) and when uvicorn
shuts down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio.to_thread
import structlog
from fastapi import APIRouter, FastAPI, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.deps import Context
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.security.clock import app_clock
from vibe_quality_searcharr.security.principal import CurrentUser, Principal
from vibe_quality_searcharr.users.resolver import Credentials, still_signed_in
from vibe_quality_searcharr.web.live import LiveRuns
from vibe_quality_searcharr.web.templating import templates

__all__ = [
    "HEARTBEAT_SECONDS",
    "event_messages",
    "install_live",
    "live_of",
    "message_for",
    "router",
]

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

HEARTBEAT_SECONDS = 15.0
# How often a quiet stream checks that its client is still there.
_POLL_SECONDS = 5.0
# How often a stream checks that its sign-in still holds (sign-out, revocation, disabled user).
_RECHECK_SECONDS = 5.0
# Events the activity list shows; the rest (sync progress, skips) would only be noise.
_ACTIVITY_KINDS = frozenset(
    {
        "item.searched",
        "command.finished",
        "run.finished",
        "library.sync.finished",
        "library.sync.failed",
    }
)


class NotAcceptable(AppError):
    status_code = 406
    kind = "not_acceptable"


def install_live(app: FastAPI) -> LiveRuns:
    """Fold the run events into the live "Running now" view (one per app), those of the other
    replicas included (they arrive through `events_postgres`)."""
    live = LiveRuns()
    app.state.live_runs = live
    app.state.context.events.add_listener(live.on_event, remote=True)
    return live


def live_of(app: Any) -> LiveRuns:
    live: LiveRuns = app.state.live_runs
    return live


def _activity_values(event: Event) -> dict[str, Any] | None:
    """The fields of an event a browser may see, by kind; None when it is not shown."""
    kind, data = event.kind, event.data
    if kind not in _ACTIVITY_KINDS and not kind.startswith("instance."):
        return None
    keep = (
        "run_id",
        "queue",
        "label",
        "status",
        "result",
        "name",
        "app",
        "summary",
        "searches",
        "grabbed",
        "items",
    )
    values: dict[str, Any] = {key: data[key] for key in keep if key in data}
    grabbed = values.get("grabbed")
    if isinstance(grabbed, list):
        values["grabbed"] = len(grabbed)
    values["kind"] = kind
    values["at"] = event.at
    return values


def message_for(event: Event, live: LiveRuns, changed: bool) -> list[ServerSentEvent]:
    """The SSE messages for one event (`changed`: the live view moved with it)."""
    messages: list[ServerSentEvent] = []
    if changed:
        html = templates.get_template("dashboard/_running_list.html").render(
            runs=live.running(), live=True
        )
        messages.append(ServerSentEvent(data=html, event="running", id=str(event.id)))
    values = _activity_values(event)
    if values is not None:
        if not values.get("queue"):
            values["queue"] = live.queue_of(values.get("run_id"))
        html = templates.get_template("dashboard/_event.html").render(event=values)
        messages.append(ServerSentEvent(data=html, event="activity", id=str(event.id)))
    return messages


async def event_messages(
    bus: EventBus,
    live: LiveRuns,
    disconnected: Callable[[], Awaitable[bool]],
    *,
    signed_in: Callable[[], Awaitable[bool]] | None = None,
    poll_seconds: float = _POLL_SECONDS,
    recheck_seconds: float = _RECHECK_SECONDS,
) -> AsyncIterator[ServerSentEvent]:
    """Messages for every event published from now on, until the client is gone or, checked
    every `recheck_seconds`, its sign-in no longer holds (`signed_in`)."""
    loop = asyncio.get_running_loop()
    next_check = loop.time() + recheck_seconds
    async with bus.subscribe() as queue:
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=poll_seconds)
            except TimeoutError:
                event = None
                if await disconnected():
                    return
            if signed_in is not None and loop.time() >= next_check:
                if not await signed_in():
                    log.info("event_stream_ended", reason="signed out")
                    return
                next_check = loop.time() + recheck_seconds
            if event is None:
                continue
            # The listener (run on the loop before delivery) already applied the event.
            changed = event.kind.startswith(("run.", "item.searched", "command.finished"))
            for message in message_for(
                event, live, changed and event.data.get("run_id") is not None
            ):
                yield message


def _sign_in_check(request: Request, context: AppContext, user: Principal) -> Any:
    credentials: Credentials | None = getattr(request.state, "credentials", None)

    async def signed_in() -> bool:
        if credentials is None:
            return False
        try:
            return await anyio.to_thread.run_sync(
                still_signed_in,
                context.database,
                context.settings,
                credentials,
                user,
                app_clock(request.app)(),
            )
        except Exception:  # the database cannot say: end the stream, the browser reconnects
            log.warning("event_stream_recheck_failed")
            return False

    return signed_in


@router.get("/events/stream")
async def stream(request: Request, user: CurrentUser, context: Context) -> EventSourceResponse:
    """Live dashboard updates for a signed-in user (htmx SSE extension). Only an event-stream
    client gets the never-ending response; anything else (a link followed, a crawler, a test
    walking every route) is told at once what this address is for."""
    if "text/event-stream" not in request.headers.get("accept", ""):
        raise NotAcceptable("This is a server-sent event stream; ask for text/event-stream.")
    generator = event_messages(
        context.events,
        live_of(request.app),
        request.is_disconnected,
        signed_in=_sign_in_check(request, context, user),
    )
    return EventSourceResponse(
        generator,
        ping=HEARTBEAT_SECONDS,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
