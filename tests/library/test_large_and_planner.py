"""A library-sized sync (1,000+ series, 50,000+ wanted episodes) on every backend, and the round
trip of a mirrored library into the planner: its commands carry the simulator's real ids."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from tests.library.conftest import add_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.library.loading import load_library
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent
from vibe_quality_searcharr.library.repository import item_labels
from vibe_quality_searcharr.library.sync import SyncOutcome
from vibe_quality_searcharr.search.planner import App, QueueSettings, plan
from vibe_quality_searcharr.simulator.testing import RunningSimulator


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_library_of_50000_wanted_episodes_syncs_without_variable_limits(
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Callable[[int], SyncOutcome],
) -> None:
    sim = simulator_factory("sonarr", size=50_000)
    instance_id = add_instance(context, sim)
    outcome = run_sync(instance_id)
    assert outcome.ok, outcome.error
    with database.session_scope() as session:
        parents = session.scalar(select(func.count()).select_from(LibraryParent)) or 0
        missing = session.scalar(
            select(func.count()).select_from(LibraryItem).where(LibraryItem.missing.is_(True))
        )
        assert parents >= 1_000
        assert (missing or 0) >= 50_000
        ids = list(session.scalars(select(LibraryItem.arr_id)))
        labels = item_labels(session, instance_id, ids)  # chunked: no IN of 50,000
        assert len(labels) == len(ids)
    # Episode-file reads are capped per sync: the next sync reads the series left over...
    assert outcome.counts["file_fetches"] == 250
    rest = run_sync(instance_id)
    assert rest.ok
    assert 0 < rest.counts["file_fetches"] < 250
    # ...and once every series was read, an unchanged library is a no-op diff.
    again = run_sync(instance_id)
    assert again.ok
    assert again.counts["file_fetches"] == 0
    assert again.counts["inserted"] == again.counts["updated"] == again.counts["deleted"] == 0


def test_a_plan_on_the_mirrored_library_searches_the_simulators_real_ids(
    context: AppContext,
    database: Database,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Callable[[int], SyncOutcome],
) -> None:
    sim = simulator_factory("sonarr", size=300)
    instance_id = add_instance(context, sim)
    assert run_sync(instance_id).ok
    with database.session_scope() as session:
        library = load_library(session, instance_id, App.SONARR)
    result = plan(
        library,
        QueueSettings(strategy="missing", order="oldest", batch_size=10),
        now=sim.clock.now(),
        seed=1,
    )
    assert result.commands
    wanted = httpx.get(
        f"{sim.api_root}/wanted/missing",
        params={"pageSize": 100_000},
        headers=sim.headers,
    ).json()["records"]
    episodes = {record["id"]: record for record in wanted}
    for command in result.commands:
        payload = command.payload()
        if payload["name"] == "SeasonSearch":
            seasons = {(episodes[i]["seriesId"], episodes[i]["seasonNumber"]) for i in command.ids}
            assert seasons == {(payload["seriesId"], payload["seasonNumber"])}
        else:
            assert payload["name"] == "EpisodeSearch"
            assert set(payload["episodeIds"]) <= set(episodes)
    # The simulator accepts the commands as they are.
    response = httpx.post(
        f"{sim.api_root}/command", json=result.commands[0].payload(), headers=sim.headers
    )
    assert response.status_code == 201
