"""Health monitoring with a simulated clock and scripted check results: no network, no sleep.

down -> paused -> up -> resumed, the disk guard, history rows and bus events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import respx

from tests.instances.conftest import API_KEY, make_instance, offline_connector, status_json
from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.instances.connection import ConnectionTarget
from vibe_quality_searcharr.instances.health import (
    GIB,
    HEALTH_JOB_ID,
    CheckResult,
    HealthMonitor,
    HealthPolicy,
    connector_checker,
    install_health_monitor,
)
from vibe_quality_searcharr.instances.models import HealthStatus
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.instances.service import api_key_box

OK = CheckResult(ok=True, latency_ms=12, version="4.0.14.2939", free_space_bytes=500 * GIB)
DOWN = CheckResult(ok=False, error="Cannot reach Sonarr at http://192.168.1.50:8989")


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int = 5) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class Script:
    """The checker: hands out the next scripted result per instance and records the targets."""

    results: list[CheckResult] = field(default_factory=list)
    seen: list[ConnectionTarget] = field(default_factory=list)

    async def __call__(self, target: ConnectionTarget) -> CheckResult:
        self.seen.append(target)
        return self.results.pop(0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def events(context: AppContext) -> list[Event]:
    seen: list[Event] = []
    context.events.add_listener(seen.append)
    return seen


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def monitor(context: AppContext, clock: Clock, script: Script) -> HealthMonitor:
    return HealthMonitor(
        database=context.database,
        events=context.events,
        box=api_key_box(context.secrets.master_secret),
        checker=script,
        policy=HealthPolicy(min_free_bytes=10 * GIB),
        clock=clock,
    )


@pytest.fixture
def instance_id(context: AppContext) -> int:
    with context.database.session_scope() as session:
        return make_instance(session, context).id


def state(context: AppContext, instance_id: int) -> tuple[str, bool, bool]:
    with context.database.session_scope() as session:
        health = InstanceRepository(session).health(instance_id)
        assert health is not None
        return health.status, health.paused_by_health, health.disk_low


def history(context: AppContext, instance_id: int) -> list[tuple[str, datetime, bool]]:
    with context.database.session_scope() as session:
        rows, _ = InstanceRepository(session).health_events(instance_id, 0, 100)
        return [(row.kind, row.at, row.paused_by_health) for row in reversed(rows)]


def paused_ids(context: AppContext) -> set[int]:
    with context.database.session_scope() as session:
        return InstanceRepository(session).paused_instance_ids()


@pytest.mark.anyio
async def test_down_pauses_after_three_failures_and_up_resumes_after_two_successes(
    context: AppContext,
    monitor: HealthMonitor,
    script: Script,
    clock: Clock,
    events: list[Event],
    instance_id: int,
) -> None:
    script.results = [OK, DOWN, DOWN, DOWN, DOWN, OK, OK, OK]
    await monitor.run_once()
    assert state(context, instance_id) == (HealthStatus.HEALTHY, False, False)

    for _ in range(2):
        clock.advance()
        await monitor.run_once()
    assert state(context, instance_id) == (HealthStatus.HEALTHY, False, False)
    assert events == []

    clock.advance()
    down_at = clock.now
    await monitor.run_once()
    assert state(context, instance_id) == (HealthStatus.UNHEALTHY, True, False)
    assert paused_ids(context) == {instance_id}
    assert [e.kind for e in events] == ["instance.down"]
    assert events[0].data["paused_by_health"] is True
    assert events[0].data["instance_id"] == instance_id

    clock.advance()
    await monitor.run_once()  # a fourth failure: still down, no second event
    clock.advance()
    await monitor.run_once()  # one success is not enough
    assert state(context, instance_id) == (HealthStatus.UNHEALTHY, True, False)

    clock.advance()
    up_at = clock.now
    await monitor.run_once()
    assert state(context, instance_id) == (HealthStatus.HEALTHY, False, False)
    assert paused_ids(context) == set()
    assert [e.kind for e in events] == ["instance.down", "instance.up"]
    assert events[1].data["paused_by_health"] is False
    assert history(context, instance_id) == [("down", down_at, True), ("up", up_at, False)]
    assert all(target.api_key == API_KEY for target in script.seen)


@pytest.mark.anyio
async def test_low_disk_pauses_and_recovered_space_resumes(
    context: AppContext,
    monitor: HealthMonitor,
    script: Script,
    clock: Clock,
    events: list[Event],
    instance_id: int,
) -> None:
    low = CheckResult(ok=True, latency_ms=10, version="4.0", free_space_bytes=4 * GIB)
    script.results = [OK, low, low, OK]
    await monitor.run_once()
    clock.advance()
    await monitor.run_once()
    assert state(context, instance_id) == (HealthStatus.HEALTHY, True, True)
    assert [e.kind for e in events] == ["instance.disk_low"]
    assert "4.0 GiB free" in events[0].data["detail"]
    clock.advance()
    await monitor.run_once()
    assert len(events) == 1  # still low: no repeated event
    clock.advance()
    await monitor.run_once()
    assert state(context, instance_id) == (HealthStatus.HEALTHY, False, False)
    assert [e.kind for e in events] == ["instance.disk_low", "instance.disk_ok"]
    assert [kind for kind, _, _ in history(context, instance_id)] == ["disk_low", "disk_ok"]


@pytest.mark.anyio
async def test_recovery_keeps_the_pause_while_the_disk_is_still_low(
    context: AppContext, monitor: HealthMonitor, script: Script, instance_id: int
) -> None:
    low = CheckResult(ok=True, latency_ms=10, version="4.0", free_space_bytes=1 * GIB)
    script.results = [low, DOWN, DOWN, DOWN, low, low]
    for _ in range(6):
        await monitor.run_once()
    assert state(context, instance_id) == (HealthStatus.HEALTHY, True, True)


@pytest.mark.anyio
async def test_a_crashing_check_counts_as_a_failure_and_spares_the_others(
    context: AppContext, monitor: HealthMonitor, script: Script, instance_id: int
) -> None:
    with context.database.session_scope() as session:
        other = make_instance(session, context, name="Radarr", app="radarr").id

    async def flaky(target: ConnectionTarget) -> CheckResult:
        if target.name == "Sonarr":
            raise RuntimeError("bug")
        return OK

    monitor.checker = flaky
    await monitor.run_once()
    with context.database.session_scope() as session:
        repo = InstanceRepository(session)
        broken, fine = repo.health(instance_id), repo.health(other)
        assert broken is not None
        assert fine is not None
        assert broken.consecutive_failures == 1
        assert broken.last_error == "the check failed: RuntimeError"
        assert fine.status == HealthStatus.HEALTHY


@pytest.mark.anyio
async def test_disabled_instances_are_not_checked(
    context: AppContext, monitor: HealthMonitor, script: Script
) -> None:
    with context.database.session_scope() as session:
        make_instance(session, context, enabled=False)
    assert await monitor.run_once() == {}
    assert script.seen == []


@pytest.mark.anyio
async def test_the_real_checker_reads_version_latency_and_smallest_root_folder() -> None:
    checker = connector_checker(offline_connector())
    target = ConnectionTarget(app=ArrApp.SONARR, url="http://192.168.1.50:8989", api_key=API_KEY)
    with respx.mock:
        respx.get("http://192.168.1.50:8989/api/v3/system/status").respond(json=status_json())
        respx.get("http://192.168.1.50:8989/api/v3/rootfolder").respond(
            json=[
                {"id": 1, "path": "/tv", "freeSpace": 50 * GIB},
                {"id": 2, "path": "/anime", "freeSpace": 3 * GIB},
            ]
        )
        result = await checker(target)
        respx.get("http://192.168.1.50:8989/api/v3/system/status").respond(503)
        failed = await checker(target)
    assert result.ok
    assert result.version == "4.0.14.2939"
    assert result.free_space_bytes == 3 * GIB
    assert result.latency_ms is not None
    assert not failed.ok
    assert failed.error is not None
    assert "HTTP 503" in failed.error
    assert API_KEY not in failed.error


@pytest.mark.anyio
async def test_the_job_is_registered_at_start_with_no_overlap(context: AppContext) -> None:
    context.settings = context.settings.model_copy(update={"health_check_minutes": 7})
    install_health_monitor(context, checker=Script())
    context.scheduler.start()
    try:
        job = context.scheduler.aps.get_job(HEALTH_JOB_ID)
        assert job is not None
        assert job.trigger.interval == timedelta(minutes=7)
        assert job.max_instances == 1
        assert job.coalesce is True
    finally:
        context.scheduler.shutdown()
