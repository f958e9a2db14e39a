"""Each back-pressure rule against the simulator: a full download queue skips the run, items
already downloading are skipped, pending search commands hold, 429 Retry-After pauses the
instance until then, and a budget that runs short shrinks the batch and says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from tests.search.harness import Setup, setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.budgets.models import InstanceBackoff, InstanceLimits
from vibe_quality_searcharr.search.models import RunStatus
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def _wanted(sim: RunningSimulator, count: int, page: int = 1) -> list[int]:
    wanted = httpx.get(
        f"{sim.api_root}/wanted/missing",
        params={"pageSize": count, "page": page},
        headers=sim.headers,
    ).json()
    return [record["id"] for record in wanted["records"]]


def _search_directly(sim: RunningSimulator, ids: list[int]) -> None:
    """The user's own search in the *arr, outside this program."""
    response = httpx.post(
        f"{sim.api_root}/command",
        json={"name": "EpisodeSearch", "episodeIds": ids},
        headers=sim.headers,
    )
    assert response.status_code == 201


def _queue_ids(sim: RunningSimulator) -> list[int]:
    body = httpx.get(f"{sim.api_root}/queue", params={"pageSize": 1000}, headers=sim.headers).json()
    return [record["episodeId"] for record in body["records"]]


def _fill_download_queue(setup: Setup, sim: RunningSimulator, count: int) -> list[int]:
    setup.tune(findProbability=1.0, importDelay=10 * 24 * 3600.0)
    ids = _wanted(sim, count, page=3)
    for start in range(0, len(ids), 10):
        _search_directly(sim, ids[start : start + 10])
    sim.advance(600)
    setup.tune(findProbability=0.0)
    return ids


def test_full_download_queue_skips_the_run(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=200)
    setup = setup_search(context, sim, batch_size=5, options={"max_download_queue": 20})
    _fill_download_queue(setup, sim, 21)
    assert len(_queue_ids(sim)) > 20
    before = len(setup.stats()["commandLog"])

    run_id, status = setup.run()

    assert status == RunStatus.HELD
    run = setup.run_row(run_id)
    assert run.hold_code == "download_queue_full"
    assert run.sent_commands == 0
    assert len(setup.stats()["commandLog"]) == before  # nothing sent


def test_items_in_the_download_queue_are_skipped(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=200)
    setup = setup_search(
        context,
        sim,
        batch_size=100,
        options={"max_download_queue": 50, "season_packs": {"enabled": False}},
    )
    _fill_download_queue(setup, sim, 5)
    queued = set(_queue_ids(sim))
    assert queued

    run_id, status = setup.run()

    assert status == RunStatus.COMPLETED
    searched = {item for row in setup.commands(run_id) for item in row.item_ids}
    assert searched
    assert searched.isdisjoint(queued)
    assert setup.run_row(run_id).skipped.get("in_download_queue") == len(queued)


def test_pending_search_commands_hold_the_run(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=120)
    setup = setup_search(context, sim, batch_size=5, options={"max_unfinished_commands": 3})
    setup.tune(maxRunning=0)  # the *arr is busy: nothing starts
    for episode in _wanted(sim, 4, page=2):
        _search_directly(sim, [episode])

    run_id, status = setup.run()

    assert status == RunStatus.HELD
    assert setup.run_row(run_id).hold_code == "commands_pending"
    assert setup.run_row(run_id).sent_commands == 0


def test_429_retry_after_pauses_the_instance_and_the_next_run_holds_until_then(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=120)
    setup = setup_search(
        context,
        sim,
        batch_size=3,
        options={"ids_per_command": 1, "season_packs": {"enabled": False}},
    )
    steps: list[str] = []

    def on_step(name: str) -> None:
        # The second POST /command gets 429 Retry-After: 900 (its GET before must pass).
        steps.append(name)
        if name == "intent_committed" and steps.count(name) == 2:
            httpx.post(
                f"{sim.base_url}/__sim/faults",
                json={"kind": "rate_limit", "path": "/api/v3/command", "retryAfter": 900},
                headers=sim.headers,
            )

    setup.executor.on_step = on_step

    first_id, first = setup.run()

    assert first == RunStatus.FAILED
    with context.database.session_scope() as session:
        backoff = session.get(InstanceBackoff, setup.instance_id)
        assert backoff is not None
        until = backoff.until
    # Retry-After: 900 s from when the 429 came (the run's clock is the simulator's).
    assert timedelta(seconds=890) < until - sim.clock.now() <= timedelta(seconds=900)
    sim.state.faults.clear()
    sent_before = len(setup.stats()["commandLog"])

    second_id, second = setup.run()
    assert second == RunStatus.HELD
    assert setup.run_row(second_id).hold_code == "instance_backoff"
    assert len(setup.stats()["commandLog"]) == sent_before  # nothing goes there meanwhile

    sim.advance(901)
    third_id, third = setup.run()
    assert third == RunStatus.COMPLETED
    assert setup.run_row(third_id).sent_commands == 3
    assert first_id < second_id < third_id


def test_a_short_budget_shrinks_the_batch_and_says_so(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=120)
    setup = setup_search(
        context,
        sim,
        batch_size=8,
        options={"ids_per_command": 1, "season_packs": {"enabled": False}},
    )
    with context.database.session_scope() as session:
        session.add(InstanceLimits(instance_id=setup.instance_id, hourly_cap=3, daily_cap=100))

    run_id, status = setup.run()

    assert status == RunStatus.COMPLETED
    run = setup.run_row(run_id)
    assert run.sent_commands == 3
    assert "budget allows 3 searches of 8" in run.summary
    assert "hourly cap of 3" in run.summary
