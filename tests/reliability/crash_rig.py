"""The crash rig: the real app in its own process on an encrypted SQLite data directory, two
simulated apps (Sonarr, Radarr) on one simulated clock that the app follows, a queue per app
every 30 simulated minutes and library syncs started through the API. The test process reads
the same database (WAL lets a reader beside the writer) to pick its moments: the app is killed
with SIGKILL when what it is doing is observed, never after a sleep.

The moments (`MOMENTS`): a run has written a command's intent and not yet its answer (the
simulator's command endpoint is slowed so that window is visible); a run has sent its commands
and polls them; a library sync is running.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select

from tests.instances.conftest import make_instance
from tests.reliability.fleet import set_faults, sim_stats
from tests.search.harness import make_queue, sync_mirror
from tests.support.app_processes import AppProcess, child_env
from vibe_quality_searcharr.app import build_context
from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.library.models import LibrarySyncState, SyncStatus
from vibe_quality_searcharr.scheduling.models import QueueSlotClaim
from vibe_quality_searcharr.search.models import (
    CommandStatus,
    RunStatus,
    SearchCommand,
    SearchQueue,
    SearchRun,
)
from vibe_quality_searcharr.security.passwords import HashCost, Passwords
from vibe_quality_searcharr.settings import load_settings
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator
from vibe_quality_searcharr.users import api_tokens
from vibe_quality_searcharr.users.models import User

__all__ = ["MOMENTS", "SLOT", "SPEED", "CrashRig", "Moment", "Snapshot"]

SLOT = timedelta(minutes=30)
SCHEDULE = {"kind": "interval", "minutes": 30, "jitter_minutes": 0}
SPEED = 600.0
"""Simulated seconds per real second: a 30-minute slot every 3 s."""
QUEUE_OPTIONS = {"season_packs": {"enabled": False}, "ids_per_command": 1, "delay_seconds": 30}
"""Three commands a run, 30 simulated seconds apart."""
MOMENTS = ("intent", "polling", "sync")
_T = TypeVar("_T")


@dataclass
class Snapshot:
    """What the test saw committed just before a kill."""

    runs: set[int]
    commands: set[int]


@dataclass
class Moment:
    kind: str
    running_runs: set[int] = field(default_factory=set)
    intents: set[int] = field(default_factory=set)
    syncing: set[int] = field(default_factory=set)


class CrashRig:
    def __init__(self, tmp: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clock = SimClock(speed=0.0)
        self.sims: list[RunningSimulator] = []
        for offset, (app, size) in enumerate((("sonarr", 40), ("radarr", 300))):
            self.sims.append(start_simulator(app, size=size, seed=seed + offset, clock=self.clock))
        settings = load_settings(data_dir=tmp / "data", scheduler_enabled=False)
        context = build_context(settings, configure_logs=False)
        self.instance_ids: dict[int, int] = {}  # instance id -> index in sims
        self.queue_ids: list[int] = []
        for index, sim in enumerate(self.sims):
            with context.database.session_scope() as session:
                instance_id = make_instance(
                    session, context, name=sim.app, app=sim.app, url=sim.base_url,
                    api_key=sim.api_key,
                ).id  # fmt: skip
            sync_mirror(context, instance_id, sim)
            self.instance_ids[instance_id] = index
            queue_id = make_queue(
                context, instance_id, name=f"{sim.app} backlog", batch_size=3,
                schedule=SCHEDULE, options=QUEUE_OPTIONS,
            )  # fmt: skip
            self.queue_ids.append(queue_id)
        self.token = _api_token(context.database, context.secrets.pepper)
        context.database.dispose()
        self.db: Database = open_sqlcipher(
            settings.sqlite_path, context.secrets.database_key, pool_size=2
        )
        for sim in self.sims:
            # Slow enough that the test sees an intent in flight and a sync running.
            root = sim.state.spec.api_root
            set_faults(
                sim,
                {"kind": "latency", "latencyMs": 150, "path": f"{root}/command"},
                {"kind": "latency", "latencyMs": 60, "path": f"{root}/series"},
                {"kind": "latency", "latencyMs": 60, "path": f"{root}/movie"},
                {"kind": "latency", "latencyMs": 60, "path": f"{root}/wanted"},
            )
        env = child_env(
            settings.data_dir, self.sims[0].base_url, self.sims[0].api_key,
            scheduler_tick_seconds="0.5", log_level="WARNING",
        )  # fmt: skip
        self.app = AppProcess(env, tmp / "app.log")

    # --- driving ---------------------------------------------------------------------------

    def start(self) -> None:
        self.app.start()
        self.app.wait_ready()

    def set_speed(self, speed: float) -> None:
        self.clock.set_speed(speed)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        for sim in self.sims:
            sim.state.advance()

    def start_sync(self, instance_id: int) -> None:
        response = httpx.post(
            f"{self.app.base_url}/api/v1/instances/{instance_id}/sync",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        assert response.status_code == 202, response.text

    def wait_for(self, what: str, check: Callable[[], _T | None], timeout: float = 60.0) -> _T:
        """Poll `check` until it returns something; the app must stay up meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            process = self.app.process
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the app died waiting for {what}:\n{self.app.tail()}")
            if time.monotonic() > deadline:
                self.app.dump_threads()
                raise TimeoutError(
                    f"{what}: not seen within {timeout} s\n{self.describe()}\n{self.app.tail()}"
                )
            time.sleep(0.01)  # the polling interval

    def observe(self, kind: str) -> Moment | None:
        """The moment `kind` if the app is in it now."""
        with self.db.session_scope(read_only=True) as session:
            running = set(
                session.scalars(select(SearchRun.id).where(SearchRun.status == RunStatus.RUNNING))
            )
            if kind == "sync":
                syncing = set(
                    session.scalars(
                        select(LibrarySyncState.instance_id).where(
                            LibrarySyncState.status == SyncStatus.RUNNING
                        )
                    )
                )
                return Moment(kind, running, syncing=syncing) if syncing else None
            if not running:
                return None
            rows = session.execute(
                select(SearchCommand.id, SearchCommand.status).where(
                    SearchCommand.run_id.in_(running)
                )
            ).all()
            intents = {int(row_id) for row_id, status in rows if status == CommandStatus.INTENT}
            sent = any(status == CommandStatus.SENT for _, status in rows)
            if kind == "intent" and intents:
                return Moment(kind, running, intents)
            if kind == "polling" and sent and not intents:
                return Moment(kind, running)
            return None

    def describe(self) -> str:
        """The latest runs, commands and syncs, for a failure message."""
        runs = [(r.id, r.queue_id, r.status, str(r.started_at), r.error) for r in self.runs()[-6:]]
        commands = [(c.id, c.run_id, c.status) for c in self.commands()[-6:]]
        syncs = [(s.instance_id, s.status, s.last_error) for s in self.sync_states().values()]
        return f"runs {runs}\ncommands {commands}\nsyncs {syncs}\nclock {self.clock.now()}"

    def snapshot(self) -> Snapshot:
        with self.db.session_scope(read_only=True) as session:
            return Snapshot(
                set(session.scalars(select(SearchRun.id))),
                set(session.scalars(select(SearchCommand.id))),
            )

    def finished_runs_since(self, run_id: int) -> int:
        with self.db.session_scope(read_only=True) as session:
            count = session.scalar(
                select(func.count(SearchRun.id)).where(
                    SearchRun.id > run_id, SearchRun.finished_at.is_not(None)
                )
            )
            return int(count or 0)

    def last_run_id(self) -> int:
        with self.db.session_scope(read_only=True) as session:
            return int(session.scalar(select(func.max(SearchRun.id))) or 0)

    # --- reading the outcome ---------------------------------------------------------------

    def runs(self) -> list[SearchRun]:
        with self.db.session_scope(read_only=True) as session:
            rows = list(session.scalars(select(SearchRun).order_by(SearchRun.id)))
            session.expunge_all()
            return rows

    def commands(self) -> list[SearchCommand]:
        with self.db.session_scope(read_only=True) as session:
            rows = list(session.scalars(select(SearchCommand).order_by(SearchCommand.id)))
            session.expunge_all()
            return rows

    def sync_states(self) -> dict[int, LibrarySyncState]:
        with self.db.session_scope(read_only=True) as session:
            rows = list(session.scalars(select(LibrarySyncState)))
            session.expunge_all()
            return {row.instance_id: row for row in rows}

    def claims(self) -> dict[int, datetime]:
        with self.db.session_scope(read_only=True) as session:
            rows = session.execute(select(QueueSlotClaim.queue_id, QueueSlotClaim.slot_at)).all()
            return {int(queue_id): slot for queue_id, slot in rows}

    def queue_anchor(self, queue_id: int) -> datetime:
        with self.db.session_scope(read_only=True) as session:
            queue = session.get(SearchQueue, queue_id)
            assert queue is not None
            return queue.created_at

    def integrity(self) -> list[str]:
        with self.db.engine.connect() as connection:
            return [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]

    def stats(self) -> list[dict[str, Any]]:
        return [sim_stats(sim) for sim in self.sims]

    def close(self) -> None:
        self.app.stop()
        self.db.dispose()
        for sim in self.sims:
            sim.stop()


def _api_token(database: Database, pepper: str) -> str:
    """An admin with a full-scope API token: how the test starts syncs through the API."""
    with database.session_scope() as session:
        cheap = HashCost(time_cost=1, memory_kib=8, parallelism=1)
        user = User(
            username="admin",
            role="admin",
            password_hash=Passwords(pepper, cheap).hash(secrets.token_urlsafe(24)),
        )
        session.add(user)
        session.flush()
        token, _ = api_tokens.create(
            session, user, name="crash test", scope="full", expires_in_days=None,
            now=datetime.now().astimezone(),
        )  # fmt: skip
        return token
