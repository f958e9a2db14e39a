"""End to end against the simulator, for every app: the commands the *arr received are exactly
the planned ones (names, ids, order), history and cooldowns match, and a second run right after
skips what the first searched. The preview is the run's plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.search.harness import Setup, setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.history.repository import load_history
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus, SearchQueue
from vibe_quality_searcharr.simulator.testing import RunningSimulator

APPS = ["sonarr", "radarr", "lidarr", "readarr", "whisparr", "whisparr-v3"]


def check_run_matches_plan(setup: Setup, *, expect_commands: bool = True) -> tuple[int, list[int]]:
    preview = setup.preview()
    if expect_commands:
        assert preview.commands, preview.summary
    before = setup.stats()
    run_id, status = setup.run()
    run = setup.run_row(run_id)
    assert run.seed == preview.seed
    stats = setup.stats()
    received = stats["commandLog"][len(before["commandLog"]) :]
    assert [
        (entry["name"], {k: v for k, v in entry["body"].items() if k != "name"})
        for entry in received
    ] == [
        (command.payload["name"], {k: v for k, v in command.payload.items() if k != "name"})
        for command in preview.commands
    ]
    assert all(entry["new"] for entry in received)
    assert stats["commandPosts"] - before["commandPosts"] == len(preview.commands)
    rows = setup.commands(run_id)
    assert [row.item_ids for row in rows] == [command.ids for command in preview.commands]
    assert [row.kind for row in rows] == [command.kind for command in preview.commands]
    assert all(row.status == CommandStatus.COMPLETED for row in rows)
    assert [row.arr_command_id for row in rows] == [entry["id"] for entry in received]
    if preview.commands:
        assert status == RunStatus.COMPLETED
        assert run.sent_commands == len(preview.commands)
        assert run.searches == sum(command.cost for command in preview.commands)
    planned = [item_id for command in preview.commands for item_id in command.ids]
    with setup.context.database.session_scope() as session:
        queue = session.get(SearchQueue, setup.queue_id)
        history = load_history(session, setup.instance_id, queue)
    intents = {row.position: row.intent_at for row in rows}
    for position, command in enumerate(preview.commands):
        if command.kind == "SeasonSearch":
            assert command.season is not None
            key = (command.season["series_id"], command.season["season_number"])
            state = history.season_states[key]  # type: ignore[index]
            assert state.last_searched_at == intents[position]
        else:
            for item_id in command.ids:
                state = history.item_states[item_id]
                assert state.attempts == 1
                assert state.last_searched_at == intents[position]
    return run_id, planned


def check_second_run_skips(setup: Setup, planned: list[int]) -> None:
    second = setup.preview(skipped_limit=1000)
    again = {item_id for command in second.commands for item_id in command.ids}
    assert again.isdisjoint(planned)
    codes = {skip.item_id: skip.code for skip in second.skipped}
    for item_id in planned:
        assert codes[item_id] in ("cooldown", "in_download_queue"), (item_id, codes.get(item_id))


@pytest.mark.parametrize("app", APPS)
def test_missing_run_sends_exactly_the_plan(
    app: str, context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory(app, size=40)
    setup = setup_search(context, sim, strategy="missing", batch_size=4)
    _run_id, planned = check_run_matches_plan(setup)
    check_second_run_skips(setup, planned)
    kinds = [event.kind for event in setup.events]
    assert kinds[0] == "run.started"
    assert kinds[-1] == "run.finished"
    assert kinds.count("item.searched") == len(setup.commands(_run_id))
