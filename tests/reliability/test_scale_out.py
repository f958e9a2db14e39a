"""Scale-out: three app processes on one PostgreSQL schema and one simulated world (a Prowlarr
with hourly query limits, a Sonarr and a Radarr behind it, one queue each every 5 simulated
minutes). Over one simulated hour each replica is killed with SIGKILL and started again in turn,
the leader first, and then:

- every slot ran at most once (no two runs of a queue in one slot), and every slot of the hour
  ran except those due while the queue's previous run was still under way, which the scheduler
  coalesces into it (a killed run stays under way until a live replica closes it);
- no item was searched twice (the simulator's `duplicates`, the cooldown check), no indexer took
  a query past its limit (`limitExcess`), every run ended (completed, held, or interrupted with
  its reason);
- each replica's SSE client heard runs carried out by the other replicas (the PostgreSQL
  LISTEN/NOTIFY bridge), and the one session created on the first replica opened every replica's
  stream, before and after every restart.

Time: the simulator's clock runs at `SPEED` x real time and every replica follows it
(`tests.support.app_processes`); every cooldown (6 hours and more) outlasts the test, so any repeated search is a
duplicate. Waits poll observable state (run rows, the leader lock, the clock) against deadlines.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD
from tests.integration.events.replicas import SseReader
from tests.reliability.fleet import searched_ids, searches_within_cooldown, sim_stats
from tests.support.app_processes import AppProcess
from tests.support.replica_world import World, add_instance, add_queue, open_world
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus, SearchRun
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.simulator.indexers import Indexer
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator

__all__ = ["chaos_scenario"]

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]

SPEED = 90.0  # simulated seconds per real second: the hour takes 40 s
INTERVAL = timedelta(minutes=5)
HOUR = timedelta(hours=1)
BATCH = 3  # searches per run, one command each
DELAY_SECONDS = 30  # simulated pause between commands
QUERY_LIMIT = 66  # per indexer per hour; the two queues would send 72 without the budget
KILL_AT = (timedelta(minutes=12), timedelta(minutes=27), timedelta(minutes=42))
NAMES = ("a", "b", "c")
_RUN_ID = re.compile(r'data-run-id="(\d+)"')


@dataclass
class Stage:
    """The shared world: simulators, database, the replicas and their SSE clients."""

    world: World
    prowlarr: RunningSimulator
    apps: list[RunningSimulator]
    anchor: datetime
    cookies: dict[str, str] = field(default_factory=dict)
    streams: dict[str, list[SseReader]] = field(default_factory=dict)
    heard: dict[str, set[int]] = field(default_factory=dict)  # replica -> others' run ids
    heard_now: dict[str, set[int]] = field(default_factory=dict)  # by its newest client

    def replica(self, name: str) -> AppProcess:
        return next(r for r in self.world.replicas if r.name == name)

    def listen(self, replica: AppProcess) -> None:
        """A fresh SSE client on `replica`, signed in with the one shared session."""
        reader = SseReader(f"{replica.base_url}/events/stream", self.cookies).start()
        assert reader.status == 200, f"the session is not valid on {replica.name}"
        self.streams.setdefault(replica.name, []).append(reader)

    def sim_now(self) -> datetime:
        return self.prowlarr.clock.now()


def _build(url: str, schema: str, tmp: Path) -> Stage:
    prowlarr = start_simulator("prowlarr")  # frozen until the replicas are started
    world, context = open_world(url, schema, tmp, prowlarr)
    now = prowlarr.clock.now()
    prowlarr.state.pool.indexers[:] = [
        Indexer(i + 1, f"Idx{i + 1}", protocol="usenet", query_limit=QUERY_LIMIT,
                limits_unit=1, added=now)
        for i in range(2)
    ]  # fmt: skip
    apps = [
        start_simulator("sonarr", size=60, seed=7, join=prowlarr, app_tags=[]),
        start_simulator("radarr", size=60, seed=8, join=prowlarr, app_tags=[]),
    ]
    add_instance(context, prowlarr, "Prowlarr")
    for sim in apps:
        # No caps of the app's own: Prowlarr's indexer limits are the budget under test.
        add_queue(context, sim, f"{sim.app} backlog", batch=BATCH, minutes=5,
                  delay_seconds=DELAY_SECONDS, anchor=now)  # fmt: skip
    return Stage(world, prowlarr, apps, now)


@dataclass(frozen=True)
class Outcome:
    wall_s: float
    ready_s: float
    simulated_h: float
    kills: int
    leader_kills: int
    slots: dict[int, list[int]]  # queue -> slot numbers that ran, in order
    expected_slots: int  # per queue
    busy: dict[int, set[int]]  # queue -> slots due while one of its runs was still going
    runs: Counter[str]
    duplicates: int
    repeated: list[str]
    searched: list[tuple[str, int]]  # (app, item id) of every search sent
    limit_excess: int
    cross_heard: dict[str, int]  # replica -> run events heard from runs of other replicas
    unfinished: list[str]
    session_ok: dict[str, bool]
    commands_sent: int
    commands_logged: int


@dataclass(frozen=True)
class Ended:
    """What the checks need of a run beyond `World.runs()`: its queue and why it ended."""

    id: int
    queue_id: int | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    reason: str


def _ended(stage: Stage) -> list[Ended]:
    with stage.world.database.session_scope(read_only=True) as session:
        return [
            Ended(
                r.id, r.queue_id, r.status, r.started_at, r.finished_at, r.error or r.summary or ""
            )
            for r in session.scalars(select(SearchRun).order_by(SearchRun.id))
        ]


def _running_at(ended: list[Ended], queue: int, slot: int, anchor: datetime) -> bool:
    """Whether a run of `queue` was under way when `slot` came due: the scheduler folds such a
    slot into that run (`scheduled_run_coalesced`) rather than run the queue twice at once."""
    at = anchor + slot * INTERVAL
    return any(
        r.queue_id == queue and r.started_at < at and (r.finished_at is None or r.finished_at >= at)
        for r in ended
    )


def _drain(stage: Stage, pids: dict[int, str]) -> dict[str, int]:
    """Read what every SSE client has received so far; per replica, how many runs carried out
    by another replica it has heard of (the "running" fragments name their run ids)."""
    owner = {run.id: pids.get(run.pid or 0) for run in stage.world.runs()}
    for name, readers in stage.streams.items():
        for reader in readers:
            while not reader.empty():
                kind, data = reader.next(timeout=1)
                for run_id in map(int, _RUN_ID.findall(data) if kind == "running" else []):
                    if owner.get(run_id) not in (None, name):
                        stage.heard.setdefault(name, set()).add(run_id)
                        if reader is readers[-1]:
                            stage.heard_now.setdefault(name, set()).add(run_id)
    return {name: len(stage.heard.get(name, ())) for name in NAMES}


def _leader_pid(stage: Stage) -> int | None:
    """The process holding the leadership: the owner of the newest run, once the lock is held."""
    if stage.world.leader_backend() is None:
        return None
    runs = stage.world.runs()
    return runs[-1].pid if runs else None


def run_scenario(url: str, schema: str, tmp: Path) -> Outcome:
    """The hour on a fresh schema; every process and simulator is stopped before it returns."""
    began = time.monotonic()
    stage = _build(url, schema, tmp)
    try:
        return _play(stage, began)
    finally:
        stage.world.close()
        for sim in (*stage.apps, stage.prowlarr):
            sim.stop()


def _play(stage: Stage, began: float) -> Outcome:
    world = stage.world
    pids: dict[int, str] = {}
    try:
        for name in NAMES:
            world.start_replica(name)
        for replica in world.replicas:
            replica.wait_ready()
            pids[replica.pid] = replica.name
        setup = httpx.post(
            f"{world.replicas[0].base_url}/api/v1/setup",
            json={"username": "admin", "password": TEST_PASSWORD},
            timeout=30,
        )
        assert setup.status_code == 201, setup.text
        stage.cookies = {SESSION_COOKIE: setup.cookies[SESSION_COOKIE]}
        for replica in world.replicas:
            stage.listen(replica)
        ready_s = time.monotonic() - began
        # The hour starts now: the replicas' clocks stood still while they started.
        stage.prowlarr.clock.set_speed(SPEED)

        first = world.wait_for(
            "the first run", lambda: next((r for r in world.runs() if r.pid), None)
        )
        leader = pids[first.pid or 0]
        order = [leader, *(n for n in NAMES if n != leader)]
        leader_kills = 0
        for name, at in zip(order, KILL_AT, strict=True):
            world.wait_for(
                f"simulated +{at}", lambda at=at: stage.sim_now() >= stage.anchor + at or None
            )

            def mid_run() -> bool | None:
                """A run under way, after its first search was sent and before its last."""
                for run in world.runs():
                    sent = [s for s in run.commands if s != CommandStatus.INTENT]
                    if run.status == RunStatus.RUNNING and 1 <= len(sent) < BATCH:
                        return True
                return None

            victim = stage.replica(name)
            if _leader_pid(stage) == victim.pid:  # the leader dies in the middle of a run
                world.wait_for("a run under way", mid_run)
            was_leader = _leader_pid(stage) == victim.pid
            leader_kills += was_leader
            old_backend = world.leader_backend()
            victim.kill9()
            victim.restart()
            victim.wait_ready()
            pids[victim.pid] = name
            stage.heard_now.pop(name, None)
            stage.listen(victim)
            if was_leader:
                world.wait_for(
                    "a new leader",
                    lambda old=old_backend: world.leader_backend() not in (None, old) or None,
                )
            # Back as a follower: its new client hears the leader's runs through the bridge.
            world.wait_for(
                f"{name}'s new client to hear another replica's run",
                lambda n=name: (_drain(stage, pids) and stage.heard_now.get(n)) or None,
            )

        def slot_of(started: datetime) -> int:
            return int((started - stage.anchor) / INTERVAL)

        expected = int(HOUR / INTERVAL)

        def hour_done() -> bool | None:
            runs = _ended(stage)
            queues = {r.queue_id for r in runs}
            done = len(queues) == 2 and all(
                any(slot_of(r.started_at) >= expected for r in runs if r.queue_id == q)
                for q in queues
            )
            return (done and not any(r.status == RunStatus.RUNNING for r in runs)) or None

        world.wait_for("the hour's last slots to run", hour_done, timeout=90)
        simulated = stage.sim_now() - stage.anchor
        session_ok = {}
        for replica in world.replicas:
            answer = httpx.get(
                f"{replica.base_url}/api/v1/instances", cookies=stage.cookies, timeout=10
            )
            session_ok[replica.name] = answer.status_code == 200
        cross = _drain(stage, pids)
    finally:
        for replica in world.replicas:
            replica.stop()

    runs = world.runs()
    ended = _ended(stage)
    slots: dict[int, list[int]] = {}
    for row in ended:
        slots.setdefault(row.queue_id or 0, []).append(slot_of(row.started_at))
    unfinished = [
        f"run {r.id} {r.status}"
        for r in ended
        if r.status not in RunStatus.FINISHED
        or (r.status == RunStatus.INTERRUPTED and not r.reason)
    ]
    duplicates, repeated, searched, logged = 0, [], [], 0
    for sim in stage.apps:
        stats = sim_stats(sim)
        duplicates += int(stats["duplicates"])
        repeated += searches_within_cooldown(stats["commandLog"])
        searched += [(sim.app, i) for e in stats["commandLog"] for i in searched_ids(e)]
        logged += len(stats["commandLog"])
    outcome = Outcome(
        wall_s=time.monotonic() - began,
        ready_s=ready_s,
        simulated_h=simulated / HOUR,
        kills=len(KILL_AT),
        leader_kills=leader_kills,
        slots=slots,
        expected_slots=expected,
        busy={
            queue: {k for k in range(1, expected + 1) if _running_at(ended, queue, k, stage.anchor)}
            for queue in slots
        },
        runs=Counter(r.status for r in runs),
        duplicates=duplicates,
        repeated=repeated,
        searched=searched,
        limit_excess=int(sim_stats(stage.prowlarr)["limitExcess"]),
        cross_heard=cross,
        unfinished=unfinished,
        session_ok=session_ok,
        commands_sent=sum(1 for r in runs for s in r.commands if s != CommandStatus.NOT_SENT),
        commands_logged=logged,
    )
    return outcome


@pytest.fixture
def outcome(postgres_schema: tuple[str, str], tmp_path: Path) -> Outcome:
    url, schema = postgres_schema
    return run_scenario(url, schema, tmp_path)


def test_three_replicas_killed_in_turn_run_each_slot_once(outcome: Outcome) -> None:
    print(f"\nscale-out: {_figures(outcome)} slots {outcome.slots}")
    for queue_id, numbers in outcome.slots.items():
        again = [n for n, count in Counter(numbers).items() if count > 1]
        assert again == [], f"queue {queue_id}: slots {again} ran twice"
        missing = set(range(1, outcome.expected_slots + 1)) - set(numbers)
        # A slot is only ever skipped by coalescing into the queue's run still under way then
        # (a killed run stays open until a live replica closes it).
        assert missing <= outcome.busy[queue_id], f"queue {queue_id}: slots {missing} skipped"
    assert len(outcome.slots) == 2
    assert outcome.duplicates == 0
    assert outcome.repeated == []
    assert len(outcome.searched) == len(set(outcome.searched))
    assert outcome.commands_logged <= outcome.commands_sent
    assert outcome.limit_excess == 0
    assert outcome.unfinished == []
    assert outcome.leader_kills >= 1
    assert outcome.session_ok == dict.fromkeys(NAMES, True)
    assert all(outcome.cross_heard[name] > 0 for name in NAMES), outcome.cross_heard


def _figures(outcome: Outcome) -> dict[str, Any]:
    hour = range(1, outcome.expected_slots + 1)
    ran = sum(len(set(numbers) & set(hour)) for numbers in outcome.slots.values())
    return {
        "scale-out: wall s (of which start)": f"{outcome.wall_s:.1f} ({outcome.ready_s:.1f})",
        "scale-out: simulated hours": round(outcome.simulated_h, 2),
        "scale-out: kills / restarts (leader)": f"{outcome.kills} / {outcome.kills} "
        f"({outcome.leader_kills})",
        "scale-out: slots of the hour run / due / coalesced": f"{ran} / "
        f"{outcome.expected_slots * 2} / {outcome.expected_slots * 2 - ran}",
        "scale-out: runs": dict(outcome.runs),
        "scale-out: duplicate searches": outcome.duplicates + len(outcome.repeated),
        "scale-out: limit excess": outcome.limit_excess,
        "scale-out: SSE runs heard cross-replica": outcome.cross_heard,
    }


def chaos_scenario() -> dict[str, Any]:
    """bench/chaos.py's scale-out figures; needs VQS_TEST_POSTGRES_URL (a fresh schema)."""
    import os

    from sqlalchemy import create_engine, text

    url = os.environ.get("VQS_TEST_POSTGRES_URL")
    if not url:
        return {"scale-out": "not run (no VQS_TEST_POSTGRES_URL)"}
    schema = f"chaos_{secrets.token_hex(4)}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return _figures(run_scenario(url, schema, Path(tmp)))
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
