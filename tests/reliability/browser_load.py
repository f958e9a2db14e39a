"""Browser-like load on a live server: each client is one signed-in browser tab with the
dashboard open, so it holds the dashboard's event stream (SSE) for the whole run and walks the
pages in turn, one request at a time, as fast as the server answers.

It runs in a process of its own (`start_in_process`): the load's Python must not take the GIL
from a server running in the test's process, or every latency measured is partly the client's.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

__all__ = ["LoadPlan", "LoadReport", "run_load", "start_in_process"]

SSE_HEADERS = {"Accept": "text/event-stream"}
PAGE_HEADERS = {"Accept": "text/html"}


@dataclass(frozen=True, slots=True)
class LoadPlan:
    base_url: str
    cookie_name: str
    cookies: tuple[str, ...]  # one session per client
    seconds: float
    pages: tuple[str, ...] = ("/", "/history")


@dataclass(slots=True)
class LoadReport:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    events_per_client: list[int] = field(default_factory=list)
    event_kinds: set[str] = field(default_factory=set)
    wall_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0


async def _listen(client: httpx.AsyncClient, report: LoadReport, index: int) -> None:
    """Count the named events of the stream until cancelled; a stream that fails is an error."""
    try:
        async with client.stream("GET", "/events/stream", headers=SSE_HEADERS) as response:
            if response.status_code != 200:
                report.errors.append(f"SSE: HTTP {response.status_code}")
                return
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    report.events_per_client[index] += 1
                    report.event_kinds.add(line.removeprefix("event:").strip())
    except asyncio.CancelledError:
        raise
    except httpx.HTTPError as exc:
        report.errors.append(f"SSE: {type(exc).__name__}: {exc}")


async def _browse(
    client: httpx.AsyncClient, plan: LoadPlan, report: LoadReport, offset: int, until: float
) -> None:
    for path in itertools.islice(itertools.cycle(plan.pages), offset, None):
        if time.monotonic() >= until:
            return
        started = time.perf_counter()
        try:
            response = await client.get(path, headers=PAGE_HEADERS)
        except httpx.HTTPError as exc:
            report.errors.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            report.errors.append(f"{path}: HTTP {response.status_code}")


async def _tab(plan: LoadPlan, report: LoadReport, index: int, until: float) -> None:
    timeout = httpx.Timeout(30.0, read=None)  # the stream is read for the whole run
    async with httpx.AsyncClient(
        base_url=plan.base_url,
        cookies={plan.cookie_name: plan.cookies[index]},
        timeout=timeout,
    ) as client:
        listener = asyncio.create_task(_listen(client, report, index))
        try:
            await _browse(client, plan, report, index, until)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)


async def _run(plan: LoadPlan) -> LoadReport:
    report = LoadReport(events_per_client=[0] * len(plan.cookies))
    started = time.perf_counter()
    until = time.monotonic() + plan.seconds
    await asyncio.gather(*(_tab(plan, report, index, until) for index in range(len(plan.cookies))))
    report.wall_seconds = time.perf_counter() - started
    return report


def run_load(plan: LoadPlan) -> LoadReport:
    return asyncio.run(_run(plan))


def _child(plan: LoadPlan, results: multiprocessing.Queue[LoadReport]) -> None:
    results.put(run_load(plan))


def start_in_process(plan: LoadPlan, *, margin_seconds: float = 120.0) -> Callable[[], LoadReport]:
    """Start `run_load` in a spawned process; the returned function waits for its report
    (bounded by the plan's length plus a margin)."""
    spawn = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[LoadReport] = spawn.Queue()
    child = spawn.Process(target=_child, args=(plan, results), daemon=True)
    child.start()
    deadline = time.monotonic() + plan.seconds + margin_seconds

    def report() -> LoadReport:
        try:
            return results.get(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            child.join(timeout=10)
            if child.is_alive():
                child.kill()

    return report
