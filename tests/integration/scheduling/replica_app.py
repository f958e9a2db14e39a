"""App factory for the replica processes of the two-replica test (`uvicorn --factory`).

The app is the product's `create_app()` configured from the environment, with one test-side
change: its clock follows the simulator's. The simulator's clock runs at a fixed speed and is
never moved by hand during that test, so it is read once at start (`/__sim/clock`: now and
speed) and then extrapolated from the monotonic clock; the executor's sleeps (the pause between
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
    answer = httpx.get(
        f"{os.environ['VQS_TEST_SIM_URL']}/__sim/clock",
        headers={"X-Api-Key": os.environ["VQS_TEST_SIM_KEY"]},
        timeout=5,
    )
    answer.raise_for_status()
    started = datetime.fromisoformat(answer.json()["now"].replace("Z", "+00:00"))
    speed = float(answer.json()["speed"])
    real0 = time.monotonic()

    def clock() -> datetime:
        return started + timedelta(seconds=(time.monotonic() - real0) * speed)

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / speed)

    app.state.clock = clock
    app.state.search_sleep = sleep
    return app
