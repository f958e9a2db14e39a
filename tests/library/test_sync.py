"""Sync against the simulator, for every app and version mode: the mirror holds exactly what
the app's own lists say, diffs are applied incrementally, and a failed sync changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.library.conftest import Recorder, add_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.library.models import (
    LibraryItem,
    LibraryParent,
    LibraryProfile,
    LibrarySeason,
    LibrarySyncState,
    LibraryTag,
    SyncStatus,
)
from vibe_quality_searcharr.library.sync import SyncOutcome
from vibe_quality_searcharr.simulator.testing import RunningSimulator

Sync = Callable[[int], SyncOutcome]

APPS = [
    ("sonarr", None),
    ("sonarr", "3.0.10"),
    ("radarr", None),
    ("radarr", "5.4.6"),
    ("lidarr", None),
    ("readarr", None),
    ("whisparr", None),
    ("whisparr-v3", None),
]
PARENT_KEY = {
    "sonarr": "seriesId",
    "whisparr": "seriesId",
    "lidarr": "artistId",
    "readarr": "authorId",
}
PARENT_LIST = {"sonarr": "series", "whisparr": "series", "lidarr": "artist", "readarr": "author"}


def get(sim: RunningSimulator, path: str, **params: Any) -> Any:
    response = httpx.get(f"{sim.api_root}/{path}", params=params, headers=sim.headers, timeout=30)
    response.raise_for_status()
    return response.json()


def wanted(sim: RunningSimulator, kind: str, monitored: bool) -> dict[int, dict[str, Any]]:
    """The app's own wanted list (Radarr < 5.6: its movie list filtered the same way)."""
    if sim.app == "radarr" and sim.state.version.startswith("5.4"):
        movies = get(sim, "movie")
        if kind == "missing":
            return {m["id"]: m for m in movies if not m["hasFile"] and m["isAvailable"]
                    and m["monitored"] == monitored}  # fmt: skip
        return {
            m["id"]: m
            for m in movies
            if m["hasFile"]
            and m["monitored"] == monitored
            and m["movieFile"]["qualityCutoffNotMet"]
        }
    page = get(sim, f"wanted/{kind}", pageSize=100_000, monitored=monitored)
    return {record["id"]: record for record in page["records"]}


def mirror(database: Database, instance_id: int) -> dict[int, LibraryItem]:
    with database.session_scope() as session:
        rows = session.scalars(select(LibraryItem).where(LibraryItem.instance_id == instance_id))
        items = {row.arr_id: row for row in rows}
        session.expunge_all()
        return items


def sync_ok(run_sync: Sync, instance_id: int) -> SyncOutcome:
    outcome = run_sync(instance_id)
    assert outcome.ok, outcome.error
    return outcome


