"""Two app processes on one PostgreSQL schema and one simulated Sonarr: the leader is killed
with SIGKILL in the middle of a scheduled run; the other replica takes the leadership, closes
the dead run (`interrupted`, its commands reconciled, none resent) and runs the later slots;
the simulator never sees an item searched twice within the shortest cooldown.

Time: the simulator's clock runs at `SPEED` x real time and both replicas follow it
(`replica_app`), so the queue's 5-minute interval comes round every few real seconds while every
cooldown (6 hours and more) outlasts the whole test: any repeated search is a duplicate. Waits
poll observable state (run rows, the leader lock) against deadlines; nothing sleeps for timing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text, update

from tests.integration.scheduling import replica_processes as replicas
from tests.reliability.fleet import searched_ids, searches_within_cooldown, sim_stats
from tests.search.harness import sync_mirror
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.schemas import InstanceCreate
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.budgets.api import replace_limits
from vibe_quality_searcharr.search.budgets.schemas import LimitsUpdate
from vibe_quality_searcharr.search.models import (
    CommandStatus,
    RunStatus,
    SearchCommand,
    SearchQueue,
    SearchRun,
)
from vibe_quality_searcharr.search.queues.options import QueueOptions
from vibe_quality_searcharr.search.queues.schemas import QueueCreate
from vibe_quality_searcharr.search.queues.service import QueueService
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings
from vibe_quality_searcharr.simulator.testing import RunningSimulator

pytestmark = pytest.mark.postgres

SPEED = 60.0  # simulated seconds per real second
INTERVAL_MINUTES = 5
BATCH = 4  # episode searches per run, one command each
DELAY_SECONDS = 45  # simulated pause between commands: a run lasts a few real seconds
DEADLINE = 45.0  # real seconds for each wait
LEADER_LOCK_CLASS = 0x56515301  # scheduling.leader
_T = TypeVar("_T")


@dataclass(frozen=True)
class RunRow:
    id: int
    owner: str | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    commands: tuple[str, ...]

    @property
    def pid(self) -> int | None:
        return int(self.owner.split(":")[1]) if self.owner else None


class World:
    """The test's view: the shared database, the simulator and the replica processes."""

    def __init__(self, database: Database, sim: RunningSimulator, schema: str) -> None:
        self.database = database
        self.sim = sim
        self.schema = schema
        self.replicas: list[replicas.Replica] = []

    def leader_backend(self) -> int | None:
        """The PostgreSQL backend holding this schema's scheduler leadership lock, if any."""
        with self.database.engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND classid = :cls AND objid::bigint = (hashtext(:schema)::bigint & 4294967295)"
                ),
                {"cls": LEADER_LOCK_CLASS, "schema": self.schema},
            ).scalar()
            return int(found) if found is not None else None

    def runs(self) -> list[RunRow]:
        with self.database.session_scope(read_only=True) as session:
            statuses: dict[int, list[str]] = {}
            for run_id, status in session.execute(
                select(SearchCommand.run_id, SearchCommand.status).order_by(SearchCommand.position)
            ):
                statuses.setdefault(run_id, []).append(status)
            return [
                RunRow(run.id, run.owner, run.status, run.started_at, run.finished_at,
                       tuple(statuses.get(run.id, [])))
                for run in session.scalars(select(SearchRun).order_by(SearchRun.id))
            ]  # fmt: skip

    def wait_for(self, what: str, found: Callable[[], _T | None], timeout: float = DEADLINE) -> _T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for replica in self.replicas:
                if replica.process.poll() is not None and not replica.killed:
                    raise AssertionError(f"{replica.name} exited:\n{replica.log_tail()}")
            result = found()
            if result is not None:
                return result
            time.sleep(0.05)  # a poll interval, not a timing assumption
        logs = "\n".join(f"--- {r.name}\n{r.log_tail(2500)}" for r in self.replicas)
        raise AssertionError(f"timed out waiting for {what}; runs: {self.runs()}\n{logs}")

    def replica_of(self, run: RunRow) -> replicas.Replica:
        return next(r for r in self.replicas if r.pid == run.pid)


