"""Remote events (another replica's, through the bridge) reach SSE subscribers and the listeners
that ask for them, never the side-effect listeners (notifications, metrics, syncs), and are never
forwarded again; local events are forwarded exactly once."""

from __future__ import annotations

import asyncio

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.events import Event, EventBus


def test_remote_events_reach_subscribers_and_views_but_not_side_effects() -> None:
    async def scenario() -> None:
        bus = EventBus()
        bus.bind_loop(asyncio.get_running_loop())
        side_effects: list[Event] = []
        views: list[Event] = []
        forwarded: list[Event] = []
        bus.add_listener(side_effects.append)
        bus.add_listener(views.append, remote=True)
        bus.add_forwarder(forwarded.append)
        async with bus.subscribe() as queue:
            bus.publish("run.started", run_id=1)
            bus.publish_remote("run.started", {"run_id": 2}, at=utcnow(), origin="other")
            got = [await queue.get(), await queue.get()]
        assert [(e.data["run_id"], e.origin) for e in got] == [(1, None), (2, "other")]
        assert [e.data["run_id"] for e in views] == [1, 2]
        assert [e.data["run_id"] for e in side_effects] == [1]
        assert [e.data["run_id"] for e in forwarded] == [1]

    asyncio.run(scenario())


def test_remote_events_from_another_thread_are_delivered_on_the_loop() -> None:
    async def scenario() -> None:
        bus = EventBus()
        loop = asyncio.get_running_loop()
        bus.bind_loop(loop)
        threads: list[bool] = []
        bus.add_listener(lambda _e: threads.append(asyncio.get_running_loop() is loop), remote=True)
        async with bus.subscribe() as queue:
            await asyncio.to_thread(
                bus.publish_remote, "run.started", {"run_id": 5}, at=utcnow(), origin="b"
            )
            assert (await asyncio.wait_for(queue.get(), timeout=10)).data == {"run_id": 5}
        assert threads == [True]

    asyncio.run(scenario())


def test_a_failing_forwarder_or_a_closed_loop_never_breaks_publishing() -> None:
    bus = EventBus()

    def broken(_event: Event) -> None:
        raise RuntimeError("boom")

    bus.add_forwarder(broken)
    seen: list[Event] = []
    bus.add_listener(seen.append)
    bus.publish("run.started", run_id=1)
    loop = asyncio.new_event_loop()
    bus.bind_loop(loop)
    loop.close()
    bus.publish_remote("run.started", {"run_id": 2}, at=utcnow(), origin="b")
    bus.publish("run.started", run_id=3)
    assert [e.data["run_id"] for e in seen] == [1]
    bus.remove_forwarder(broken)
    bus.remove_forwarder(broken)  # twice is harmless