@pytest.mark.parametrize(("app", "version"), APPS)
def test_the_mirror_matches_the_apps_wanted_lists(
    app: str,
    version: str | None,
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Sync,
) -> None:
    sim = simulator_factory(app, size=150, version=version)
    instance_id = add_instance(context, sim)
    outcome = sync_ok(run_sync, instance_id)
    items = mirror(database, instance_id)

    missing = wanted(sim, "missing", True)
    unmonitored = wanted(sim, "missing", False)
    cutoff = wanted(sim, "cutoff", True)
    assert missing
    assert cutoff
    assert {i for i, row in items.items() if row.missing} == set(missing) | set(unmonitored)
    assert {i for i, row in items.items() if row.cutoff_unmet} == set(cutoff)
    assert outcome.counts["missing"] == len(missing) + len(unmonitored)
    for item_id, record in missing.items():
        row = items[item_id]
        assert row.monitored
        assert row.parent_monitored
        assert not row.has_file
        assert row.title == record["title"]
    for item_id in unmonitored:
        assert not (items[item_id].monitored and items[item_id].parent_monitored)
    for item_id in cutoff:
        assert items[item_id].has_file
        assert not items[item_id].missing

    with database.session_scope() as session:
        profiles = {p.arr_id: p for p in session.scalars(select(LibraryProfile))}
        tags = {t.arr_id: t.label for t in session.scalars(select(LibraryTag))}
        parents = {p.arr_id: p for p in session.scalars(select(LibraryParent))}
        seasons = {
            (s.series_id, s.season_number): s for s in session.scalars(select(LibrarySeason))
        }
        state = session.get(LibrarySyncState, instance_id)
        assert state is not None
        assert state.status == SyncStatus.OK
        assert state.item_count == len(items)
        assert state.api_calls == outcome.counts["api_calls"]
        expected_profiles = get(sim, "qualityprofile")
        assert {p["id"]: p.get("cutoffFormatScore", 0) for p in expected_profiles} == {
            i: p.cutoff_format_score for i, p in profiles.items()
        }
        assert tags == {t["id"]: t["label"] for t in get(sim, "tag")}

        if app in PARENT_KEY:
            app_parents = {p["id"]: p for p in get(sim, PARENT_LIST[app])}
            assert set(parents) == set(app_parents)
            for item_id, record in missing.items():
                parent = app_parents[record[PARENT_KEY[app]]]
                row = items[item_id]
                assert row.parent_id == parent["id"]
                assert row.quality_profile_id == parent["qualityProfileId"]
                assert row.tags == ",".join(str(t) for t in sorted(parent["tags"]))
        else:
            for item_id, record in missing.items():
                row = items[item_id]
                assert row.quality_profile_id == record["qualityProfileId"]
                assert row.tags == ",".join(str(t) for t in sorted(record["tags"]))
                assert row.year == record["year"]

        if app in ("sonarr", "whisparr"):
            for series in app_parents.values():
                for season in series["seasons"]:
                    stored = seasons[(series["id"], season["seasonNumber"])]
                    stats = season["statistics"]
                    assert stored.monitored == season["monitored"]
                    assert stored.episode_count == stats["totalEpisodeCount"]
                    assert (stored.next_airing is None) == ("nextAiring" not in stats)
            if app == "sonarr":
                for item_id, record in missing.items():
                    row = items[item_id]
                    assert row.released_at is not None
                    assert (
                        row.released_at.isoformat().replace("+00:00", "Z") == record["airDateUtc"]
                    )
                    assert (row.season_number, row.episode_number) == (
                        record["seasonNumber"], record["episodeNumber"],
                    )  # fmt: skip
            assert any(p.poster_path for p in parents.values())


def test_sonarr_v4_mirrors_format_upgrade_candidates_the_cutoff_list_misses(
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Sync,
) -> None:
    sim = simulator_factory("sonarr", size=200)
    instance_id = add_instance(context, sim)
    outcome = sync_ok(run_sync, instance_id)
    items = mirror(database, instance_id)
    cutoffs = {p["id"]: p["cutoffFormatScore"] for p in get(sim, "qualityprofile")
               if p["upgradeAllowed"] and p["cutoffFormatScore"] > 0}  # fmt: skip
    expected: set[int] = set()
    calls = 0
    for series in get(sim, "series"):
        if (
            series["qualityProfileId"] not in cutoffs
            or not series["statistics"]["episodeFileCount"]
        ):
            continue
        calls += 1
        for episode in get(sim, "episode", seriesId=series["id"], includeEpisodeFile=True):
            file = episode.get("episodeFile")
            if file and file["customFormatScore"] < cutoffs[series["qualityProfileId"]]:
                expected.add(episode["id"])
    cutoff = set(wanted(sim, "cutoff", True))
    assert expected - cutoff, "the simulator should have candidates beyond its cutoff list"
    candidates = {i for i, row in items.items() if row.has_file and row.format_score is not None
                  and row.format_score < cutoffs.get(row.quality_profile_id or 0, -10**9)}  # fmt: skip
    assert candidates == expected
    assert outcome.counts["file_fetches"] == calls

    # Nothing changed: the second sync reads no episode files and writes nothing.
    again = sync_ok(run_sync, instance_id)
    assert again.counts["file_fetches"] == 0
    assert (again.counts["inserted"], again.counts["updated"], again.counts["deleted"]) == (0, 0, 0)
    assert mirror(database, instance_id).keys() == items.keys()


