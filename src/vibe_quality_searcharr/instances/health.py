"""Instance health: a periodic check per instance, and the state machine that pauses searching.

    unknown ──(first success)──► healthy ──(3 failures in a row)──► unhealthy  "instance.down"
                                    ▲                                   │
                                    └──────(2 successes in a row)───────┘      "instance.up"
    any state: free space on the root folders < threshold ─► disk_low  "instance.disk_low"
               free space back above it                    ─► disk ok   "instance.disk_ok"

`paused_by_health` = unhealthy or disk_low. It lives in `instance_health`, apart from any pause
a user sets, so the search queues skip paused instances (`InstanceRepository.paused_instance_ids`)
and resume exactly what health paused. Every transition is stored in `instance_health_event`
and published on the event bus. The clock and the check are injected: tests drive the state
machine without a network or a sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import anyio
import structlog

from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.connection import ConnectionTarget, Connector
from vibe_quality_searcharr.instances.models import (
    HealthStatus,
    InstanceHealth,
    InstanceHealthEvent,
)
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box
from vibe_quality_searcharr.instances.urls import BlockedAddress
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.crypto import DecryptionError, SecretBox

__all__ = [
    "GIB",
    "HEALTH_JOB_ID",
    "CheckResult",
    "Checker",
    "HealthMonitor",
    "HealthPolicy",
    "Transition",
    "apply_check",
    "install_health_monitor",
]

GIB = 1024**3
HEALTH_JOB_ID = "instance-health"
log = structlog.get_logger(__name__)
TransitionKind = Literal["down", "up", "disk_low", "disk_ok"]


@dataclass(frozen=True)
class HealthPolicy:
    failures_to_down: int = 3
    successes_to_up: int = 2
    min_free_bytes: int = 10 * GIB
    concurrency: int = 8


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check. `free_space_bytes` is None when the app has no root folders."""

    ok: bool
    latency_ms: int | None = None
    version: str | None = None
    free_space_bytes: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Transition:
    kind: TransitionKind
    detail: str


Checker = Callable[[ConnectionTarget], Awaitable[CheckResult]]


def _gib(value: int) -> str:
    return f"{value / GIB:.1f} GiB"


def apply_check(
    health: InstanceHealth, result: CheckResult, policy: HealthPolicy, now: datetime
) -> list[Transition]:
    """Fold one check into the health row; return the transitions it caused (pure logic)."""
    transitions: list[Transition] = []
    health.last_checked_at = now
    if result.ok:
        health.consecutive_failures = 0
        health.consecutive_successes = (health.consecutive_successes or 0) + 1
        health.last_ok_at = now
        health.last_error = None
        health.latency_ms = result.latency_ms
        health.version = result.version or health.version
        if health.status == HealthStatus.UNKNOWN:
            health.status = HealthStatus.HEALTHY
        elif (
            health.status == HealthStatus.UNHEALTHY
            and health.consecutive_successes >= policy.successes_to_up
        ):
            health.status = HealthStatus.HEALTHY
            transitions.append(
                Transition("up", f"answered {health.consecutive_successes} checks in a row")
            )
        transitions.extend(_disk(health, result.free_space_bytes, policy))
    else:
        health.consecutive_successes = 0
        health.consecutive_failures = (health.consecutive_failures or 0) + 1
        health.last_error = result.error or "check failed"
        if (
            health.status != HealthStatus.UNHEALTHY
            and health.consecutive_failures >= policy.failures_to_down
        ):
            health.status = HealthStatus.UNHEALTHY
            transitions.append(
                Transition(
                    "down", f"{health.consecutive_failures} failed checks: {health.last_error}"
                )
            )
    health.paused_by_health = health.status == HealthStatus.UNHEALTHY or bool(health.disk_low)
    if transitions:
        health.changed_at = now
    return transitions


def _disk(health: InstanceHealth, free: int | None, policy: HealthPolicy) -> list[Transition]:
    health.free_space_bytes = free
    if free is None:
        return []
    low = free < policy.min_free_bytes
    if low and not health.disk_low:
        health.disk_low = True
        return [
            Transition(
                "disk_low", f"{_gib(free)} free, below the {_gib(policy.min_free_bytes)} minimum"
            )
        ]
    if not low and health.disk_low:
        health.disk_low = False
        return [Transition("disk_ok", f"{_gib(free)} free again")]
    return []


