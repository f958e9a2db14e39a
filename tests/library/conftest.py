"""Fixtures for the library tests: an instance pointing at a simulated app, and a sync runner
whose clients make no retries (a fault fails the sync at once) and record every event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.library.sync import LibrarySync, SyncOutcome
from vibe_quality_searcharr.simulator.testing import RunningSimulator

# Simulator app key -> the instance's `app`.
INSTANCE_APP = {"whisparr-v3": "whisparr_v3"}


def add_instance(context: AppContext, sim: RunningSimulator, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "name": f"{sim.app} {sim.base_url}",
        "app": INSTANCE_APP.get(sim.app, sim.app),
        "url": sim.base_url,
        "enabled": True,
        "api_key_encrypted": api_key_box(context.secrets.master_secret).encrypt(sim.api_key),
    }
    values.update(overrides)
    with context.database.session_scope() as session:
        instance = Instance(**values)
        session.add(instance)
        session.flush()
        return instance.id


def sim_connector() -> Connector:
    return Connector(options=ClientOptions(read_timeout=30.0, retry=RetryPolicy(retries=0)))


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]


@pytest.fixture
def events(context: AppContext) -> Recorder:
    recorder = Recorder()
    context.events.add_listener(recorder)
    return recorder


@pytest.fixture
def syncer(context: AppContext) -> LibrarySync:
    return LibrarySync(
        context.database,
        context.events,
        api_key_box(context.secrets.master_secret),
        connector=sim_connector(),
    )


@pytest.fixture
def run_sync(syncer: LibrarySync) -> Callable[[int], SyncOutcome]:
    def run(instance_id: int) -> SyncOutcome:
        async def go() -> SyncOutcome:
            return await syncer.sync(instance_id)

        return anyio.run(go)

    return run
