"""Crash safety: the executor runs in a child process that SIGKILLs itself between "intent
written" and "sent", after the app answered but before that was recorded, and after "sent".
On restart the parent reconciles and runs the queue again: nothing is ever sent twice, every
command row ends in a final status and the killed run is `interrupted`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.search.harness import setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus
from vibe_quality_searcharr.search.runs.reconcile import reconcile
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.simulator.testing import RunningSimulator

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def file_context(settings: Settings) -> Iterator[AppContext]:
    """A SQLCipher file the child process opens too."""
    secrets = ensure_secrets(settings)
    database = open_sqlcipher(settings.sqlite_path, secrets.database_key)
    migrate.upgrade(database)
    yield AppContext(settings, secrets, database, Scheduler(), EventBus())
    database.dispose()


@pytest.mark.parametrize(
    ("step", "second_status", "found"),
    [
        ("intent_committed", CommandStatus.UNKNOWN, []),  # killed before POST: not on the app
        ("arr_answered", CommandStatus.COMPLETED, [1]),  # the app has it, we did not record it
        ("sent_committed", CommandStatus.COMPLETED, []),  # recorded as sent
    ],
)
def test_kill_mid_run_never_sends_twice(
    step: str,
    second_status: str,
    found: list[int],
    file_context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    context = file_context
    sim = simulator_factory("sonarr", size=60)
    setup = setup_search(context, sim, batch_size=4, options={"season_packs": {"enabled": False}})
    plan = setup.preview()
    assert len(plan.commands) == 4
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "VQS_CRASH_DB_KEY": context.secrets.database_key,
        "VQS_CRASH_MASTER": context.secrets.master_secret,
        "VQS_CRASH_SIM_KEY": sim.api_key,
    }
    child = subprocess.run(
        [sys.executable, str(CHILD), str(context.settings.sqlite_path), str(setup.queue_id),
         sim.base_url, step, "2"],
        env=env, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    sim.advance(60)  # the app finishes what it got

    report = asyncio.run(
        reconcile(
            context.database,
            api_key_box(context.secrets.master_secret),
            Connector().connect,
            clock=sim.clock.now,
        )
    )
    first_run = report.interrupted_runs[0]
    rows = setup.commands(first_run)
    assert [row.status for row in rows] == [CommandStatus.COMPLETED, second_status]
    assert [row.id for row in rows if row.id in report.found] == [rows[i].id for i in found]
    assert setup.run_row(first_run).status == RunStatus.INTERRUPTED

    second_run, status = setup.run()
    assert status == RunStatus.COMPLETED
    again = [row.item_ids for row in setup.commands(second_run)]
    first_ids = {item_id for row in rows for item_id in row.item_ids}
    assert again
    assert all(first_ids.isdisjoint(ids) for ids in again)

    log = setup.stats()["commandLog"]
    bodies = Counter(tuple(entry["body"]["episodeIds"]) for entry in log)
    assert all(count == 1 for count in bodies.values()), bodies
    assert all(entry["new"] for entry in log)
    sent_before_restart = 1 if step == "intent_committed" else 2
    assert len(log) == sent_before_restart + len(again)
    for run_id in (first_run, second_run):
        assert all(row.status in CommandStatus.FINISHED for row in setup.commands(run_id))
