"""Two app processes on one PostgreSQL schema and one simulated Sonarr: the leader is killed
with SIGKILL in the middle of a scheduled run; the other replica takes the leadership, closes
the dead run (`interrupted`, its commands reconciled, none resent) and runs the later slots;
the simulator never sees an item searched twice within the shortest cooldown.

Time: the simulator's clock runs at `SPEED` x real time and both replicas follow it
(`tests.support.app_processes`), so the queue's 5-minute interval comes round every few real seconds while every
cooldown (6 hours and more) outlasts the whole test: any repeated search is a duplicate. Waits
poll observable state (run rows, the leader lock) against deadlines; nothing sleeps for timing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.reliability.fleet import searched_ids, searches_within_cooldown, sim_stats
from tests.support.app_processes import AppProcess
from tests.support.replica_world import RunRow, World, add_queue, open_world
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus
from vibe_quality_searcharr.simulator.testing import RunningSimulator

pytestmark = pytest.mark.postgres

SPEED = 60.0  # simulated seconds per real second
INTERVAL_MINUTES = 5
BATCH = 4  # episode searches per run, one command each
DELAY_SECONDS = 45  # simulated pause between commands: a run lasts a few real seconds


def completed_by(runs: list[RunRow], replica: AppProcess, at_least: int) -> bool:
    done = [r for r in runs if r.pid == replica.pid and r.status == RunStatus.COMPLETED]
    return len(done) >= at_least


@pytest.fixture
def world(
    postgres_schema: tuple[str, str],
    simulator_factory: Callable[..., RunningSimulator],
    tmp_path: Path,
) -> Iterator[World]:
    url, schema = postgres_schema
    sim = simulator_factory("sonarr", size=60, seed=7)  # frozen until the replicas are started
    state, context = open_world(url, schema, tmp_path, sim)
    try:
        add_queue(context, sim, "backlog", batch=BATCH, minutes=INTERVAL_MINUTES,
                  delay_seconds=DELAY_SECONDS, anchor=sim.clock.now())  # fmt: skip
        yield state
    finally:
        state.close()


def test_killing_the_leader_mid_run_hands_over_without_a_duplicate_search(world: World) -> None:
    state = world
    began = time.monotonic()
    state.sim.clock.set_speed(SPEED)
    for name in ("a", "b"):
        state.start_replica(name)
    for replica in state.replicas:
        replica.wait_ready()

    def first_completed() -> RunRow | None:
        return next((r for r in state.runs() if r.status == RunStatus.COMPLETED), None)

    first = state.wait_for("the leader's first run to complete", first_completed)
    leader = state.replica_of(first)
    survivor = next(r for r in state.replicas if r is not leader)

    def mid_run() -> RunRow | None:
        """The leader's next run, after its first command was sent and before its last."""
        for run in state.runs():
            sent = [s for s in run.commands if s != CommandStatus.INTENT]
            if run.id > first.id and run.status == RunStatus.RUNNING and 1 <= len(sent) < BATCH:
                return run
        return None

    victim = state.wait_for("the leader's second run to be under way", mid_run)
    assert victim.pid == leader.pid
    old_backend = state.leader_backend()
    assert old_backend is not None
    leader.kill9()
    killed_real, killed_sim = time.monotonic(), state.sim.clock.now()

    def new_leader() -> int | None:
        backend = state.leader_backend()
        return backend if backend not in (None, old_backend) else None

    state.wait_for("the survivor to take the leadership", new_leader)
    led_real = time.monotonic() - killed_real

    def takeover() -> RunRow | None:
        return next((r for r in state.runs() if r.pid == survivor.pid), None)

    def closed() -> RunRow | None:
        return next((r for r in state.runs() if r.id == victim.id and r.status != "running"), None)

    state.wait_for("the killed run to be reconciled", closed)
    closed_real = time.monotonic() - killed_real
    taken = state.wait_for("the survivor's first run", takeover)
    took_real = time.monotonic() - killed_real
    state.wait_for("two completed runs on the survivor",
                   lambda: True if completed_by(state.runs(), survivor, 2) else None)  # fmt: skip
    survivor.stop()

    runs = state.runs()
    dead = next(r for r in runs if r.id == victim.id)
    assert dead.status == RunStatus.INTERRUPTED  # closed by the survivor, not left running
    assert dead.commands, "the killed run had sent commands"
    assert all(s in CommandStatus.FINISHED for s in dead.commands), dead.commands
    assert not any(r.status == RunStatus.RUNNING for r in runs)
    assert {r.pid for r in runs} == {leader.pid, survivor.pid}
    assert all(r.id < taken.id for r in runs if r.pid == leader.pid)  # one leader at a time

    stats = sim_stats(state.sim)
    log = stats["commandLog"]
    assert stats["duplicates"] == 0  # never a command equal to one still pending on the app
    assert searches_within_cooldown(log) == []
    searched = [item for entry in log for item in searched_ids(entry)]
    assert len(searched) == len(set(searched))
    sent_rows = sum(1 for r in runs for s in r.commands if s != CommandStatus.NOT_SENT)
    assert len(log) <= sent_rows  # the app saw no command the database does not account for

    per_replica = {
        replica.name: sum(1 for r in runs if r.pid == replica.pid and r.status == "completed")
        for replica in (leader, survivor)
    }
    took_sim = (taken.started_at - killed_sim).total_seconds()
    print(
        f"\ntwo replicas: {time.monotonic() - began:.1f} s; completed runs {per_replica} "
        f"(leader {leader.name}, killed in run {victim.id}); after the kill: leadership taken "
        f"{led_real:.2f} s real ({led_real * SPEED:.0f} s simulated), killed run closed "
        f"{closed_real:.2f} s real, first run of the survivor {took_real:.2f} s real "
        f"({took_sim:.0f} s simulated; the next slot, interval {INTERVAL_MINUTES} min)"
    )
