"""Prowlarr-aware budgets read from the simulator: limits, usage, tags, back-off, matching."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from vibe_quality_searcharr.arr.clients.prowlarr import ProwlarrClient
from vibe_quality_searcharr.search.budgets.limits import prowlarr_limits
from vibe_quality_searcharr.search.budgets.prowlarr import read_prowlarr
from vibe_quality_searcharr.search.planner import Budget
from vibe_quality_searcharr.simulator.testing import RunningSimulator

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _first_wanted(sim: RunningSimulator, count: int) -> list[int]:
    wanted = httpx.get(
        f"{sim.api_root}/wanted/missing", params={"pageSize": count}, headers=sim.headers
    ).json()
    return [record["id"] for record in wanted["records"]]


def _search(sim: RunningSimulator, episode_ids: list[int]) -> None:
    response = httpx.post(
        f"{sim.api_root}/command",
        json={"name": "EpisodeSearch", "episodeIds": episode_ids},
        headers=sim.headers,
        timeout=5,
    )
    assert response.status_code == 201
    sim.advance(60)


async def test_budget_reflects_each_indexers_limit_usage_and_tags(
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    prowlarr = simulator_factory("prowlarr")
    sonarr = simulator_factory("sonarr", join=prowlarr, app_tags=[])
    _search(sonarr, _first_wanted(sonarr, 3))

    async with ProwlarrClient(prowlarr.base_url, prowlarr.api_key) as client:
        view = await read_prowlarr(client, "sonarr", sonarr.base_url, prowlarr.clock.now())
    assert view.application is not None
    by_name = {indexer.name: indexer for indexer in view.indexers}
    # Sonarr (no tags) is served by the untagged indexers only; each took one query per episode.
    assert by_name["NZBgeek"].used == 3
    assert by_name["DrunkenSlug"].used == 3
    assert by_name["Nyaa"].used == 0

    limits = prowlarr_limits(view.indexers, view.app_tags, 0.2, prowlarr.clock.now())
    tightest = Budget(limits).tightest()
    assert tightest is not None
    assert "DrunkenSlug" in tightest.name
    assert tightest.remaining == 16 - 3  # floor(20 per hour * 0.8) - 3 used


async def test_an_indexer_backing_off_does_not_constrain(
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    prowlarr = simulator_factory("prowlarr")
    sonarr = simulator_factory("sonarr", join=prowlarr)
    now = prowlarr.clock.now()
    slug = prowlarr.state.pool.get(2)
    assert slug is not None
    slug.disabled_till = now + timedelta(hours=3)
    async with ProwlarrClient(prowlarr.base_url, prowlarr.api_key) as client:
        view = await read_prowlarr(client, "sonarr", sonarr.base_url, now)
    names = {
        limit.name.split()[1] for limit in prowlarr_limits(view.indexers, view.app_tags, 0.2, now)
    }
    assert names == {"NZBgeek"}


async def test_unmatched_instance_is_charged_on_every_enabled_indexer(
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    prowlarr = simulator_factory("prowlarr")
    async with ProwlarrClient(prowlarr.base_url, prowlarr.api_key) as client:
        view = await read_prowlarr(client, "radarr", "http://10.0.0.9:7878", prowlarr.clock.now())
    assert view.app_tags is None
    limited = prowlarr_limits(view.indexers, view.app_tags, 0.2, prowlarr.clock.now())
    assert {limit.name.split()[1] for limit in limited} == {"NZBgeek", "DrunkenSlug"}