def test_sonarr_v3_reads_no_episode_files(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator], run_sync: Sync
) -> None:
    sim = simulator_factory("sonarr", size=200, version="3.0.10")
    outcome = sync_ok(run_sync, add_instance(context, sim))
    assert outcome.counts["file_fetches"] == 0
    assert outcome.counts["api_calls"] == 7


def test_a_grabbed_item_leaves_the_mirror_and_a_newly_aired_one_joins(
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Sync,
) -> None:
    sim = simulator_factory("sonarr", size=150)
    instance_id = add_instance(context, sim)
    sync_ok(run_sync, instance_id)
    before = mirror(database, instance_id)
    target = next(
        i
        for i, row in sorted(before.items())
        if row.missing and row.monitored and row.parent_monitored
    )

    sim.state.tuning.find_probability = 1.0
    response = httpx.post(
        f"{sim.api_root}/command",
        json={"name": "EpisodeSearch", "episodeIds": [target]},
        headers=sim.headers,
    )
    assert response.status_code == 201
    # Long enough for the search, grab and import, and for the next episode to air.
    upcoming = sorted(
        (item.air, item.id)
        for item in sim.state.library.items.values()
        if item.air is not None
        and item.air > sim.clock.now()
        and item.season >= 1
        and item.monitored
        and sim.state.library.parents[item.parent_id].monitored
    )
    aired_at, new_id = upcoming[0]
    sim.advance(max(3600.0, (aired_at - sim.clock.now()).total_seconds() + 4 * 3600))
    assert target not in wanted(sim, "missing", True)
    assert new_id in wanted(sim, "missing", True)

    outcome = sync_ok(run_sync, instance_id)
    after = mirror(database, instance_id)
    assert new_id in after
    assert after[new_id].missing
    assert target not in after or not after[target].missing
    assert outcome.counts["inserted"] >= 1
    assert outcome.counts["deleted"] + outcome.counts["updated"] >= 1
    untouched = [i for i in before if i not in (target, new_id)]
    assert all(after[i].id == before[i].id for i in untouched if i in after)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "path": "/api/v3/wanted/cutoff", "status": 500},
        {"kind": "truncated", "path": "/api/v3/wanted/missing", "afterRequests": 1},
        {"kind": "refuse_key", "path": "/api/v3/series"},
    ],
    ids=["server-error", "truncated-page", "key-refused"],
)
def test_a_failed_sync_keeps_the_previous_mirror_and_records_the_error(
    fault: dict[str, Any],
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Sync,
    events: Recorder,
) -> None:
    sim = simulator_factory("sonarr", size=150)
    instance_id = add_instance(context, sim)
    sync_ok(run_sync, instance_id)
    before = {
        i: (row.id, row.missing, row.title) for i, row in mirror(database, instance_id).items()
    }
    with database.session_scope() as session:
        state = session.get(LibrarySyncState, instance_id)
        assert state is not None
        last_success = state.last_success_at

    sim.state.tuning.find_probability = 1.0
    httpx.post(
        f"{sim.api_root}/command", json={"name": "MissingEpisodeSearch"}, headers=sim.headers
    )
    sim.advance(6 * 3600)  # the wanted lists changed: a good sync would write
    response = httpx.post(f"{sim.base_url}/__sim/faults", json=fault, headers=sim.headers)
    assert response.status_code < 300, response.text

    outcome = run_sync(instance_id)
    assert not outcome.ok
    assert outcome.error
    after = {
        i: (row.id, row.missing, row.title) for i, row in mirror(database, instance_id).items()
    }
    assert after == before
    with database.session_scope() as session:
        state = session.get(LibrarySyncState, instance_id)
        assert state is not None
        assert state.status == SyncStatus.FAILED
        assert state.last_error == outcome.error
        assert "\n" not in state.last_error
        assert sim.api_key not in state.last_error
        assert state.last_success_at == last_success
    failed = [e for e in events.events if e.kind == "library.sync.failed"]
    assert failed
    assert failed[-1].data["error"] == outcome.error
    assert sim.api_key not in str([e.data for e in events.events])


