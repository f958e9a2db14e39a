"""A fleet of simulated *arr apps with one queue each, an executor whose connector has short
timeouts and a retry sleeper that moves the simulated clock, and the health monitor driven by
that same clock: the pieces every reliability test composes. Nothing here sleeps for timing;
the only real waits are the client timeouts that end a hung request (a fraction of a second).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from tests.search.harness import Setup, setup_search
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.health import HealthMonitor, HealthPolicy, connector_checker
from vibe_quality_searcharr.instances.models import InstanceHealthEvent
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.search.models import SearchCommand, SearchRun
from vibe_quality_searcharr.search.runs.executor import Executor
from vibe_quality_searcharr.search.runs.polling import PollSettings
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.server import ServerThread
from vibe_quality_searcharr.simulator.testing import RunningSimulator

ID_FIELDS = ("episodeIds", "movieIds", "albumIds", "bookIds")
MIN_COOLDOWN = timedelta(hours=6)
"""The shortest cooldown tier (docs/planner.md): no item may be searched twice within it."""


def fast_options(clock: SimClock, read_timeout: float = 0.5) -> ClientOptions:
    """Short timeouts so a hung *arr ends quickly; retry back-off moves the simulated clock."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return ClientOptions(
        connect_timeout=1.0,
        read_timeout=read_timeout,
        write_timeout=1.0,
        pool_timeout=1.0,
        retry=RetryPolicy(retries=2, sleep=sleep, jitter=lambda: 0.0),
    )


def sim_stats(sim: RunningSimulator) -> dict[str, Any]:
    response = httpx.get(f"{sim.base_url}/__sim/stats", headers=sim.headers, timeout=5)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def set_faults(sim: RunningSimulator, *rules: dict[str, Any]) -> None:
    httpx.delete(f"{sim.base_url}/__sim/faults", headers=sim.headers, timeout=5).raise_for_status()
    if rules:
        httpx.post(
            f"{sim.base_url}/__sim/faults",
            json={"faults": list(rules)},
            headers=sim.headers,
            timeout=5,
        ).raise_for_status()


def searched_ids(entry: dict[str, Any]) -> list[int]:
    body = entry.get("body") or {}
    for name in ID_FIELDS:
        if name in body:
            return [int(value) for value in body[name]]
    if "seriesId" in body:  # a season pack: keyed by (series, season) below
        return []
    return []


def searches_within_cooldown(log: list[dict[str, Any]]) -> list[str]:
    """Every item (or season pack) searched twice less than the shortest cooldown apart."""
    seen: dict[Any, list[datetime]] = defaultdict(list)
    for entry in log:
        at = datetime.fromisoformat(entry["received"].replace("Z", "+00:00"))
        keys: list[Any] = list(searched_ids(entry))
        body = entry.get("body") or {}
        if not keys and "seriesId" in body:
            keys = [("season", body["seriesId"], body.get("seasonNumber"))]
        for key in keys:
            seen[key].append(at)
    problems = []
    for key, times in seen.items():
        times.sort()
        for first, second in itertools.pairwise(times):
            if second - first < MIN_COOLDOWN:
                problems.append(f"{key} searched at {first} and {second}")
    return problems


@dataclass
class Member:
    setup: Setup
    port: int

    @property
    def sim(self) -> RunningSimulator:
        return self.setup.sim


@dataclass
class Fleet:
    """Several simulated apps sharing one clock, each with an instance and a queue."""

    context: AppContext
    clock: SimClock
    members: list[Member]
    monitor: HealthMonitor
    events: list[Event] = field(default_factory=list)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        for member in self.members:
            member.sim.state.advance()

    def run_all(self) -> list[tuple[int, str]]:
        return [member.setup.run() for member in self.members]

    def check_health(self, times: int = 1) -> None:
        for _ in range(times):
            asyncio.run(self.monitor.run_once())
            self.advance(60)

    def take_down(self, member: Member) -> None:
        """The app disappears: its server stops and its port refuses connections."""
        member.sim.server.stop()

    def bring_back(self, member: Member) -> None:
        """The same app (same state, same port) comes back."""
        state = member.sim.state
        state.shutdown_event.clear()
        server = ServerThread(state, "127.0.0.1", member.port)
        server.start()
        member.sim.server = server

    def outage(self, member: Member, *, steps: int = 6, step_seconds: float = 10 * 60) -> None:
        """The app is gone for `steps` x `step_seconds` of simulated time (an hour by default)
        while health checks and runs go on, then comes back on its port."""
        self.take_down(member)
        for _ in range(steps):
            self.check_health(1)
            self.run_all()
            self.advance(step_seconds)
        self.bring_back(member)

    def runs(self) -> list[SearchRun]:
        with self.context.database.session_scope() as session:
            rows = list(session.scalars(select(SearchRun).order_by(SearchRun.id)).all())
            session.expunge_all()
            return rows

    def health_transitions(self) -> list[tuple[int, str]]:
        """(instance id, kind) of every stored health transition, oldest first. Read from the
        database, not the event bus: bus delivery hops to the web app's loop and may lag."""
        with self.context.database.session_scope() as session:
            rows = session.execute(
                select(InstanceHealthEvent.instance_id, InstanceHealthEvent.kind).order_by(
                    InstanceHealthEvent.id
                )
            ).all()
            return [(int(instance_id), str(kind)) for instance_id, kind in rows]

    def commands(self) -> list[SearchCommand]:
        with self.context.database.session_scope() as session:
            rows = list(session.scalars(select(SearchCommand)).all())
            session.expunge_all()
            return rows

    def stop(self) -> None:
        for member in self.members:
            member.sim.stop()


def build_fleet(
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
    apps: tuple[str, ...] = ("sonarr", "radarr", "sonarr"),
    *,
    size: int = 80,
    batch_size: int = 3,
) -> Fleet:
    clock = SimClock(speed=0.0)
    options = fast_options(clock)
    connector = Connector(options=options)
    members: list[Member] = []
    for seed, app in enumerate(apps, start=1):
        sim = simulator_factory(app, size=size, seed=seed, clock=clock)
        setup = setup_search(
            context, sim, batch_size=batch_size,
            options={"season_packs": {"enabled": False}, "delay_seconds": 1},
        )  # fmt: skip
        setup.executor = Executor(
            database=context.database,
            events=context.events,
            box=api_key_box(context.secrets.master_secret),
            connect=connector.connect,
            clock=clock.now,
            sleep=_fleet_sleeper(clock, sims=lambda: [m.sim for m in members]),
            poll=PollSettings(interval_seconds=5, timeout_seconds=300),
        )
        members.append(Member(setup, sim.server.port))
    monitor = HealthMonitor(
        database=context.database,
        events=context.events,
        box=api_key_box(context.secrets.master_secret),
        checker=connector_checker(Connector(options=fast_options(clock))),
        policy=HealthPolicy(min_free_bytes=0),
        clock=clock.now,
    )
    fleet = Fleet(context, clock, members, monitor)
    context.events.add_listener(fleet.events.append)
    return fleet


def _fleet_sleeper(clock: SimClock, sims: Callable[[], list[RunningSimulator]]) -> Any:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        for sim in sims():
            sim.state.advance()
        await asyncio.sleep(0)

    return sleep
