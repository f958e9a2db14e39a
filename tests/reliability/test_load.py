"""Load while queues run: 32 browser-like tabs on the dashboard, history and the event stream
of a live server whose scheduler starts queue runs on their slots. Afterwards: no request or
stream failed, every tab heard the runs live, each slot ran exactly once, nothing was searched
twice, the service is ready. Latency and slot lag are figures (`chaos_scenario`, printed by
bench/chaos.py), never asserted here: this machine is shared.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, update

from tests.conftest import make_user
from tests.e2e.browser import live_server
from tests.instances.conftest import make_instance
from tests.reliability.browser_load import LoadPlan, LoadReport, start_in_process
from tests.reliability.fleet import searches_within_cooldown, sim_stats
from tests.search.harness import make_queue, sync_mirror
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.scheduling.models import QueueSlotClaim
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.models import RunStatus, SearchQueue, SearchRun
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator
from vibe_quality_searcharr.users import sessions
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.resolver import session_policy

APPS = ("sonarr", "radarr")
SCHEDULE = {"kind": "interval", "minutes": 5, "jitter_minutes": 0}
SLOT_LEADS_S = (6.0, 10.0)  # the queues' first slots, seconds after the load starts
RUNS_DEADLINE_S = 90.0


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    report: LoadReport
    runs: list[SearchRun]
    lags_s: list[float]
    duplicates: int
    ready: bool


@dataclass
class _Stack:
    context: AppContext
    sims: list[RunningSimulator]
    instance_ids: list[int]
    cookies: tuple[str, ...]
    search_sleep: Any


def _sleeper(clock: SimClock, sims: list[RunningSimulator]) -> Any:
    """The run's waits move the apps' clock instead of sleeping (searches end sooner)."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        for sim in sims:
            sim.state.advance()
        await asyncio.sleep(0)

    return sleep


@contextmanager
def _stack(data_dir: Path, clients: int) -> Iterator[_Stack]:
    settings = load_settings(data_dir=data_dir, scheduler_enabled=True, scheduler_tick_seconds=1.0)
    secrets = ensure_secrets(settings)
    database = open_sqlcipher(settings.sqlite_path, secrets.database_key)
    migrate.upgrade(database)
    context = AppContext(settings, secrets, database, Scheduler(), EventBus())
    clock = SimClock(speed=1.0)
    sims = [
        start_simulator(app, size=120, seed=seed, clock=clock)
        for seed, app in enumerate(APPS, start=1)
    ]
    try:
        keys = AuthKeys.from_secrets(secrets)
        cookies: list[str] = []
        instance_ids: list[int] = []
        with database.session_scope() as session:
            user = make_user(session, username="admin", role="admin", keys=keys)
            for _ in range(clients):
                token, _ = sessions.start(
                    session, user, now=utcnow(), policy=session_policy(settings)
                )
                cookies.append(token)
            for sim in sims:
                instance = make_instance(
                    session, context, name=sim.app.title(), app=sim.app,
                    url=sim.base_url, api_key=sim.api_key,
                )  # fmt: skip
                instance_ids.append(instance.id)
        for instance_id, sim in zip(instance_ids, sims, strict=True):
            sync_mirror(context, instance_id, sim)
        yield _Stack(context, sims, instance_ids, tuple(cookies), _sleeper(clock, sims))
    finally:
        for sim in sims:
            sim.stop()
        database.dispose()


def _schedule_queues(stack: _Stack) -> list[int]:
    """One queue per app whose first slot falls a few seconds into the load (a new queue's
    first interval slot is one interval after it was created)."""
    queue_ids: list[int] = []
    for instance_id, lead in zip(stack.instance_ids, SLOT_LEADS_S, strict=True):
        queue_id = make_queue(
            stack.context, instance_id, batch_size=3, schedule=SCHEDULE,
            options={"delay_seconds": 1, "season_packs": {"enabled": False}},
        )  # fmt: skip
        anchor = utcnow() - timedelta(minutes=5) + timedelta(seconds=lead)
        with stack.context.database.session_scope() as session:
            session.execute(
                update(SearchQueue).where(SearchQueue.id == queue_id).values(created_at=anchor)
            )
        queue_ids.append(queue_id)
    return queue_ids


