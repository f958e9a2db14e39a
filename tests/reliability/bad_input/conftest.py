"""The seeded world every bad-input test fires at, and the example budget that bounds the run.

`VQS_TEST_FUZZ_EXAMPLES` raises the number of generated requests per operation and per form for
a longer local hunt; CI keeps the small default. Generation is derandomized, so a failure seen
once is seen on every run of the same code.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import SignedInClient, sign_in_client
from tests.reliability.bad_input.digest import Snapshotter
from tests.reliability.bad_input.seed import Seeded, seed_config
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.testing import RunningSimulator

__all__ = ["FUZZ", "World"]

EXAMPLES = int(os.environ.get("VQS_TEST_FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: CI time goes to new inputs
)


@dataclass
class World:
    app: FastAPI
    context: AppContext
    admin: SignedInClient
    seeded: Seeded
    snapshots: Snapshotter
    sims: list[RunningSimulator]


@pytest.fixture
def world(
    app: FastAPI,
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
) -> Iterator[World]:
    clock = SimClock(speed=0.0)
    sims = [
        simulator_factory("sonarr", size=20, clock=clock),
        simulator_factory("radarr", size=20, clock=clock),
    ]

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        for sim in sims:
            sim.state.advance()
        await asyncio.sleep(0)

    app.state.clock = clock.now
    app.state.search_sleep = sleep
    app.state.notifications.threaded = False  # delivered by `settle`, not behind the test's back
    with sign_in_client(app, context, "admin", username="admin") as admin:
        seeded = seed_config(app, context, admin, sims, clock)
        yield World(app, context, admin, seeded, Snapshotter(context.database), sims)
