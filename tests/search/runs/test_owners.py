"""Run owners: the reconciliation closes a run only when the process carrying it out is gone,
so a replica that starts (or takes the leadership) never interrupts a live replica's run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.search.harness import Setup, setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus
from vibe_quality_searcharr.search.runs.owners import (
    LocalOwners,
    PostgresOwners,
    RunOwners,
    new_owner_id,
)
from vibe_quality_searcharr.search.runs.reconcile import ReconcileReport, orphaned_runs, reconcile
from vibe_quality_searcharr.simulator.testing import RunningSimulator


class Crash(Exception):
    """Stands for a process dying right after its first intent was committed."""


def crashed_run(setup: Setup, owner: str) -> int:
    """A run left `running` with one `intent` command by `owner`, as a kill -9 leaves it."""

    def crash(step: str) -> None:
        if step == "intent_committed":
            raise Crash

    setup.executor.owner, setup.executor.on_step = owner, crash

    async def go() -> int:
        run_id, _ = await setup.executor.create_run(setup.queue_id, "schedule")
        with pytest.raises(Crash):
            await setup.executor.execute(run_id, setup.queue_id)
        return run_id

    return asyncio.run(go())


def reconcile_as(setup: Setup, owners: RunOwners) -> ReconcileReport:
    context = setup.context
    return asyncio.run(
        reconcile(
            context.database,
            api_key_box(context.secrets.master_secret),
            Connector().connect,
            clock=setup.sim.clock.now,
            owners=owners,
        )
    )


def statuses(setup: Setup, run_id: int) -> tuple[str, list[str]]:
    return setup.run_row(run_id).status, [row.status for row in setup.commands(run_id)]


@pytest.fixture
def setup(context: AppContext, simulator_factory: Callable[..., RunningSimulator]) -> Setup:
    sim = simulator_factory("sonarr", size=40)
    return setup_search(context, sim, batch_size=2, options={"season_packs": {"enabled": False}})


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_live_replicas_run_is_left_alone_until_its_process_dies(
    setup: Setup, database: Database
) -> None:
    live, dead, me = PostgresOwners(database), PostgresOwners(database), PostgresOwners(database)
    for owners in (live, dead, me):
        owners.hold()
    try:
        live_run, dead_run = crashed_run(setup, live.me), crashed_run(setup, dead.me)
        legacy_run = crashed_run(setup, new_owner_id())  # an owner that never held its lock
        dead.release()  # its process is killed: the session and its lock are gone

        with database.session_scope() as session:
            assert sorted(orphaned_runs(session, me)) == sorted([dead_run, legacy_run])
        report = reconcile_as(setup, me)
        assert sorted(report.interrupted_runs) == sorted([dead_run, legacy_run])
        assert statuses(setup, dead_run) == (RunStatus.INTERRUPTED, [CommandStatus.UNKNOWN])
        assert statuses(setup, live_run) == (RunStatus.RUNNING, [CommandStatus.INTENT])
        with database.session_scope() as session:
            assert orphaned_runs(session, me) == []

        live.release()
        with database.session_scope() as session:
            assert orphaned_runs(session, me) == [live_run]
        assert reconcile_as(setup, me).interrupted_runs == [live_run]
        assert statuses(setup, live_run) == (RunStatus.INTERRUPTED, [CommandStatus.UNKNOWN])
        assert setup.stats()["commandsReceived"] == 0  # nothing was ever (re)sent
    finally:
        for owners in (live, dead, me):
            owners.release()


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_this_processs_own_runs_are_alive_while_it_holds_its_lock(
    setup: Setup, database: Database
) -> None:
    me = PostgresOwners(database)
    me.hold()
    try:
        mine = crashed_run(setup, me.me)
        assert reconcile_as(setup, me).interrupted_runs == []
        assert statuses(setup, mine) == (RunStatus.RUNNING, [CommandStatus.INTENT])
    finally:
        me.release()


def test_on_sqlite_only_this_processs_runs_are_alive(setup: Setup, database: Database) -> None:
    """One process per file: every run another process left is closed, as at any start."""
    me = LocalOwners()
    mine, theirs = crashed_run(setup, me.me), crashed_run(setup, new_owner_id())
    report = reconcile_as(setup, me)
    assert report.interrupted_runs == [theirs]
    assert statuses(setup, mine) == (RunStatus.RUNNING, [CommandStatus.INTENT])
    assert statuses(setup, theirs) == (RunStatus.INTERRUPTED, [CommandStatus.UNKNOWN])


def test_a_run_closed_by_another_replica_sends_nothing_more(
    setup: Setup, database: Database
) -> None:
    """Its owner looked dead to the others (its lock connection broke) and a reconciliation
    closed its run: the executor, still alive, stops at its next command instead of racing the
    next run for the same items."""
    closer = LocalOwners()  # on both backends: `me` owns nothing, so the run is an orphan

    def on_step(step: str) -> None:
        if step == "sent_committed":  # the other replica, in its own thread and loop
            with ThreadPoolExecutor(1) as other:
                other.submit(reconcile_as, setup, closer).result()

    setup.executor.owner, setup.executor.on_step = new_owner_id(), on_step
    run_id, status = setup.run()
    assert status == RunStatus.INTERRUPTED
    run = setup.run_row(run_id)
    assert run.status == RunStatus.INTERRUPTED
    assert len(setup.commands(run_id)) == 1  # the second command was never written nor sent
    assert setup.stats()["commandsReceived"] == 1
