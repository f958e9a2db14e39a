"""Cycle mode: once each before any twice, and no new cycle before the minimum cycle time."""

from __future__ import annotations

from datetime import timedelta

from vibe_quality_searcharr.search.planner import (
    App,
    CooldownSettings,
    CycleSettings,
    CycleState,
    History,
    HoldCode,
    QueueSettings,
    SkipCode,
    apply_plan,
    plan,
)

from .factories import NOW, make_item, make_library, planned_ids

NO_COOLDOWN = CooldownSettings(flat=timedelta(0), doubling=False)


def cycle_queue(batch: int = 2, days: int = 7) -> QueueSettings:
    return QueueSettings(
        batch_size=batch,
        ids_per_command=1,
        cooldown=NO_COOLDOWN,
        cycle=CycleSettings(enabled=True, min_duration=timedelta(days=days)),
    )


def test_items_done_in_the_cycle_wait_for_the_next_one() -> None:
    items = [make_item(i) for i in range(1, 6)]
    library = make_library(items, App.RADARR)
    cycle = CycleState(1, NOW - timedelta(days=1), frozenset({1, 2}))
    result = plan(library, cycle_queue(batch=10), now=NOW, history=History(cycle=cycle))
    assert sorted(planned_ids(result)) == [3, 4, 5]
    skipped = {skip.item_id: skip for skip in result.skipped}
    assert skipped[1].code is SkipCode.SEARCHED_THIS_CYCLE
    assert skipped[1].text == "already searched in this cycle (started 2026-11-21 12:00 UTC)"
    assert result.cycle == CycleState(1, NOW - timedelta(days=1), frozenset(range(1, 6)))
    assert result.commands[0].reason.endswith("(cycle 1)")


def test_a_complete_cycle_says_when_the_next_one_starts() -> None:
    items = [make_item(i) for i in range(1, 4)]
    library = make_library(items, App.RADARR)
    cycle = CycleState(3, NOW - timedelta(days=2), frozenset({1, 2, 3}))
    result = plan(library, cycle_queue(), now=NOW, history=History(cycle=cycle))
    assert result.commands == ()
    hold = result.summary.hold
    assert hold is not None
    assert hold.code is HoldCode.CYCLE_COMPLETE
    assert hold.until == NOW + timedelta(days=5)
    assert hold.text == "cycle 3 complete (3 items searched); next cycle at 2026-11-27 12:00 UTC"
    assert result.cycle == cycle


def test_the_next_cycle_starts_after_the_minimum_time() -> None:
    items = [make_item(i) for i in range(1, 4)]
    library = make_library(items, App.RADARR)
    cycle = CycleState(3, NOW - timedelta(days=7), frozenset({1, 2, 3}))
    result = plan(library, cycle_queue(), now=NOW, history=History(cycle=cycle))
    assert planned_ids(result) == [1, 2]
    assert result.cycle == CycleState(4, NOW, frozenset({1, 2}))


def test_items_wanted_mid_cycle_join_it() -> None:
    items = [make_item(i) for i in range(1, 5)]
    library = make_library(items, App.RADARR)
    cycle = CycleState(1, NOW - timedelta(days=1), frozenset({1, 2, 3}))
    result = plan(library, cycle_queue(), now=NOW, history=History(cycle=cycle))
    assert planned_ids(result) == [4]


def test_successive_runs_cover_every_item_once_then_wait() -> None:
    items = [make_item(i) for i in range(1, 8)]
    library = make_library(items, App.RADARR)
    queue = cycle_queue(batch=3, days=1)
    history = History()
    seen: list[int] = []
    now = NOW
    for _ in range(3):
        result = plan(library, queue, now=now, history=history)
        seen += planned_ids(result)
        history = apply_plan(history, result, library, at=now)
        now += timedelta(hours=1)
    assert sorted(seen) == list(range(1, 8))
    waiting = plan(library, queue, now=now, history=history)
    assert waiting.summary.hold is not None
    assert waiting.summary.hold.code is HoldCode.CYCLE_COMPLETE
    fresh = plan(library, queue, now=NOW + timedelta(days=1), history=history)
    assert fresh.cycle is not None
    assert fresh.cycle.number == 2
    assert len(planned_ids(fresh)) == 3


def test_no_cycle_is_started_by_an_empty_plan() -> None:
    library = make_library([make_item(1, monitored=False)], App.RADARR)
    assert plan(library, cycle_queue(), now=NOW).cycle is None


def test_cycle_state_is_none_when_cycles_are_off() -> None:
    library = make_library([make_item(1)], App.RADARR)
    assert plan(library, QueueSettings(), now=NOW).cycle is None
