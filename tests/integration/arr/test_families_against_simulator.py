"""Every app family and version mode, driven through the simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.integration.arr.conftest import testing  # noqa: F401  (skips without the simulator)
from vibe_quality_searcharr.arr import (
    ArrApp,
    ClientOptions,
    LidarrClient,
    MediaClient,
    ProwlarrClient,
    RadarrClient,
    ReadarrClient,
    SonarrClient,
    make_client,
)

pytestmark = pytest.mark.anyio

MEDIA_MODES = [
    (ArrApp.SONARR, "4.0.14.2939"),
    (ArrApp.SONARR, "3.0.10.1567"),
    (ArrApp.RADARR, "5.26.2.10099"),
    (ArrApp.RADARR, "5.2.6.8376"),
    (ArrApp.LIDARR, None),
    (ArrApp.READARR, None),
    (ArrApp.WHISPARR, None),
    (ArrApp.WHISPARR_V3, None),
]


def raw_total(sim: Any, kind: str) -> int:
    response = httpx.get(
        f"{sim.api_root}/wanted/{kind}", headers=sim.headers, params={"pageSize": 1}
    )
    response.raise_for_status()
    total: int = response.json()["totalRecords"]
    return total


@pytest.mark.parametrize(("app", "version"), MEDIA_MODES, ids=lambda v: str(v))
async def test_detects_the_app_and_reads_complete_wanted_lists(
    sim_factory: Callable[..., Any], options: ClientOptions, app: ArrApp, version: str | None
) -> None:
    sim = sim_factory(app, size=40, version=version)
    client = make_client(app, sim.base_url, sim.api_key, options=options)
    assert isinstance(client, MediaClient)
    async with client:
        server = await client.server_info()
        missing = await client.wanted_missing()
        small_pages = await client.wanted_missing(page_size=7)
        cutoff = await client.wanted_cutoff()
    assert server.app is app
    assert server.version == (version or sim.state.version)
    assert missing, "the simulated backlog has missing items"
    assert [item.id for item in small_pages] == [item.id for item in missing]
    assert len({item.id for item in missing}) == len(missing)
    if server.has_wanted_endpoints:
        assert len(missing) == raw_total(sim, "missing")
        assert len(cutoff) == raw_total(sim, "cutoff")


async def test_radarr_before_5_6_lists_what_5_6_lists(
    sim_factory: Callable[..., Any], options: ClientOptions
) -> None:
    old = sim_factory(ArrApp.RADARR, size=40, seed=3, version="5.2.6.8376")
    new = sim_factory(ArrApp.RADARR, size=40, seed=3, version="5.6.0.8846")
    async with (
        RadarrClient(old.base_url, old.api_key, options=options) as before,
        RadarrClient(new.base_url, new.api_key, options=options) as after,
    ):
        old_missing = {movie.id for movie in await before.wanted_missing()}
        new_missing = {movie.id for movie in await after.wanted_missing()}
    assert old_missing
    assert old_missing == new_missing


async def test_sonarr_searches_run_to_completion(
    sim_factory: Callable[..., Any], options: ClientOptions
) -> None:
    sim = sim_factory(ArrApp.SONARR, size=20)
    async with SonarrClient(sim.base_url, sim.api_key, options=options) as client:
        wanted = await client.wanted_missing()
        first = wanted[0]
        season = await client.search_season(first.series_id, first.season_number)
        episodes = await client.search_episodes([item.id for item in wanted[:3]])
        sim.advance(600)
        done = [await client.command(season.id), await client.command(episodes.id)]
        listed = {command.id for command in await client.commands()}
        status = await client.queue_status()
        queue = await client.queue()
        profiles = await client.quality_profiles()
        series = await client.series()
        eps = await client.episodes(series_id=first.series_id)
    assert season.name == "SeasonSearch"
    assert all(command.is_finished for command in done)
    assert {season.id, episodes.id} <= listed
    assert status.total_count == len(queue)
    assert profiles
    assert first.series_id in {s.id for s in series}
    assert first.id in {e.id for e in eps}


@pytest.mark.parametrize(
    ("app", "search"),
    [
        (ArrApp.RADARR, "search_movies"),
        (ArrApp.WHISPARR_V3, "search_movies"),
        (ArrApp.LIDARR, "search_albums"),
        (ArrApp.READARR, "search_books"),
        (ArrApp.WHISPARR, "search_episodes"),
    ],
)
async def test_item_searches_of_each_family(
    sim_factory: Callable[..., Any], options: ClientOptions, app: ArrApp, search: str
) -> None:
    sim = sim_factory(app, size=20)
    client = make_client(app, sim.base_url, sim.api_key, options=options)
    assert isinstance(client, MediaClient)
    async with client:
        wanted = await client.wanted_missing()
        command = await getattr(client, search)([wanted[0].id])
        sim.advance(600)
        finished = await client.command(command.id)
        history = [page async for page in client.iter_history()]
    assert finished.is_finished
    assert history[0].total_records >= 0


async def test_lidarr_and_readarr_libraries(
    sim_factory: Callable[..., Any], options: ClientOptions
) -> None:
    lidarr = sim_factory(ArrApp.LIDARR, size=10)
    readarr = sim_factory(ArrApp.READARR, size=10)
    async with LidarrClient(lidarr.base_url, lidarr.api_key, options=options) as music:
        artists = await music.artists()
        albums = await music.albums()
    async with ReadarrClient(readarr.base_url, readarr.api_key, options=options) as books:
        authors = await books.authors()
        book_list = await books.books()
    assert {album.artist_id for album in albums} <= {artist.id for artist in artists}
    assert {book.author_id for book in book_list} <= {author.id for author in authors}


async def test_prowlarr_indexers_and_usage(
    sim_factory: Callable[..., Any], options: ClientOptions
) -> None:
    sim = sim_factory(ArrApp.PROWLARR)
    async with ProwlarrClient(sim.base_url, sim.api_key, options=options) as client:
        server = await client.server_info()
        indexers = await client.indexers()
        stats = await client.indexer_stats()
        statuses = await client.indexer_status()
        apps = await client.applications()
    assert server.app is ArrApp.PROWLARR
    assert indexers
    assert all(indexer.limits.unit in ("day", "hour") for indexer in indexers)
    assert any(indexer.limits.query_limit for indexer in indexers)
    assert {s.indexer_id for s in stats.indexers} <= {i.id for i in indexers}
    assert {s.indexer_id for s in statuses} <= {i.id for i in indexers}
    assert isinstance(apps, list)
