"""Searches and their consequences, on the simulated clock (no sleeping)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from vibe_quality_searcharr.simulator.indexers import Indexer, IndexerPool
from vibe_quality_searcharr.simulator.testing import RunningSimulator, link_prowlarr

Factory = Callable[..., RunningSimulator]


def client_for(sim: RunningSimulator) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers=sim.headers, timeout=5)


def test_found_item_is_grabbed_queued_imported_and_leaves_wanted(
    simulator_factory: Factory,
) -> None:
    sim = simulator_factory("sonarr", size=5)
    with client_for(sim) as client:
        client.post("/__sim/tuning", json={"findProbability": 1.0, "importDelay": 300})
        target = client.get("/api/v3/wanted/missing").json()["records"][0]
        command = client.post(
            "/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": [target["id"]]}
        ).json()
        assert client.get(f"/api/v3/command/{command['id']}").json()["status"] == "queued"
        sim.advance(1)
        assert client.get(f"/api/v3/command/{command['id']}").json()["status"] == "started"
        sim.advance(30)
        done = client.get(f"/api/v3/command/{command['id']}").json()
        assert (done["status"], done["result"]) == ("completed", "successful")
        assert done["message"] == "Episode search completed. 1 reports downloaded."
        grabbed = client.get("/api/v3/history", params={"eventType": 1}).json()["records"]
        assert [(r["episodeId"], r["eventType"]) for r in grabbed] == [(target["id"], "grabbed")]
        queue = client.get("/api/v3/queue").json()
        assert queue["totalRecords"] == 1
        assert queue["records"][0]["episodeId"] == target["id"]
        assert client.get("/api/v3/queue/status").json()["totalCount"] == 1
        still = [r["id"] for r in client.get("/api/v3/wanted/missing").json()["records"]]
        assert target["id"] in still, "not imported yet"
        sim.advance(300)
        assert client.get("/api/v3/queue").json()["totalRecords"] == 0
        episode = client.get(f"/api/v3/episode/{target['id']}").json()
        assert episode["hasFile"] is True
        assert "lastSearchTime" in episode
        wanted = client.get("/api/v3/wanted/missing").json()
        assert wanted["totalRecords"] == 4
        assert target["id"] not in [r["id"] for r in wanted["records"]]
        imported = client.get("/api/v3/history", params={"eventType": 3}).json()["records"]
        assert imported[0]["eventType"] == "downloadFolderImported"
        since = client.get(
            "/api/v3/history/since", params={"date": "2000-01-01T00:00:00Z", "eventType": "grabbed"}
        ).json()
        assert [event["eventType"] for event in since] == ["grabbed"]


def test_nothing_found_means_no_grab_but_queries_counted(simulator_factory: Factory) -> None:
    sim = simulator_factory("radarr", size=3)
    with client_for(sim) as client:
        client.post("/__sim/tuning", json={"findProbability": 0.0})
        ids = [r["id"] for r in client.get("/api/v3/wanted/missing").json()["records"]]
        client.post("/api/v3/command", json={"name": "MoviesSearch", "movieIds": ids})
        sim.advance(60)
        command = client.get("/api/v3/command/1").json()
        stats = client.get("/__sim/stats").json()
    assert command["message"] == "Completed search for 3 movies. 0 reports downloaded."
    serving = list(sim.state.pool.for_app([]))
    assert sum(i["totalQueries"] for i in stats["indexers"]) == 3 * len(serving)
    assert stats["grabs"] == 0
    assert stats["searchesPerItem"] == {str(i): 1 for i in ids}


def test_season_search_is_one_query_per_indexer(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=50)
    item = next(i for i in sim.state.library.items.values() if i.season >= 1)  # type: ignore[union-attr]
    with client_for(sim) as client:
        client.post(
            "/api/v3/command",
            json={"name": "SeasonSearch", "seriesId": item.parent_id, "seasonNumber": item.season},
        )
        sim.advance(120)
        stats = client.get("/__sim/stats").json()
    assert [i["totalQueries"] for i in stats["indexers"] if i["id"] in (1, 2)] == [1, 1]
    assert (
        client_for(sim)
        .get("/api/v3/command/1")
        .json()["message"]
        .startswith("Season search completed.")
    )


def test_query_limit_is_counted_per_indexer_per_rolling_window(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=10)
    pool = IndexerPool([Indexer(1, "Tiny", query_limit=2, limits_unit=1), Indexer(2, "Free")])
    sim.state.pool = pool
    with client_for(sim) as client:
        client.post("/__sim/tuning", json={"findProbability": 0.0})
        ids = [r["id"] for r in client.get("/api/v3/wanted/missing").json()["records"]][:5]
        client.post("/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": ids})
        sim.advance(60)
        first = {i["name"]: i for i in client.get("/__sim/stats").json()["indexers"]}
        assert (first["Tiny"]["totalQueries"], first["Tiny"]["excessQueries"]) == (2, 3)
        assert (first["Free"]["totalQueries"], first["Free"]["excessQueries"]) == (5, 0)
        sim.advance(3600)
        client.post("/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": ids[:1]})
        sim.advance(60)
        second = {i["name"]: i for i in client.get("/__sim/stats").json()["indexers"]}
    assert second["Tiny"]["queriesInWindow"] == 1, "the hour rolled over"
    assert second["Tiny"]["excessQueries"] == 3
    assert len(second["Tiny"]["windows"]) == 2


def test_prowlarr_sees_queries_from_its_apps(simulator_factory: Factory) -> None:
    prowlarr = simulator_factory("prowlarr")
    sonarr = simulator_factory(
        "sonarr", size=5, pool=prowlarr.state.pool, clock=prowlarr.clock, app_tags=[]
    )
    link_prowlarr(prowlarr, sonarr)
    with client_for(sonarr) as client:
        client.post(
            "/api/v3/command",
            json={
                "name": "EpisodeSearch",
                "episodeIds": [sonarr.state.library.items.__iter__().__next__()],
            },
        )  # type: ignore[union-attr]
        sonarr.advance(60)
    with client_for(prowlarr) as client:
        stats = client.get("/api/v1/indexerstats").json()["indexers"]
        apps = client.get("/api/v1/applications").json()
        indexers = client.get("/api/v1/indexer").json()
    by_id = {row["indexerId"]: row["numberOfQueries"] for row in stats}
    assert by_id == {1: 1, 2: 1, 3: 0}, "the tagged indexer does not serve an untagged app"
    assert apps[0]["fields"][1] == {
        "order": 1,
        "name": "baseUrl",
        "value": sonarr.base_url,
        "advanced": False,
    }
    limits = {f["name"]: f.get("value") for f in indexers[0]["fields"]}
    assert limits["baseSettings.queryLimit"] == 100
    assert limits["baseSettings.limitsUnit"] == 0
    assert "baseSettings.grabLimit" in limits


def test_failed_command_reports_failure(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=3)
    with client_for(sim) as client:
        client.post("/__sim/tuning", json={"commandFailureRate": 1.0})
        client.post("/api/v3/command", json={"name": "MissingEpisodeSearch"})
        sim.advance(60)
        command = client.get("/api/v3/command/1").json()
    assert (command["status"], command["result"]) == ("failed", "unsuccessful")
    assert "exception" in command


def test_missing_search_is_one_command_many_queries(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=30)
    with client_for(sim) as client:
        client.post("/__sim/tuning", json={"findProbability": 0.0})
        client.post("/api/v3/command", json={"name": "MissingEpisodeSearch"})
        sim.advance(600)
        stats = client.get("/__sim/stats").json()
        message = client.get("/api/v3/command/1").json()["message"]
    assert message == "Completed search for 30 episodes. 0 reports downloaded."
    assert stats["commandsPerType"] == {"MissingEpisodeSearch": 1}
    assert len(stats["searchesPerItem"]) == 30


def test_clock_endpoint_reads_and_advances(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        before = client.get("/__sim/clock").json()
        after = client.post("/__sim/clock", json={"advanceSeconds": 3600}).json()
        assert client.post("/__sim/clock", json={"advanceSeconds": -1}).status_code == 400
    assert before["speed"] == 0.0
    assert after["now"] > before["now"]


def test_reset_restores_the_generated_library(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=5)
    with client_for(sim) as client:
        client.post("/__sim/tuning", json={"findProbability": 1.0, "importDelay": 1})
        client.post("/api/v3/command", json={"name": "MissingEpisodeSearch"})
        sim.advance(600)
        assert client.get("/api/v3/wanted/missing").json()["totalRecords"] < 5
        client.post("/__sim/reset")
        assert client.get("/api/v3/wanted/missing").json()["totalRecords"] == 5
        assert client.get("/api/v3/command").json() == []
        stats = client.get("/__sim/stats").json()
    assert stats["grabs"] == 0
    assert all(indexer["totalQueries"] == 0 for indexer in stats["indexers"])


def test_backing_off_or_disabled_indexers_are_not_queried(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=3)
    with client_for(sim) as client:
        assert client.post("/__sim/indexers/1", json={"disabledForSeconds": 600}).status_code == 200
        assert client.post("/__sim/indexers/2", json={"enable": False}).status_code == 200
        assert client.post("/__sim/indexers/2", json={"queryLimit": -1}).status_code == 400
        assert client.post("/__sim/indexers/9", json={}).status_code == 404
        client.post("/api/v3/command", json={"name": "MissingEpisodeSearch"})
        sim.advance(60)
        stats = client.get("/__sim/stats").json()
    assert [i["totalQueries"] for i in stats["indexers"]] == [0, 0, 0]


def test_rss_sync_counts_in_the_same_window_as_searches(simulator_factory: Factory) -> None:
    prowlarr = simulator_factory("prowlarr")
    sonarr = simulator_factory("sonarr", size=3, pool=prowlarr.state.pool, clock=prowlarr.clock)
    with client_for(sonarr) as client:
        client.post("/__sim/tuning", json={"rssInterval": 900})
        sonarr.advance(3600)
        stats = {i["name"]: i for i in client.get("/__sim/stats").json()["indexers"]}
    assert stats["NZBgeek"]["rssQueries"] == 4
    assert stats["NZBgeek"]["queriesInWindow"] == 4
    with client_for(prowlarr) as client:
        rows = client.get("/api/v1/indexerstats").json()["indexers"]
    assert rows[0]["numberOfRssQueries"] == 4
    assert rows[0]["numberOfQueries"] == 0


def test_apps_behind_one_prowlarr_are_counted_in_time_order(simulator_factory: Factory) -> None:
    prowlarr = simulator_factory("prowlarr")
    sonarr = simulator_factory("sonarr", size=5, join=prowlarr)
    radarr = simulator_factory("radarr", size=5, join=prowlarr)
    indexer = prowlarr.state.pool.get(1)
    assert indexer is not None
    indexer.query_limit = 1
    indexer.limits_unit = 1
    with client_for(sonarr) as sonarr_client, client_for(radarr) as radarr_client:
        sonarr_client.post("/__sim/tuning", json={"findProbability": 0.0})
        radarr_client.post("/__sim/tuning", json={"findProbability": 0.0})
        episode = sonarr_client.get("/api/v3/wanted/missing").json()["records"][0]["id"]
        movie = radarr_client.get("/api/v3/wanted/missing").json()["records"][0]["id"]
        radarr_client.post("/api/v3/command", json={"name": "MoviesSearch", "movieIds": [movie]})
        prowlarr.clock.advance(5)
        sonarr_client.post(
            "/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": [episode]}
        )
        prowlarr.clock.advance(3600 + 2)
        sonarr_client.get("/api/v3/system/status")  # Sonarr's request replays Radarr's search first
    assert [r.app for r in prowlarr.state.pool.log if r.indexer_id == 1] == ["radarr"]
    assert indexer.excess_queries == 1, "Sonarr's later query found the hour's single query used"
    apps = httpx.get(
        f"{prowlarr.api_root}/applications", headers=prowlarr.headers, timeout=5
    ).json()
    assert [a["implementation"] for a in apps] == ["Sonarr", "Radarr"]
