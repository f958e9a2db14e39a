"""A slot's claim names the process the way its run does: by the run owner id, so the claim and
the run it started join on it (diagnostics, reconciliation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.search.harness import setup_search, sim_sleeper
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.scheduling.models import QueueSlotClaim
from vibe_quality_searcharr.search.models import SearchRun
from vibe_quality_searcharr.search.runs.wiring import registry_of, run_owners_of
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def test_a_scheduled_slot_is_claimed_under_the_owner_id_its_run_records(
    app: FastAPI, context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=20)
    setup = setup_search(
        context,
        sim,
        batch_size=2,
        schedule={"kind": "interval", "minutes": 60, "jitter_minutes": 0},
        created_at=sim.clock.now() - timedelta(hours=2, minutes=5),  # a slot is due now
    )
    app.state.clock = sim.clock.now
    app.state.search_sleep = sim_sleeper(sim)
    queue_scheduler = app.state.queue_scheduler
    with TestClient(app) as client:  # the lifespan registers this process as a run owner
        assert client.portal is not None
        try:
            client.portal.call(queue_scheduler.tick)  # leader: the due slot is claimed and run
            client.portal.call(registry_of(app).wait, setup.queue_id)
        finally:
            queue_scheduler.leader.release()
        owner = run_owners_of(app).me
    with context.database.session_scope() as session:
        claimed_by = session.scalar(
            select(QueueSlotClaim.claimed_by).where(QueueSlotClaim.queue_id == setup.queue_id)
        )
        runs = session.execute(
            select(SearchRun.owner, SearchRun.trigger).where(SearchRun.queue_id == setup.queue_id)
        ).all()
        joined = session.execute(
            select(SearchRun.id)
            .join(QueueSlotClaim, QueueSlotClaim.claimed_by == SearchRun.owner)
            .where(QueueSlotClaim.queue_id == setup.queue_id)
        ).all()
    assert [tuple(run) for run in runs] == [(owner, "schedule")]
    assert claimed_by == owner
    assert len(joined) == 1
