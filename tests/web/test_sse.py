"""The live stream: bus events become SSE messages with HTML fragments, never a secret, and
the subscription ends with the client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sse_starlette import ServerSentEvent

from tests.conftest import make_user
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.security.principal import Principal
from vibe_quality_searcharr.users import sessions
from vibe_quality_searcharr.users.models import UserSession
from vibe_quality_searcharr.users.resolver import Credentials, session_policy, still_signed_in
from vibe_quality_searcharr.web.live import LiveRuns
from vibe_quality_searcharr.web.sse import event_messages

pytestmark = pytest.mark.anyio

SECRET = "0123456789abcdef0123456789abcdef"
ADDRESS = "http://192.168.1.50:8989"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _bus_and_live() -> tuple[EventBus, LiveRuns]:
    bus = EventBus()
    live = LiveRuns()
    bus.add_listener(live.on_event)
    return bus, live


async def _still_connected() -> bool:
    return False


async def _gone() -> bool:
    return True


async def _subscribed(
    bus: EventBus, stream: AsyncIterator[ServerSentEvent]
) -> asyncio.Task[ServerSentEvent]:
    """Start reading the stream and give it the turns it needs to subscribe."""
    task = asyncio.ensure_future(anext(stream))
    for _ in range(10):
        if bus._subscribers:
            break
        await asyncio.sleep(0)
    assert bus._subscribers
    return task


async def test_a_run_streams_progress_and_results_as_html_without_secrets() -> None:
    bus, live = _bus_and_live()
    stream = event_messages(bus, live, _still_connected)
    first = await _subscribed(bus, stream)
    bus.publish(
        "run.started",
        run_id=7,
        queue_id=1,
        queue="Missing episodes",
        instance_id=1,
        instance="Sonarr",
        strategy="missing",
    )
    running = await first
    assert running.event == "running"
    assert "Missing episodes" in str(running.data)
    bus.publish(
        "run.planned",
        run_id=7,
        queue_id=1,
        commands=2,
        items=2,
        searches=2,
        eligible=2,
        in_scope=2,
        skipped={},
        summary="2 to search",
    )
    planned = await anext(stream)
    assert 'value="0"' in str(planned.data)
    assert "0 of 2 searches done" in str(planned.data)
    bus.publish(
        "item.searched",
        run_id=7,
        queue_id=1,
        instance_id=1,
        command_id=31,
        command_kind="EpisodeSearch",
        ids=[5],
        label="Show S01E02 <b>",
        score=9,
        reason="missing",
    )
    progress = await anext(stream)
    activity = await anext(stream)
    assert "Searching: <span>Show S01E02 &lt;b&gt;</span>" in str(progress.data)
    assert activity.event == "activity"
    assert "Searched Show S01E02 &lt;b&gt;" in str(activity.data)
    bus.publish(
        "command.finished",
        run_id=7,
        queue_id=1,
        command_id=31,
        status="completed",
        result="successful",
        message=f"called {ADDRESS}/api/v3?apikey={SECRET}",
        grabbed=[5],
        api_key=SECRET,
        url=ADDRESS,
    )
    done = await anext(stream)
    result = await anext(stream)
    assert "1 of 2 searches done" in str(done.data)
    assert 'value="50"' in str(done.data)
    assert "Show S01E02 &lt;b&gt;: completed, 1 grabbed" in str(done.data)
    assert "Search completed (successful): 1 grabbed" in str(result.data)
    for message in (running, planned, progress, activity, done, result):
        text = str(message.data)
        assert SECRET not in text
        assert ADDRESS not in text
        assert "192.168" not in text
    bus.publish(
        "run.finished",
        run_id=7,
        queue_id=1,
        instance_id=1,
        status="completed",
        summary="1 searched, 1 grabbed",
    )
    finished = await anext(stream)
    assert "Completed" in str(finished.data)
    assert 'value="100"' in str(finished.data)
    await stream.aclose()  # type: ignore[attr-defined]


async def test_instance_and_sync_events_are_lines_of_activity() -> None:
    bus, live = _bus_and_live()
    stream = event_messages(bus, live, _still_connected)
    first = await _subscribed(bus, stream)
    bus.publish(
        "instance.down",
        instance_id=1,
        name="Sonarr",
        app="sonarr",
        detail=f"{ADDRESS} refused {SECRET}",
        paused_by_health=True,
    )
    message = await first
    assert message.event == "activity"
    assert "Sonarr: down" in str(message.data)
    assert SECRET not in str(message.data)
    assert ADDRESS not in str(message.data)
    bus.publish("library.sync.progress", instance_id=1, phase="series", done=1, total=2)
    bus.publish("library.sync.finished", instance_id=1, name="Sonarr", app="sonarr", duration_ms=5)
    synced = await anext(stream)  # the progress event is not shown
    assert "Library of Sonarr synced" in str(synced.data)
    await stream.aclose()  # type: ignore[attr-defined]


async def test_a_disconnected_client_ends_the_stream_and_its_subscription() -> None:
    bus, live = _bus_and_live()
    stream = event_messages(bus, live, _gone, poll_seconds=0)
    with pytest.raises(StopAsyncIteration):
        await anext(stream)
    assert not bus._subscribers


async def test_closing_the_stream_releases_the_subscription() -> None:
    bus, live = _bus_and_live()
    stream = event_messages(bus, live, _still_connected)
    task = await _subscribed(bus, stream)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not bus._subscribers


def test_the_stream_needs_a_signed_in_user(anon_client: TestClient) -> None:
    response = anon_client.get("/events/stream", headers={"Accept": "text/event-stream"})
    assert response.status_code in (401, 303)
    assert "text/event-stream" not in response.headers.get("content-type", "")


def test_only_an_event_stream_client_gets_the_stream(admin_client: TestClient) -> None:
    response = admin_client.get("/events/stream", headers={"Accept": "application/json"})
    assert response.status_code == 406
    assert response.json()["error"] == "not_acceptable"


async def _signed_out() -> bool:
    return False


async def test_a_stream_whose_sign_in_ended_stops_even_while_events_flow() -> None:
    bus, live = _bus_and_live()
    stream = event_messages(
        bus, live, _still_connected, signed_in=_signed_out, poll_seconds=0, recheck_seconds=0
    )
    first = await _subscribed(bus, stream)
    bus.publish("library.sync.finished", instance_id=1, instance="Sonarr", items=3)
    with pytest.raises(StopAsyncIteration):
        await first
    assert not bus._subscribers


def test_still_signed_in_follows_revocation_without_touching_the_session(
    context: AppContext,
) -> None:
    with context.database.session_scope() as session:
        user = make_user(session)
        token, row = sessions.start(
            session, user, now=utcnow(), policy=session_policy(context.settings)
        )
        principal = Principal(user.id, user.username, "admin", "session", session_id=row.id)
        seen = row.last_seen_at
    credentials = Credentials(bearer=None, session_cookie=token, proxy_user=None)
    later = utcnow() + timedelta(minutes=10)  # past the once-a-minute "last seen" touch

    assert still_signed_in(context.database, context.settings, credentials, principal, later)
    with context.database.session_scope() as session:
        assert session.scalars(select(UserSession.last_seen_at)).one() == seen
        sessions.end_session(session, token)
    assert not still_signed_in(context.database, context.settings, credentials, principal, later)
