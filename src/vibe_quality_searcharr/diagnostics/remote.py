"""Reachability, version and clock of every enabled *arr instance and Prowlarr, in parallel.

Each probe has its own deadline (connect 5 s, read 10 s, no retries, 20 s in all), so one dead
host costs 20 s at most, not 20 s times the number of instances. The clock is judged from the
`Date` header of the instance's own `system/status` answer: an *arr keeps no clock field there,
and schedules, history windows and indexer limits all assume both sides agree on the time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.diagnostics.result import CheckResult
from vibe_quality_searcharr.instances.connection import ConnectionTarget, Connector
from vibe_quality_searcharr.instances.urls import BlockedAddress, Resolver, system_resolver

__all__ = ["MAX_SKEW", "PROBE_DEADLINE", "check_instances"]

MAX_SKEW = timedelta(minutes=1)
PROBE_DEADLINE = 20.0
OPTIONS = ClientOptions(connect_timeout=5.0, read_timeout=10.0, retry=RetryPolicy(retries=0))


class _DateRecorder(httpx.AsyncBaseTransport):
    """Passes requests through and keeps the last `Date` header seen, with our time then."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._clock = clock
        self.seen: tuple[datetime, datetime] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        header = response.headers.get("date")
        if header:
            with contextlib.suppress(TypeError, ValueError):
                self.seen = (parsedate_to_datetime(header).astimezone(UTC), self._clock())
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _duration(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


async def _probe(
    name: str, target: ConnectionTarget, clock: Callable[[], datetime], resolver: Resolver
) -> tuple[CheckResult, timedelta | None]:
    recorder = _DateRecorder(clock)
    connector = Connector(options=OPTIONS, resolver=resolver, transport=recorder)
    label = f"instance {name}"
    try:
        probe = await asyncio.wait_for(connector.probe(target), PROBE_DEADLINE)
    except (ArrError, BlockedAddress, httpx.HTTPError, TimeoutError) as exc:
        detail = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
        return CheckResult(
            label, False, f"unreachable: {detail}", f"check that {target.app} is up at its URL"
        ), None
    finally:
        await recorder.aclose()
    server = probe.server
    result = CheckResult(
        label, True, f"{server.app_name or target.app} {server.version}, {probe.latency_ms} ms"
    )
    skew = None if recorder.seen is None else recorder.seen[1] - recorder.seen[0]
    return result, skew


def _clock_result(skews: dict[str, timedelta]) -> CheckResult:
    if not skews:
        return CheckResult("clock", True, "no instance answered with a Date header to compare")
    name, worst = max(skews.items(), key=lambda item: abs(item[1]))
    if abs(worst) > MAX_SKEW:
        direction = "ahead of" if worst > timedelta(0) else "behind"
        return CheckResult(
            "clock",
            True,
            f"this machine is {_duration(worst)} {direction} {name}",
            "sync both clocks (NTP: timedatectl set-ntp true)",
            warning=True,
        )
    return CheckResult("clock", True, f"within {_duration(worst)} of {len(skews)} instance(s)")


async def _all(
    targets: Sequence[tuple[str, ConnectionTarget]],
    clock: Callable[[], datetime],
    resolver: Resolver,
) -> list[CheckResult]:
    outcomes = await asyncio.gather(*(_probe(n, t, clock, resolver) for n, t in targets))
    results = [result for result, _ in outcomes]
    skews = {n: skew for (n, _), (_, skew) in zip(targets, outcomes, strict=True) if skew}
    results.append(_clock_result(skews))
    return results


def check_instances(
    targets: Sequence[tuple[str, ConnectionTarget]],
    *,
    clock: Callable[[], datetime],
    resolver: Resolver = system_resolver,
) -> list[CheckResult]:
    if not targets:
        return [CheckResult("instances", True, "none enabled yet")]
    return asyncio.run(_all(targets, clock, resolver))
