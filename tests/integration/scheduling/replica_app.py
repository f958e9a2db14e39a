"""App factory for the replica processes of the two-replica test (`uvicorn --factory`).

The app is the product's `create_app()` configured from the environment, with one test-side
change: its clock follows the simulator's. The simulator's clock runs at a fixed speed and is
never moved by hand during those tests, so it is read from `/__sim/clock` (now and speed) and
then extrapolated from the monotonic clock; while it is frozen (speed 0: the test is still
starting its replicas) each reading asks the simulator again, so a test can start the clock once
every replica is ready and lose no simulated time to slow starts; the executor's sleeps (the pause between
commands, the command polls) are scaled by the same speed, so simulated minutes pass in real
seconds in every process alike.

    VQS_TEST_SIM_URL, VQS_TEST_SIM_KEY: the simulator; the rest is the app's own VQS_* settings.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI

from vibe_quality_searcharr.app import create_app

__all__ = ["create"]


def create() -> FastAPI:
    app = create_app()
    reading: list[tuple[datetime, float, float]] = []  # (simulated now, speed, monotonic)

    def read() -> tuple[datetime, float, float]:
        answer = httpx.get(
            f"{os.environ['VQS_TEST_SIM_URL']}/__sim/clock",
            headers={"X-Api-Key": os.environ["VQS_TEST_SIM_KEY"]},
            timeout=5,
        )
        answer.raise_for_status()
        now = datetime.fromisoformat(answer.json()["now"].replace("Z", "+00:00"))
        return now, float(answer.json()["speed"]), time.monotonic()

    def current() -> tuple[datetime, float, float]:
        if not reading or reading[0][1] == 0:
            reading[:] = [read()]
        return reading[0]

    current()  # fails the start at once if the simulator is not there

    def clock() -> datetime:
        started, speed, real0 = current()
        return started + timedelta(seconds=(time.monotonic() - real0) * speed)

    async def sleep(seconds: float) -> None:
        speed = current()[1]
        await asyncio.sleep(seconds / speed if speed else 0)

    app.state.clock = clock
    app.state.search_sleep = sleep
    return app
