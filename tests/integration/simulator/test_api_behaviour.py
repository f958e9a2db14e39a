"""The runtime behaviour clients depend on: keys, paging, sorting, versions, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from vibe_quality_searcharr.simulator.testing import RunningSimulator

Factory = Callable[..., RunningSimulator]


def client_for(sim: RunningSimulator, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers=headers or sim.headers, timeout=5)


def test_key_is_accepted_as_header_query_or_bearer(sonarr_simulator: RunningSimulator) -> None:
    sim = sonarr_simulator
    with httpx.Client(base_url=sim.base_url, timeout=5) as client:
        assert client.get("/api/v3/tag", headers={"X-Api-Key": sim.api_key}).status_code == 200
        assert client.get("/api/v3/tag", params={"apikey": sim.api_key}).status_code == 200
        bearer = {"Authorization": f"Bearer {sim.api_key}"}
        assert client.get("/api/v3/tag", headers=bearer).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "wrong"}, {"Authorization": "Bearer wrong"}])
def test_wrong_or_missing_key_is_401_with_empty_body(
    sonarr_simulator: RunningSimulator, headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=sonarr_simulator.base_url, timeout=5) as client:
        response = client.get("/api/v3/wanted/missing", headers=headers)
    assert response.status_code == 401
    assert response.content == b""


def test_ping_needs_no_key(sonarr_simulator: RunningSimulator) -> None:
    response = httpx.get(f"{sonarr_simulator.base_url}/ping", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "OK"}


def test_paging_defaults_to_ten_records_descending(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=40)
    with client_for(sim) as client:
        body = client.get("/api/v3/wanted/missing").json()
    assert (body["page"], body["pageSize"], body["totalRecords"]) == (1, 10, 40)
    assert (body["sortKey"], body["sortDirection"]) == ("episodes.airDateUtc", "descending")
    dates = [record["airDateUtc"] for record in body["records"]]
    assert len(dates) == 10
    assert dates == sorted(dates, reverse=True)


def test_explicit_default_direction_gives_the_endpoints_own_order(
    simulator_factory: Factory,
) -> None:
    sim = simulator_factory("sonarr", size=30)
    with client_for(sim) as client:
        body = client.get("/api/v3/wanted/missing", params={"sortDirection": "default"}).json()
    dates = [record["airDateUtc"] for record in body["records"]]
    assert dates == sorted(dates)


def test_unknown_sort_key_falls_back_silently_and_echo_is_prefixed(
    simulator_factory: Factory,
) -> None:
    sim = simulator_factory("sonarr", size=20)
    with client_for(sim) as client:
        unknown = client.get("/api/v3/wanted/missing", params={"sortKey": "nonsense"})
        plain = client.get("/api/v3/wanted/missing", params={"sortKey": "airDateUtc"})
    assert unknown.status_code == 200
    assert unknown.json()["sortKey"] == "episodes.airDateUtc"
    assert plain.json()["sortKey"] == "episodes.airDateUtc"


def test_pages_of_1000_cover_the_whole_list_once(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=2500)
    seen: list[int] = []
    with client_for(sim) as client:
        for page in (1, 2, 3):
            body = client.get(
                "/api/v3/wanted/missing", params={"page": page, "pageSize": 1000}
            ).json()
            seen += [record["id"] for record in body["records"]]
    assert len(seen) == 2500
    assert len(set(seen)) == 2500


def test_sonarr_v3_envelope_plain_keys_and_direction_only_with_a_key(
    simulator_factory: Factory,
) -> None:
    sim = simulator_factory("sonarr", size=20, version="3.0.10.1567")
    with client_for(sim) as client:
        without_key = client.get(
            "/api/v3/wanted/missing", params={"sortDirection": "ascending"}
        ).json()
        with_key = client.get(
            "/api/v3/wanted/missing", params={"sortKey": "airDateUtc", "sortDirection": "ascending"}
        ).json()
        status = client.get("/api/v3/system/status").json()
    assert status["version"].startswith("3.")
    assert without_key["filters"] == []
    assert without_key["sortKey"] == "airDateUtc"
    assert without_key["sortDirection"] == "descending", "v3 ignores the direction without a key"
    dates = [record["airDateUtc"] for record in with_key["records"]]
    assert dates == sorted(dates)
    assert "lastSearchTime" not in with_key["records"][0]


def _walk(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_walk(v) for v in value.values())
    if isinstance(value, list):
        return any(_walk(v) for v in value)
    return False


def test_null_fields_are_omitted(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=30)
    with client_for(sim) as client:
        body = client.get(
            "/api/v3/wanted/missing", params={"pageSize": 100, "includeSeries": "true"}
        ).json()
        series = client.get("/api/v3/series").json()
    assert not _walk(body)
    assert not _walk(series)
    never_searched = body["records"][0]
    assert "lastSearchTime" not in never_searched, "absent, not null"


def test_episode_without_series_or_ids_is_400(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        assert client.get("/api/v3/episode").status_code == 400


def test_command_status_codes(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        created = client.post("/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": [1]})
        blank = client.post("/api/v3/command", json={"name": "  "})
        unknown = client.post("/api/v3/command", json={"name": "MakeCoffee"})
        listed = client.get("/api/v3/command").json()
    assert created.status_code == 201
    assert created.json()["status"] == "queued"
    assert blank.status_code == 400
    assert unknown.status_code == 500
    assert [command["id"] for command in listed] == [created.json()["id"]]


def test_equal_pending_command_is_returned_instead_of_queued_twice(
    sonarr_simulator: RunningSimulator,
) -> None:
    with client_for(sonarr_simulator) as client:
        first = client.post(
            "/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": [2, 1]}
        ).json()
        again = client.post(
            "/api/v3/command", json={"name": "episodesearch", "episodeIds": [1, 2]}
        ).json()
        other = client.post(
            "/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": [3]}
        ).json()
        sonarr_simulator.advance(600)
        later = client.post(
            "/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": [1, 2]}
        ).json()
        stats = client.get("/__sim/stats").json()
    assert again["id"] == first["id"]
    assert other["id"] != first["id"]
    assert later["id"] not in (first["id"], other["id"]), "a finished command no longer collapses"
    assert stats["duplicates"] == 1


def test_radarr_before_5_6_has_no_wanted_endpoints(simulator_factory: Factory) -> None:
    old = simulator_factory("radarr", version="5.4.6.8723", size=5)
    new = simulator_factory("radarr", size=5)
    with client_for(old) as client:
        assert client.get("/api/v3/wanted/missing").status_code == 404
        movies = client.get("/api/v3/movie").json()
    wanted_by_filter = [
        m for m in movies if m["monitored"] and not m["hasFile"] and m["isAvailable"]
    ]
    assert len(wanted_by_filter) == 5
    with client_for(new) as client:
        body = client.get("/api/v3/wanted/missing").json()
    assert body["totalRecords"] == 5
    assert body["sortKey"] == "movieMetadata.sortTitle"


def test_whisparr_v3_serves_wanted_lists(simulator_factory: Factory) -> None:
    sim = simulator_factory("whisparr-v3", size=7)
    with client_for(sim) as client:
        assert client.get("/api/v3/wanted/missing").json()["totalRecords"] == 7


def test_lidarr_and_readarr_wanted_records_are_albums_and_books(simulator_factory: Factory) -> None:
    lidarr = simulator_factory("lidarr", size=4)
    readarr = simulator_factory("readarr", size=6)
    with client_for(lidarr) as client:
        albums = client.get("/api/v1/wanted/missing", params={"includeArtist": "true"}).json()
    with client_for(readarr) as client:
        books = client.get("/api/v1/wanted/missing", params={"includeAuthor": "true"}).json()
    assert albums["totalRecords"] == 4
    assert "artistName" in albums["records"][0]["artist"]
    assert books["totalRecords"] == 6
    assert "authorName" in books["records"][0]["author"]


def test_cutoff_list_can_include_the_episode_file(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=200)
    with client_for(sim) as client:
        plain = client.get("/api/v3/wanted/cutoff", params={"pageSize": 5}).json()
        with_file = client.get(
            "/api/v3/wanted/cutoff", params={"pageSize": 5, "includeEpisodeFile": "true"}
        ).json()
    assert plain["totalRecords"] > 0
    assert all("episodeFile" not in record for record in plain["records"])
    for record in with_file["records"]:
        assert record["hasFile"] is True
        assert record["episodeFile"]["qualityCutoffNotMet"] is True
        assert "customFormatScore" in record["episodeFile"]


def test_history_takes_integer_event_types_and_answers_names(simulator_factory: Factory) -> None:
    sim = simulator_factory("sonarr", size=3)
    with client_for(sim) as client:
        client.post("/__sim/tuning", json={"findProbability": 1.0})
        client.post("/api/v3/command", json={"name": "MissingEpisodeSearch"})
        sim.advance(60)
        grabbed = client.get("/api/v3/history", params={"eventType": 1}).json()
        failed = client.get("/api/v3/history", params={"eventType": 4}).json()
        bad = client.get("/api/v3/history", params={"eventType": 99})
    assert grabbed["totalRecords"] >= 1
    assert {record["eventType"] for record in grabbed["records"]} == {"grabbed"}
    assert failed["totalRecords"] == 0
    assert bad.status_code == 400