def connector_checker(connector: Connector) -> Checker:
    """The real check: status, latency and root-folder free space; never raises."""

    async def check(target: ConnectionTarget) -> CheckResult:
        try:
            probe = await connector.probe(target, disk=True)
        except (ArrError, BlockedAddress) as exc:
            return CheckResult(ok=False, error=getattr(exc, "detail", str(exc)))
        return CheckResult(
            ok=True,
            latency_ms=probe.latency_ms,
            version=probe.server.version,
            free_space_bytes=probe.free_space_bytes,
        )

    return check


@dataclass
class HealthMonitor:
    database: Database
    events: EventBus
    box: SecretBox
    checker: Checker
    policy: HealthPolicy = field(default_factory=HealthPolicy)
    clock: Callable[[], datetime] = utcnow

    async def run_once(self) -> dict[int, list[Transition]]:
        """Check every enabled instance once, concurrently; record and publish what changed."""
        targets = await anyio.to_thread.run_sync(self._targets)
        gate = asyncio.Semaphore(self.policy.concurrency)

        async def one(target: ConnectionTarget) -> CheckResult:
            async with gate:
                try:
                    return await self.checker(target)
                except Exception as exc:  # one broken check must not stop the others
                    log.exception("instance_health_check_crashed", instance=target.name)
                    return CheckResult(ok=False, error=f"the check failed: {type(exc).__name__}")

        results = await asyncio.gather(*(one(target) for _, target in targets))
        changes: dict[int, list[Transition]] = {}
        for (instance_id, _), result in zip(targets, results, strict=True):
            changes[instance_id] = await anyio.to_thread.run_sync(self.record, instance_id, result)
        return changes

    def _targets(self) -> list[tuple[int, ConnectionTarget]]:
        targets: list[tuple[int, ConnectionTarget]] = []
        with self.database.session_scope() as session:
            service = InstanceService(session, self.box)
            for instance in service.repo.enabled():
                try:
                    targets.append((instance.id, service.target(instance)))
                except DecryptionError:
                    log.error("instance_key_undecryptable", instance_id=instance.id)
        return targets

    def record(self, instance_id: int, result: CheckResult) -> list[Transition]:
        """Apply one result in its own transaction, then publish the transitions."""
        now = self.clock()
        with self.database.session_scope() as session:
            repo = InstanceRepository(session)
            instance = repo.get(instance_id)
            if instance is None:
                return []
            health = repo.health_for_update(instance_id)
            transitions = apply_check(health, result, self.policy, now)
            for transition in transitions:
                repo.add_health_event(
                    InstanceHealthEvent(
                        instance_id=instance_id,
                        kind=transition.kind,
                        at=now,
                        detail=transition.detail,
                        paused_by_health=health.paused_by_health,
                    )
                )
            paused, name, app = health.paused_by_health, instance.name, instance.app
        for transition in transitions:
            log.info("instance_health", instance=name, kind=transition.kind, paused=paused)
            self.events.publish(
                f"instance.{transition.kind}",
                instance_id=instance_id,
                name=name,
                app=app,
                detail=transition.detail,
                paused_by_health=paused,
            )
        return transitions


def install_health_monitor(context: AppContext, *, checker: Checker | None = None) -> HealthMonitor:
    """Build the monitor from the settings and register its job for when the scheduler starts."""
    settings = context.settings
    options = ClientOptions(read_timeout=15.0, retry=RetryPolicy(retries=0))
    monitor = HealthMonitor(
        database=context.database,
        events=context.events,
        box=api_key_box(context.secrets.master_secret),
        checker=checker or connector_checker(Connector(options=options)),
        policy=HealthPolicy(min_free_bytes=int(settings.health_min_free_gib * GIB)),
    )

    def register(scheduler: Scheduler) -> None:
        scheduler.aps.add_job(
            scheduler.leader_only(monitor.run_once),  # replicas must not check twice
            "interval",
            minutes=settings.health_check_minutes,
            id=HEALTH_JOB_ID,
            name="Instance health checks",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=utcnow() + timedelta(seconds=30),
        )

    context.scheduler.on_start(register)
    return monitor