def completed_by(runs: list[RunRow], replica: replicas.Replica, at_least: int) -> bool:
    done = [r for r in runs if r.pid == replica.pid and r.status == RunStatus.COMPLETED]
    return len(done) >= at_least


@pytest.fixture
def world(
    postgres_schema: tuple[str, str],
    simulator_factory: Callable[..., RunningSimulator],
    tmp_path: Path,
) -> Iterator[tuple[World, dict[str, str]]]:
    url, schema = postgres_schema
    database = open_postgres(url, schema=schema)
    migrate.upgrade(database)
    master, pepper = secrets.token_hex(32), secrets.token_hex(32)
    settings = load_settings(
        data_dir=tmp_path / "test", master_secret=master, pepper=pepper, scheduler_enabled=False
    )
    context = AppContext(settings, ensure_secrets(settings), database, Scheduler(), EventBus())
    sim = simulator_factory("sonarr", size=60, seed=7)  # frozen until the replicas are started
    _configure(context, sim)
    (tmp_path / "master").write_text(master)
    (tmp_path / "pepper").write_text(pepper)
    env = {
        "VQS_DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}",
        "VQS_MASTER_SECRET_FILE": str(tmp_path / "master"),
        "VQS_PEPPER_FILE": str(tmp_path / "pepper"),
        "VQS_SCHEDULER_TICK_SECONDS": "0.5",
        "VQS_LOG_LEVEL": "INFO",
        "VQS_TEST_SIM_URL": sim.base_url,
        "VQS_TEST_SIM_KEY": sim.api_key,
    }
    state = World(database, sim, schema)
    try:
        yield state, env
    finally:
        for replica in state.replicas:
            replicas.stop(replica)
        database.dispose()


def _configure(context: AppContext, sim: RunningSimulator) -> int:
    """Instance, limits and queue through the services, the mirror through the library sync."""
    box = api_key_box(context.secrets.master_secret)
    with context.database.session_scope() as session:
        instance = InstanceService(session, box).create(
            InstanceCreate(name="Sonarr", app="sonarr", url=sim.base_url,
                           api_key=SecretStr(sim.api_key))
        )  # fmt: skip
        instance_id = instance.id
        # No caps: the budgets have their own tests; here every slot must send its batch.
        replace_limits(session, instance_id, LimitsUpdate(hourly_cap=None, daily_cap=None))
    sync_mirror(context, instance_id, sim)
    with context.database.session_scope() as session:
        queue = QueueService(session).create(
            QueueCreate(
                name="backlog",
                instance_id=instance_id,
                batch_size=BATCH,
                schedule={"kind": "interval", "minutes": INTERVAL_MINUTES, "jitter_minutes": 0},
                options=QueueOptions.model_validate(
                    {
                        "season_packs": {"enabled": False},
                        "ids_per_command": 1,
                        "delay_seconds": DELAY_SECONDS,
                    }
                ),
            )
        )
        # The schedule is anchored at the queue's creation, stamped by the wall clock; the
        # replicas live on the simulator's clock, so anchor it there.
        session.execute(
            update(SearchQueue).where(SearchQueue.id == queue.id).values(created_at=sim.clock.now())
        )
        return queue.id


def test_killing_the_leader_mid_run_hands_over_without_a_duplicate_search(
    world: tuple[World, dict[str, str]], tmp_path: Path
) -> None:
    state, env = world
    began = time.monotonic()
    state.sim.clock.set_speed(SPEED)
    for name in ("a", "b"):
        state.replicas.append(replicas.start(name, env, tmp_path))
    for replica in state.replicas:
        replicas.wait_ready(replica)

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
    replicas.kill9(leader)
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
    replicas.stop(survivor)

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
