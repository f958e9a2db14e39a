"""Each app family: its API root, its item types, its search commands and version modes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import respx

from tests.unit.arr.conftest import API_KEY, episode, page, status
from vibe_quality_searcharr.arr import (
    ArrApp,
    ClientOptions,
    LidarrClient,
    MediaClient,
    ProwlarrClient,
    RadarrClient,
    ReadarrClient,
    SonarrClient,
    WhisparrClient,
    WhisparrV3Client,
    make_client,
)

pytestmark = pytest.mark.anyio
HOST = "http://media.lan"


def command(command_id: int, name: str) -> dict[str, object]:
    return {"id": command_id, "name": name, "commandName": name, "status": "queued"}


def sent(route: respx.Route) -> dict[str, object]:
    body: dict[str, object] = json.loads(route.calls.last.request.content)
    return body


@pytest.mark.parametrize(
    ("app", "cls"),
    [
        (ArrApp.SONARR, SonarrClient),
        (ArrApp.RADARR, RadarrClient),
        (ArrApp.LIDARR, LidarrClient),
        (ArrApp.READARR, ReadarrClient),
        (ArrApp.WHISPARR, WhisparrClient),
        (ArrApp.WHISPARR_V3, WhisparrV3Client),
        (ArrApp.PROWLARR, ProwlarrClient),
    ],
)
async def test_factory_builds_the_family_client(
    app: ArrApp, cls: type, options: ClientOptions
) -> None:
    client = make_client(app.value, HOST, API_KEY, options=options)
    assert type(client) is cls
    await client.aclose()


@pytest.mark.parametrize(
    ("version", "sort_key"), [("3.0.10.1567", "airDateUtc"), ("4.0.14.2939", "episodes.airDateUtc")]
)
async def test_sonarr_sort_key_follows_the_version(
    router: respx.MockRouter, options: ClientOptions, version: str, sort_key: str
) -> None:
    router.get(f"{HOST}/api/v3/system/status").respond(json=status("Sonarr", version))
    route = router.get(f"{HOST}/api/v3/wanted/missing").respond(
        json=page([episode(1)], page=1, total=1)
    )
    async with SonarrClient(HOST, API_KEY, options=options) as client:
        items = await client.wanted_missing()
    params = route.calls.last.request.url.params
    assert params["sortKey"] == sort_key
    assert params["sortDirection"] == "ascending"
    assert params["monitored"] == "true"
    assert items[0].series_id == 7
    assert items[0].air_date_utc == datetime(2024, 3, 1, 20, 0, tzinfo=UTC)
    assert items[0].last_search_time is None  # absent on the wire


async def test_sonarr_commands_and_library(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.post(f"{HOST}/api/v3/command").respond(201, json=command(11, "SeasonSearch"))
    router.get(f"{HOST}/api/v3/series").respond(
        json=[
            {
                "id": 7,
                "title": "Show",
                "seasons": [{"seasonNumber": 1, "monitored": True}],
                "tags": [2],
            }
        ]
    )
    episodes = router.get(f"{HOST}/api/v3/episode").respond(json=[episode(1), episode(2)])
    router.get(f"{HOST}/api/v3/episodefile").respond(json=[{"id": 3, "customFormatScore": 40}])
    async with SonarrClient(HOST, API_KEY, options=options) as client:
        season = await client.search_season(7, 1)
        assert sent(route) == {"name": "SeasonSearch", "seriesId": 7, "seasonNumber": 1}
        await client.search_episodes([1, 2])
        assert sent(route) == {"name": "EpisodeSearch", "episodeIds": [1, 2]}
        await client.search_series(7)
        assert sent(route) == {"name": "SeriesSearch", "seriesId": 7}
        series = await client.series()
        eps = await client.episodes(episode_ids=[1, 2])
        files = await client.episode_files(7)
        with pytest.raises(ValueError, match="series_id or episode_ids"):
            await client.episodes()
    assert season.id == 11
    assert not season.is_finished
    assert series[0].seasons[0].monitored
    assert [e.id for e in eps] == [1, 2]
    assert episodes.calls.last.request.url.params.get_list("episodeIds") == ["1", "2"]
    assert files[0].custom_format_score == 40


async def test_whisparr_v2_speaks_sonarr(router: respx.MockRouter, options: ClientOptions) -> None:
    router.get(f"{HOST}/api/v3/system/status").respond(json=status("Whisparr", "2.0.0.548"))
    wanted = router.get(f"{HOST}/api/v3/wanted/missing").respond(
        json=page([episode(4)], page=1, total=1)
    )
    route = router.post(f"{HOST}/api/v3/command").respond(201, json=command(1, "EpisodeSearch"))
    async with WhisparrClient(HOST, API_KEY, options=options) as client:
        assert (await client.server_info()).app is ArrApp.WHISPARR
        assert [e.id for e in await client.wanted_missing()] == [4]
        await client.search_episodes([4])
    assert wanted.calls.last.request.url.params["sortKey"] == "episodes.airDateUtc"
    assert sent(route)["name"] == "EpisodeSearch"


MOVIES = [
    {"id": 1, "title": "Missing", "monitored": True, "isAvailable": True, "hasFile": False},
    {"id": 2, "title": "Not out yet", "monitored": True, "isAvailable": False, "hasFile": False},
    {"id": 3, "title": "Unmonitored", "monitored": False, "isAvailable": True, "hasFile": False},
    {
        "id": 4,
        "title": "Below cutoff",
        "monitored": True,
        "isAvailable": True,
        "hasFile": True,
        "movieFile": {"id": 40, "qualityCutoffNotMet": True},
    },
    {
        "id": 5,
        "title": "Done",
        "monitored": True,
        "isAvailable": True,
        "hasFile": True,
        "movieFile": {"id": 50},
    },
]


async def test_radarr_before_5_6_filters_the_movie_list(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    router.get(f"{HOST}/api/v3/system/status").respond(json=status("Radarr", "5.2.6.8376"))
    movie_list = router.get(f"{HOST}/api/v3/movie").respond(json=MOVIES)
    wanted = router.get(f"{HOST}/api/v3/wanted/missing").respond(404)
    async with RadarrClient(HOST, API_KEY, options=options) as client:
        missing = await client.wanted_missing()
        cutoff = await client.wanted_cutoff()
        pages = [p async for p in client.iter_wanted("missing")]
    assert [m.id for m in missing] == [1]
    assert [m.id for m in cutoff] == [4]
    assert pages[0].total_records == 1
    assert movie_list.call_count == 3
    assert not wanted.called


async def test_radarr_from_5_6_uses_the_wanted_endpoints(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    router.get(f"{HOST}/api/v3/system/status").respond(json=status("Radarr", "5.6.0.8846"))
    movie_list = router.get(f"{HOST}/api/v3/movie").respond(json=MOVIES)
    wanted = router.get(f"{HOST}/api/v3/wanted/missing").respond(
        json=page([MOVIES[0]], page=1, total=1)
    )
    command_route = router.post(f"{HOST}/api/v3/command").respond(
        201, json=command(3, "MoviesSearch")
    )
    async with RadarrClient(HOST, API_KEY, options=options) as client:
        assert [m.id for m in await client.wanted_missing()] == [1]
        await client.search_movies([1])
    assert wanted.called
    assert not movie_list.called
    assert sent(command_route) == {"name": "MoviesSearch", "movieIds": [1]}


async def test_whisparr_v3_speaks_radarr(router: respx.MockRouter, options: ClientOptions) -> None:
    router.get(f"{HOST}/api/v3/system/status").respond(json=status("Whisparr", "3.0.0.1001"))
    router.get(f"{HOST}/api/v3/wanted/cutoff").respond(json=page([MOVIES[3]], page=1, total=1))
    route = router.post(f"{HOST}/api/v3/command").respond(201, json=command(3, "MoviesSearch"))
    async with WhisparrV3Client(HOST, API_KEY, options=options) as client:
        assert [m.id for m in await client.wanted_cutoff()] == [4]
        await client.search_movies([4])
    assert sent(route) == {"name": "MoviesSearch", "movieIds": [4]}


async def test_lidarr_albums_on_api_v1(router: respx.MockRouter, options: ClientOptions) -> None:
    album = {
        "id": 8,
        "artistId": 2,
        "title": "Album",
        "monitored": True,
        "releaseDate": "2020-05-01T00:00:00Z",
    }
    router.get(f"{HOST}/api/v1/wanted/missing").respond(json=page([album], page=1, total=1))
    router.get(f"{HOST}/api/v1/artist").respond(json=[{"id": 2, "artistName": "Artist"}])
    albums = router.get(f"{HOST}/api/v1/album").respond(json=[album])
    route = router.post(f"{HOST}/api/v1/command").respond(201, json=command(4, "AlbumSearch"))
    async with LidarrClient(HOST, API_KEY, options=options) as client:
        assert [a.id for a in await client.wanted_missing()] == [8]
        assert (await client.artists())[0].artist_name == "Artist"
        assert (await client.albums(artist_id=2))[0].artist_id == 2
        await client.search_albums([8])
        assert sent(route) == {"name": "AlbumSearch", "albumIds": [8]}
        await client.search_artist(2)
        assert sent(route) == {"name": "ArtistSearch", "artistId": 2}
    assert albums.calls.last.request.url.params["artistId"] == "2"


async def test_readarr_books_on_api_v1(router: respx.MockRouter, options: ClientOptions) -> None:
    book = {"id": 6, "authorId": 3, "title": "Book", "monitored": True}
    router.get(f"{HOST}/api/v1/wanted/cutoff").respond(json=page([book], page=1, total=1))
    router.get(f"{HOST}/api/v1/author").respond(json=[{"id": 3, "authorName": "Author"}])
    router.get(f"{HOST}/api/v1/book").respond(json=[book])
    route = router.post(f"{HOST}/api/v1/command").respond(201, json=command(4, "BookSearch"))
    async with ReadarrClient(HOST, API_KEY, options=options) as client:
        assert [b.id for b in await client.wanted_cutoff()] == [6]
        assert (await client.authors())[0].author_name == "Author"
        assert (await client.books(author_id=3))[0].author_id == 3
        await client.search_books([6])
        assert sent(route) == {"name": "BookSearch", "bookIds": [6]}
        await client.search_author(3)
        assert sent(route) == {"name": "AuthorSearch", "authorId": 3}


async def test_shared_media_resources(router: respx.MockRouter, options: ClientOptions) -> None:
    api = f"{HOST}/api/v3"
    router.get(f"{api}/qualityprofile").respond(
        json=[
            {"id": 1, "name": "HD", "upgradeAllowed": True, "cutoff": 7, "cutoffFormatScore": 100}
        ]
    )
    router.get(f"{api}/diskspace").respond(json=[{"path": "/tv", "freeSpace": 5, "totalSpace": 10}])
    router.get(f"{api}/rootfolder").respond(json=[{"id": 1, "path": "/tv", "freeSpace": 123}])
    router.get(f"{api}/queue/status").respond(json={"totalCount": 4, "count": 3, "errors": False})
    router.get(f"{api}/command").respond(
        json=[command(1, "EpisodeSearch") | {"status": "completed"}]
    )
    router.get(f"{api}/command/1").respond(
        json=command(1, "EpisodeSearch")
        | {
            "status": "completed",
            "result": "successful",
            "message": "Completed search for 3 episodes. 1 reports downloaded.",
        }
    )
    since = router.get(f"{api}/history/since").respond(
        json=[{"id": 1, "eventType": "grabbed", "episodeId": 2}]
    )
    async with SonarrClient(HOST, API_KEY, options=options) as client:
        profile = (await client.quality_profiles())[0]
        disks = await client.disk_space()
        roots = await client.root_folders()
        queue = await client.queue_status()
        commands = await client.commands()
        done = await client.command(1)
        grabs = await client.history_since(datetime(2026, 1, 1, tzinfo=UTC), event_type="grabbed")
    assert profile.cutoff_format_score == 100
    assert disks[0].free_space == 5
    assert roots[0].free_space == 123
    assert queue.total_count == 4
    assert commands[0].is_finished
    assert done.result == "successful"
    assert "1 reports downloaded" in (done.message or "")
    assert grabs[0].episode_id == 2
    assert since.calls.last.request.url.params["eventType"] == "grabbed"
    assert since.calls.last.request.url.params["date"].startswith("2026-01-01T00:00:00")


async def test_prowlarr_indexers_limits_stats_status_applications(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    api = f"{HOST}/api/v1"
    router.get(f"{api}/indexer").respond(
        json=[
            {
                "id": 1,
                "name": "Hourly",
                "enable": True,
                "tags": [3],
                "fields": [
                    {"name": "baseSettings.queryLimit", "value": 100},
                    {"name": "baseSettings.grabLimit", "value": 10},
                    {"name": "baseSettings.limitsUnit", "value": 1},
                ],
            },
            {
                "id": 2,
                "name": "Unlimited",
                "enable": True,
                "fields": [{"name": "baseSettings.queryLimit"}],
            },
        ]
    )
    stats = router.get(f"{api}/indexerstats").respond(
        json={
            "indexers": [{"indexerId": 1, "numberOfQueries": 40, "numberOfRssQueries": 5}],
            "userAgents": [],
        }
    )
    router.get(f"{api}/indexerstatus").respond(
        json=[{"indexerId": 2, "disabledTill": "2030-01-01T00:00:00Z"}]
    )
    router.get(f"{api}/applications").respond(
        json=[
            {
                "id": 1,
                "name": "Sonarr",
                "tags": [3],
                "fields": [{"name": "baseUrl", "value": "http://sonarr:8989"}],
            }
        ]
    )
    async with ProwlarrClient(HOST, API_KEY, options=options) as client:
        indexers = await client.indexers()
        usage = await client.indexer_stats(
            datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
        )
        statuses = await client.indexer_status()
        apps = await client.applications()
    assert indexers[0].limits.query_limit == 100
    assert indexers[0].limits.grab_limit == 10
    assert indexers[0].limits.unit == "hour"
    assert indexers[1].limits.query_limit is None
    assert indexers[1].limits.unit == "day"
    assert usage.indexers[0].number_of_queries == 40
    assert "startDate" in stats.calls.last.request.url.params
    assert statuses[0].is_backing_off(datetime(2026, 1, 1, tzinfo=UTC))
    assert apps[0].base_url == "http://sonarr:8989"


async def test_wanted_can_embed_the_parent(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    album = {"id": 8, "artistId": 2, "artist": {"id": 2, "artistName": "Artist"}}
    route = router.get(f"{HOST}/api/v1/wanted/missing").respond(json=page([album], page=1, total=1))
    async with LidarrClient(HOST, API_KEY, options=options) as client:
        albums = await client.wanted("missing", include_parent=True)
    assert route.calls.last.request.url.params["includeArtist"] == "true"
    assert albums[0].artist is not None
    assert albums[0].artist.artist_name == "Artist"


@pytest.mark.parametrize(
    ("app", "root", "body"),
    [
        (ArrApp.SONARR, "/api/v3", {"name": "EpisodeSearch", "episodeIds": [1, 2]}),
        (ArrApp.WHISPARR, "/api/v3", {"name": "EpisodeSearch", "episodeIds": [1, 2]}),
        (ArrApp.RADARR, "/api/v3", {"name": "MoviesSearch", "movieIds": [1, 2]}),
        (ArrApp.WHISPARR_V3, "/api/v3", {"name": "MoviesSearch", "movieIds": [1, 2]}),
        (ArrApp.LIDARR, "/api/v1", {"name": "AlbumSearch", "albumIds": [1, 2]}),
        (ArrApp.READARR, "/api/v1", {"name": "BookSearch", "bookIds": [1, 2]}),
    ],
)
async def test_search_items_sends_each_familys_command(
    router: respx.MockRouter,
    options: ClientOptions,
    app: ArrApp,
    root: str,
    body: dict[str, object],
) -> None:
    route = router.post(f"{HOST}{root}/command").respond(201, json=command(1, str(body["name"])))
    client = make_client(app, HOST, API_KEY, options=options)
    assert isinstance(client, MediaClient)
    async with client:
        await client.search_items([1, 2])
    assert sent(route) == body
