"""Fixtures for client tests against the simulator (a real HTTP server on loopback).

`sim_factory` starts simulated apps by our app type (`ArrApp`), through the simulator's
`simulator_factory` fixture when tests/conftest.py has it, and stops them after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.arr.versions import ArrApp

testing = pytest.importorskip("vibe_quality_searcharr.simulator.testing")

SIM_KEYS: dict[ArrApp, str] = {
    ArrApp.SONARR: "sonarr",
    ArrApp.RADARR: "radarr",
    ArrApp.LIDARR: "lidarr",
    ArrApp.READARR: "readarr",
    ArrApp.WHISPARR: "whisparr",
    ArrApp.WHISPARR_V3: "whisparr-v3",
    ArrApp.PROWLARR: "prowlarr",
}


@dataclass
class RecordedSleep:
    """Stands in for asyncio.sleep: records delays and can run a hook (e.g. clear faults)."""

    delays: list[float] = field(default_factory=list)
    hook: Callable[[], None] | None = None

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.hook is not None:
            self.hook()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sim_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """`sim_factory(ArrApp.X, **options)`: the simulator's own `simulator_factory` (from
    tests/conftest.py) when present, else the same thing built on `start_simulator`."""
    try:
        shared: Callable[..., Any] | None = request.getfixturevalue("simulator_factory")
    except pytest.FixtureLookupError:
        shared = None
    started: list[Any] = []

    def start(app: ArrApp, **options: Any) -> Any:
        if shared is not None:
            return shared(SIM_KEYS[app], **options)
        sim = testing.start_simulator(SIM_KEYS[app], **options)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
def options(sleep: RecordedSleep) -> ClientOptions:
    return ClientOptions(
        connect_timeout=2.0,
        read_timeout=1.0,
        write_timeout=2.0,
        pool_timeout=2.0,
        retry=RetryPolicy(retries=2, base_delay=0.5, sleep=sleep, jitter=lambda: 0.0),
    )