def test_events_are_published_in_order(
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Sync,
    events: Recorder,
) -> None:
    sim = simulator_factory("radarr", size=100)
    instance_id = add_instance(context, sim)
    outcome = sync_ok(run_sync, instance_id)
    kinds = events.kinds()
    assert kinds[0] == "library.sync.started"
    assert kinds[-1] == "library.sync.finished"
    assert set(kinds[1:-1]) == {"library.sync.progress"}
    phases = [e.data["phase"] for e in events.events[1:-1]]
    assert phases.index("wanted/missing") < phases.index("wanted/cutoff") < phases.index("writing")
    finished = events.events[-1].data
    assert finished["instance_id"] == instance_id
    assert finished["items"] == outcome.items
    assert finished["duration_ms"] >= 0
    pages = [e.data for e in events.events if e.data.get("phase") == "wanted/missing"]
    assert pages[-1]["done"] == pages[-1]["total"]


def test_one_sync_per_instance_at_a_time(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator], syncer: Any
) -> None:
    import anyio

    from vibe_quality_searcharr.library.sync import SyncAlreadyRunning

    sim = simulator_factory("lidarr", size=50)
    instance_id = add_instance(context, sim)

    async def both() -> tuple[bool, bool, Any]:
        first = syncer.start(instance_id)
        second = syncer.start(instance_id)
        with pytest.raises(SyncAlreadyRunning):
            await syncer.sync(instance_id)
        await syncer.wait_idle()
        return first, second, await syncer.sync(instance_id)

    first, second, third = anyio.run(both)
    assert (first, second) == (True, False)
    assert third.ok


def test_a_stale_running_state_from_a_crashed_process_does_not_block(
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Sync,
) -> None:
    sim = simulator_factory("readarr", size=30)
    instance_id = add_instance(context, sim)
    with database.session_scope() as session:
        session.add(LibrarySyncState(instance_id=instance_id, status=SyncStatus.RUNNING,
                                     started_at=sim.clock.now() - timedelta(days=1),
                                     item_count=0, api_calls=0))  # fmt: skip
    assert sync_ok(run_sync, instance_id).items > 0


def test_a_resync_spanning_several_pages_of_the_mirror_follows_the_app_on_every_page(
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Sync,
) -> None:
    """The diff reads the stored mirror in keyset pages (of 2,000 rows): episodes grabbed all
    over the id range leave the missing rows of every page, and the rest are not re-inserted."""
    sim = simulator_factory("sonarr", size=3000)
    instance_id = add_instance(context, sim)
    sync_ok(run_sync, instance_id)
    before = mirror(database, instance_id)
    assert len(before) > 2 * 2000
    searchable = sorted(
        i for i, row in before.items() if row.missing and row.monitored and row.parent_monitored
    )
    spread = searchable[:: max(1, len(searchable) // 10)]
    ordered = sorted(before)
    assert spread[0] < ordered[2000]  # a change on the first page of the mirror...
    assert spread[-1] > ordered[4000]  # ...and on the third

    sim.state.tuning.find_probability = 1.0
    response = httpx.post(
        f"{sim.api_root}/command",
        json={"name": "EpisodeSearch", "episodeIds": spread},
        headers=sim.headers,
    )
    assert response.status_code == 201
    sim.advance(4 * 3600.0)  # long enough for the search, grab and import
    still_missing = set(wanted(sim, "missing", True)) | set(wanted(sim, "missing", False))
    assert not set(spread) & still_missing

    outcome = sync_ok(run_sync, instance_id)
    after = mirror(database, instance_id)
    assert {i for i, row in after.items() if row.missing} == still_missing
    assert {i for i, row in after.items() if row.cutoff_unmet} == set(wanted(sim, "cutoff", True))
    assert outcome.counts["deleted"] + outcome.counts["updated"] >= len(spread)
    assert all(after[i].id == before[i].id for i in before if i in after)