def _runs_when_done(stack: _Stack, queue_ids: list[int]) -> list[SearchRun]:
    deadline = time.monotonic() + RUNS_DEADLINE_S
    while True:
        with stack.context.database.session_scope() as session:
            runs = list(
                session.scalars(
                    select(SearchRun)
                    .where(SearchRun.queue_id.in_(queue_ids))
                    .order_by(SearchRun.id)
                )
            )
            session.expunge_all()
        started = {run.queue_id for run in runs}
        if started == set(queue_ids) and all(run.status != RunStatus.RUNNING for run in runs):
            return runs
        if time.monotonic() > deadline:
            return runs  # the caller's assertions say what is missing
        time.sleep(0.2)


def _lags(stack: _Stack, queue_ids: list[int]) -> list[float]:
    with stack.context.database.session_scope() as session:
        claims = session.scalars(
            select(QueueSlotClaim).where(QueueSlotClaim.queue_id.in_(queue_ids))
        )
        return [(claim.claimed_at - claim.slot_at).total_seconds() for claim in claims]


def run_scenario(data_dir: Path, *, clients: int, seconds: float) -> LoadOutcome:
    with _stack(data_dir, clients) as stack:
        app = create_app(context=stack.context)
        app.state.search_sleep = stack.search_sleep
        with live_server(app) as base:
            plan = LoadPlan(base, SESSION_COOKIE, stack.cookies, seconds)
            collect = start_in_process(plan)
            queue_ids = _schedule_queues(stack)
            report = collect()
            runs = _runs_when_done(stack, queue_ids)
            ready = httpx.get(f"{base}/health/ready", timeout=10).status_code == 200
        stats = [sim_stats(sim) for sim in stack.sims]
        duplicates = sum(s["duplicates"] for s in stats) + sum(
            len(searches_within_cooldown(s["commandLog"])) for s in stats
        )
        return LoadOutcome(report, runs, _lags(stack, queue_ids), duplicates, ready)


def test_pages_and_streams_stay_up_while_scheduled_runs_go(tmp_path: Path) -> None:
    outcome = run_scenario(tmp_path / "data", clients=32, seconds=20.0)
    report = outcome.report

    assert report.errors == [], report.errors[:10]
    assert report.requests > 32, "every tab walked the pages"
    # Every tab heard both runs live, to their end, over its own stream.
    assert all(count > 0 for count in report.events_per_client), report.events_per_client
    assert {"running", "activity"} <= report.event_kinds, report.event_kinds
    # Each queue's slot ran exactly once, on the schedule, to a final state.
    assert [run.trigger for run in outcome.runs] == ["schedule"] * len(APPS)
    assert all(run.status == RunStatus.COMPLETED for run in outcome.runs), [
        (run.status, run.error) for run in outcome.runs
    ]
    assert len(outcome.lags_s) == len(APPS)
    assert outcome.duplicates == 0
    assert outcome.ready


def chaos_scenario() -> dict[str, Any]:
    """bench/chaos.py's load figures: the issue's 32 tabs for 60 s."""
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_scenario(Path(tmp) / "data", clients=32, seconds=60.0)
    report = outcome.report
    return {
        "load: tabs x seconds": "32 x 60",
        "load: page requests": report.requests,
        "load: errors": len(report.errors),
        "load: p50 / p95 ms": f"{report.p50_ms:.0f} / {report.p95_ms:.0f}",
        "load: requests per second": round(report.per_second, 1),
        "load: SSE events per tab (min)": min(report.events_per_client, default=0),
        "load: scheduled runs completed": sum(
            run.status == RunStatus.COMPLETED for run in outcome.runs
        ),
        "load: slot lag s (max)": round(max(outcome.lags_s, default=float("nan")), 2),
        "load: duplicate searches": outcome.duplicates,
    }
