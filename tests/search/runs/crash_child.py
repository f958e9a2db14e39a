"""Child process of the crash test: runs one queue with the real executor against a simulator
served by the parent, on the parent's SQLCipher file, and SIGKILLs itself at a chosen step.

    python crash_child.py DB_PATH QUEUE_ID SIM_URL STEP NTH
    env: VQS_CRASH_DB_KEY (hex), VQS_CRASH_MASTER (master secret), VQS_CRASH_SIM_KEY
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime
from pathlib import Path

import httpx

from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.search.runs.executor import Executor
from vibe_quality_searcharr.search.runs.polling import PollSettings


def main() -> None:
    db_path, queue_id, sim_url, step, nth = sys.argv[1:6]
    sim = httpx.Client(base_url=sim_url, headers={"X-Api-Key": os.environ["VQS_CRASH_SIM_KEY"]})
    seen: list[str] = []

    def on_step(name: str) -> None:
        seen.append(name)
        if name == step and seen.count(name) == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)

    def clock() -> datetime:
        return datetime.fromisoformat(sim.get("/__sim/clock").json()["now"].replace("Z", "+00:00"))

    async def sleep(seconds: float) -> None:
        await asyncio.to_thread(sim.post, "/__sim/clock", json={"advanceSeconds": seconds})

    database = open_sqlcipher(Path(db_path), os.environ["VQS_CRASH_DB_KEY"])
    executor = Executor(
        database=database,
        events=EventBus(),
        box=api_key_box(os.environ["VQS_CRASH_MASTER"]),
        connect=Connector().connect,
        clock=clock,
        sleep=sleep,
        poll=PollSettings(interval_seconds=5, timeout_seconds=600),
        on_step=on_step,
    )

    async def run() -> None:
        run_id, _ = await executor.create_run(int(queue_id), "manual")
        await executor.execute(run_id, int(queue_id))

    asyncio.run(run())
    sys.exit(3)  # the step never came: the parent fails the test


if __name__ == "__main__":
    main()
