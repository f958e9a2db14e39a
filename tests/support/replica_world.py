"""The shared world of the replica tests (`test_two_replicas`, `test_scale_out`): one
PostgreSQL schema migrated and keyed, the simulator whose clock every replica follows, the
replica processes (`app_processes.AppProcess`) and the test's view of them: the leader lock's
holder, the runs with their commands, waits that fail with every replica's log.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pydantic import SecretStr
from sqlalchemy import select, text, update

from tests.search.harness import sync_mirror
from tests.support.app_processes import AppProcess, child_env
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.schemas import InstanceCreate
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.budgets.api import replace_limits
from vibe_quality_searcharr.search.budgets.schemas import LimitsUpdate
from vibe_quality_searcharr.search.models import SearchCommand, SearchQueue, SearchRun
from vibe_quality_searcharr.search.queues.options import QueueOptions
from vibe_quality_searcharr.search.queues.schemas import QueueCreate
from vibe_quality_searcharr.search.queues.service import QueueService
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings
from vibe_quality_searcharr.simulator.testing import RunningSimulator

__all__ = ["RunRow", "World", "add_instance", "add_queue", "open_world"]

DEADLINE = 45.0  # real seconds for each wait
LEADER_LOCK_CLASS = 0x56515301  # scheduling.leader
CLOCK_EVERY = 0.1  # seconds between a replica's readings of the simulator's clock
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

    def __init__(
        self, database: Database, sim: RunningSimulator, schema: str, tmp: Path, url: str
    ) -> None:
        self.database = database
        self.sim = sim
        self.schema = schema
        self.tmp = tmp
        self.url = url
        self.replicas: list[AppProcess] = []

    def start_replica(self, name: str) -> AppProcess:
        """One more replica on the schema, following `sim`'s clock; its data directory and log
        are its own under `tmp`."""
        env = child_env(
            self.tmp / f"{name}-data",
            self.sim.base_url,
            self.sim.api_key,
            clock_every=CLOCK_EVERY,
            database_url=f"{self.url}?options=-csearch_path%3D{self.schema}",
            master_secret_file=str(self.tmp / "master"),
            pepper_file=str(self.tmp / "pepper"),
            scheduler_tick_seconds="0.5",
            log_level="INFO",
        )
        replica = AppProcess(env, self.tmp / f"{name}.log", name)
        replica.start()
        self.replicas.append(replica)
        return replica

    def close(self) -> None:
        """Stop every replica (SIGTERM, then SIGKILL) and let go of the database."""
        for replica in self.replicas:
            replica.stop()
        self.database.dispose()

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
            statuses: dict[int | None, list[str]] = {}
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
        """Poll `found` until it returns something; a replica must not exit meanwhile unless
        the test killed it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for replica in self.replicas:
                if replica.process is not None and not replica.running() and not replica.killed:
                    raise AssertionError(f"{replica.name} exited:\n{replica.tail()}")
            result = found()
            if result is not None:
                return result
            time.sleep(0.05)  # a poll interval, not a timing assumption
        logs = "\n".join(f"--- {r.name}\n{r.tail(40)}" for r in self.replicas)
        raise AssertionError(f"timed out waiting for {what}; runs: {self.runs()}\n{logs}")

    def replica_of(self, run: RunRow) -> AppProcess:
        return next(r for r in self.replicas if r.pid == run.pid)


def open_world(url: str, schema: str, tmp: Path, sim: RunningSimulator) -> tuple[World, AppContext]:
    """The schema migrated, fresh secrets (written to `tmp` for the replicas to read) and a
    context of the test's own to configure through the services (no scheduler of its own)."""
    database = open_postgres(url, schema=schema)
    migrate.upgrade(database)
    master, pepper = secrets.token_hex(32), secrets.token_hex(32)
    settings = load_settings(
        data_dir=tmp / "test", master_secret=master, pepper=pepper, scheduler_enabled=False
    )
    context = AppContext(settings, ensure_secrets(settings), database, Scheduler(), EventBus())
    (tmp / "master").write_text(master)
    (tmp / "pepper").write_text(pepper)
    return World(database, sim, schema, tmp, url), context


def add_instance(context: AppContext, sim: RunningSimulator, name: str) -> int:
    """The simulated app as an instance, through the service."""
    box = api_key_box(context.secrets.master_secret)
    with context.database.session_scope() as session:
        instance = InstanceService(session, box).create(
            InstanceCreate(name=name, app=sim.app, url=sim.base_url,
                           api_key=SecretStr(sim.api_key))
        )  # fmt: skip
        return instance.id


def add_queue(
    context: AppContext,
    sim: RunningSimulator,
    name: str,
    *,
    batch: int,
    minutes: int,
    delay_seconds: int,
    anchor: datetime,
) -> int:
    """The app's instance without caps of its own (the budgets have their own tests), its
    mirror filled through the library sync, and one queue of `batch` one-item searches every
    `minutes`, anchored at `anchor` on the simulator's clock, which the replicas live on (the
    service stamps the wall clock)."""
    instance_id = add_instance(context, sim, sim.app.title())
    with context.database.session_scope() as session:
        replace_limits(session, instance_id, LimitsUpdate(hourly_cap=None, daily_cap=None))
    sync_mirror(context, instance_id, sim)
    with context.database.session_scope() as session:
        queue = QueueService(session).create(
            QueueCreate(
                name=name,
                instance_id=instance_id,
                batch_size=batch,
                schedule={"kind": "interval", "minutes": minutes, "jitter_minutes": 0},
                options=QueueOptions.model_validate(
                    {
                        "season_packs": {"enabled": False},
                        "ids_per_command": 1,
                        "delay_seconds": delay_seconds,
                    }
                ),
            )
        )
        session.execute(
            update(SearchQueue).where(SearchQueue.id == queue.id).values(created_at=anchor)
        )
        return queue.id
