"""Every fault the simulator injects ends in the right error or a successful retry, within the
timeout, and never with the API key in a message or a log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
import structlog

from tests.integration.arr.conftest import RecordedSleep
from vibe_quality_searcharr.arr import (
    ArrApp,
    ArrAuthFailed,
    ArrBadResponse,
    ArrError,
    ArrRateLimited,
    ArrTimeout,
    ArrUnreachable,
    ClientOptions,
    SonarrClient,
)

faults = pytest.importorskip("vibe_quality_searcharr.simulator.faults")
pytestmark = pytest.mark.anyio
WANTED = "/api/v3/wanted"


@pytest.fixture
def sonarr(sim_factory: Callable[..., Any]) -> Any:
    return sim_factory(ArrApp.SONARR, size=20)


def add_fault(sim: Any, kind: str, **options: Any) -> Any:
    rule = faults.FaultRule(kind=kind, **options)
    sim.state.faults.add(rule)
    return rule


async def test_a_5xx_then_recovery_is_retried_to_success(
    sonarr: Any, options: ClientOptions, sleep: RecordedSleep
) -> None:
    rule = add_fault(sonarr, "error", status=503, path=WANTED)
    sleep.hook = sonarr.state.faults.clear  # the app recovers while we back off
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        items = await client.wanted_missing()
    assert items
    assert rule.seen == 1
    assert sleep.delays == [0.25]


async def test_a_persistent_5xx_stops_at_the_retry_limit(
    sonarr: Any, options: ClientOptions, sleep: RecordedSleep
) -> None:
    rule = add_fault(sonarr, "error", status=500, path=WANTED)
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        with pytest.raises(ArrBadResponse, match="HTTP 500"):
            await client.wanted_missing()
    assert rule.seen == 3  # first try + 2 retries
    assert len(sleep.delays) == 2


async def test_rate_limit_honours_retry_after(
    sonarr: Any, options: ClientOptions, sleep: RecordedSleep
) -> None:
    add_fault(sonarr, "rate_limit", retry_after=4, path=WANTED)
    sleep.hook = sonarr.state.faults.clear
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        assert await client.wanted_missing()
    assert sleep.delays == [4.0]


async def test_rate_limit_beyond_the_cap_is_handed_to_the_caller(
    sonarr: Any, options: ClientOptions, sleep: RecordedSleep
) -> None:
    add_fault(sonarr, "rate_limit", retry_after=900, path=WANTED)
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        with pytest.raises(ArrRateLimited) as caught:
            await client.wanted_missing()
    assert caught.value.retry_after == 900
    assert sleep.delays == []


@pytest.mark.parametrize(("kind", "error"), [("malformed", "invalid JSON"), ("truncated", "")])
async def test_broken_bodies_are_bad_responses(
    sonarr: Any, options: ClientOptions, kind: str, error: str
) -> None:
    add_fault(sonarr, kind, path=WANTED)
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        with pytest.raises(ArrBadResponse) as caught:
            await client.wanted_missing()
    assert error in caught.value.problem


async def test_a_hang_ends_at_the_read_timeout(sonarr: Any, options: ClientOptions) -> None:
    add_fault(sonarr, "hang", hang_seconds=20, path=WANTED)
    started = time.monotonic()
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        with pytest.raises(ArrTimeout, match="did not answer"):
            await client.wanted_missing()
    # 3 attempts x 1 s read timeout, far below the 20 s hang: nothing waits on a dead app.
    assert time.monotonic() - started < 10


async def test_a_dropped_connection_is_unreachable_or_cut_off(
    sonarr: Any, options: ClientOptions
) -> None:
    rule = add_fault(sonarr, "drop", path=WANTED)
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        with pytest.raises((ArrUnreachable, ArrBadResponse)):
            await client.wanted_missing()
    assert rule.seen == 3


async def test_a_refused_key_is_auth_failed_with_the_fix(
    sonarr: Any, options: ClientOptions
) -> None:
    add_fault(sonarr, "refuse_key")
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        with pytest.raises(ArrAuthFailed, match="Settings > General"):
            await client.system_status()


async def test_latency_still_succeeds(sonarr: Any, options: ClientOptions) -> None:
    add_fault(sonarr, "latency", latency_ms=150, path=WANTED)
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        assert await client.wanted_missing()


@pytest.mark.parametrize("kind", ["error", "rate_limit", "hang", "drop", "truncated"])
async def test_a_search_command_is_sent_once_whatever_fails(
    sonarr: Any, options: ClientOptions, kind: str
) -> None:
    rule = add_fault(sonarr, kind, path="/api/v3/command", hang_seconds=5, retry_after=1)
    async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
        with pytest.raises(ArrError) as caught:
            await client.search_series(1)
    assert rule.seen == 1
    assert caught.value.may_have_reached_server is True


@pytest.mark.parametrize(
    "kind", ["error", "rate_limit", "malformed", "truncated", "hang", "drop", "refuse_key"]
)
async def test_no_fault_leaks_the_key(
    sonarr: Any, options: ClientOptions, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_fault(sonarr, kind, path="/api/v3/tag" if kind != "refuse_key" else None, hang_seconds=5)
    with structlog.testing.capture_logs() as logs:
        async with SonarrClient(sonarr.base_url, sonarr.api_key, options=options) as client:
            with pytest.raises(ArrError) as caught:
                await client.tags()
    texts = [str(caught.value), repr(caught.value), caught.value.detail, str(logs), caplog.text]
    assert all(sonarr.api_key not in text for text in texts)
