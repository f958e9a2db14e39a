"""End to end for every strategy (Sonarr and Radarr), season packs on Sonarr, and refusals."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.e2e.test_search_apps import check_run_matches_plan, check_second_run_skips
from tests.search.harness import setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.history.repository import load_history
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus, SearchQueue
from vibe_quality_searcharr.simulator.testing import RunningSimulator

STRATEGIES = {
    "missing": {},
    "cutoff_unmet": {},
    "format_upgrade": {},
    "recent": {"recent_days": 365},
    "custom": {"custom": {"sources": ["missing", "cutoff_unmet"], "year_min": 1950}},
}


@pytest.mark.parametrize("app", ["sonarr", "radarr"])
@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_each_strategy_sends_exactly_the_plan(
    app: str,
    strategy: str,
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory(app, size=150)
    setup = setup_search(
        context, sim, strategy=strategy, batch_size=4, options=STRATEGIES[strategy]
    )
    _run_id, planned = check_run_matches_plan(setup)
    check_second_run_skips(setup, planned)


def test_sonarr_season_pack_is_one_season_search_keyed_on_the_season(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=200)
    setup = setup_search(
        context, sim, strategy="missing", batch_size=10, options={"grace_hours": 0}
    )
    preview = setup.preview()
    packs = [command for command in preview.commands if command.kind == "SeasonSearch"]
    assert packs, preview.summary
    run_id, planned = check_run_matches_plan(setup)
    with context.database.session_scope() as session:
        history = load_history(session, setup.instance_id, session.get(SearchQueue, setup.queue_id))
    for pack in packs:
        assert pack.season is not None
        assert pack.payload == {
            "name": "SeasonSearch",
            "seriesId": pack.season["series_id"],
            "seasonNumber": pack.season["season_number"],
        }
        assert all(item_id not in history.item_states for item_id in pack.ids)
    check_second_run_skips(setup, planned)
    assert setup.run_row(run_id).searches == sum(c.cost for c in preview.commands)


def test_refused_command_is_failed_and_never_resent(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("radarr", size=60)
    setup = setup_search(
        context, sim, strategy="missing", batch_size=3, options={"ids_per_command": 1}
    )
    preview = setup.preview()
    assert len(preview.commands) == 3
    # The first POST /command gets a 503: the fault goes in once its intent is committed (the
    # run's own GET /command before it must pass) and is cleared before the next command.
    steps: list[str] = []

    def on_step(name: str) -> None:
        steps.append(name)
        if steps.count("intent_committed") == 1 and name == "intent_committed":
            httpx.post(
                f"{sim.base_url}/__sim/faults",
                json={"kind": "error", "status": 503, "path": "/api/v3/command"},
                headers=sim.headers,
            )

    setup.executor.on_step = on_step
    original = setup.executor.sleep

    async def sleep(seconds: float) -> None:
        sim.state.faults.clear()
        await original(seconds)

    setup.executor.sleep = sleep
    run_id, status = setup.run()
    rows = setup.commands(run_id)
    assert [row.status for row in rows] == [
        CommandStatus.FAILED,
        CommandStatus.COMPLETED,
        CommandStatus.COMPLETED,
    ]
    assert rows[0].arr_command_id is None
    assert "503" in (rows[0].message or "") or "Service Unavailable" in (rows[0].message or "")
    stats = setup.stats()
    assert stats["commandPosts"] == 3  # one try each: the refused one was not retried
    assert [entry["body"]["movieIds"] for entry in stats["commandLog"]] == [
        command.ids for command in preview.commands[1:]
    ]
    assert status == RunStatus.COMPLETED
    finished = [e for e in setup.events if e.kind == "command.finished"]
    assert next(e.data["status"] for e in finished) == CommandStatus.FAILED


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_garbled_answer_to_a_search_is_unknown_and_stops_the_run(
    kind: str, context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    """The app may have queued a search whose answer came back garbled: it is never called
    failed (which reads as "not searched") nor retried, and no further query is spent."""
    sim = simulator_factory("radarr", size=60)
    setup = setup_search(
        context, sim, strategy="missing", batch_size=3, options={"ids_per_command": 1}
    )
    assert len(setup.preview().commands) == 3

    def on_step(name: str) -> None:
        if name == "intent_committed":
            httpx.post(
                f"{sim.base_url}/__sim/faults",
                json={"kind": kind, "path": "/api/v3/command"},
                headers=sim.headers,
            )

    setup.executor.on_step = on_step
    run_id, status = setup.run()
    rows = setup.commands(run_id)
    assert [row.status for row in rows] == [
        CommandStatus.UNKNOWN,
        CommandStatus.NOT_SENT,
        CommandStatus.NOT_SENT,
    ]
    assert rows[0].arr_command_id is None
    assert status == RunStatus.FAILED
    assert setup.run_row(run_id).error
    assert setup.stats()["commandPosts"] == 1
