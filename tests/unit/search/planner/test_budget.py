"""Batch, budgets and back-pressure: never more searches than allowed, and say why."""

from __future__ import annotations

from vibe_quality_searcharr.search.planner import (
    App,
    ArrActivity,
    Budget,
    BudgetLimit,
    HoldCode,
    QueueSettings,
)

from .factories import ago, make_episode, make_item, run


def movies(count: int) -> list:
    return [make_item(i, released_at=ago(days=i)) for i in range(1, count + 1)]


def test_batch_counts_searches() -> None:
    result = run(movies(30), queue=QueueSettings(batch_size=10, ids_per_command=10))
    assert result.summary.searches == 10
    assert result.summary.planned_items == 10
    assert len(result.commands) == 1
    assert result.summary.budget.text == "within budget"


def test_a_short_budget_shrinks_the_batch_and_says_so() -> None:
    budget = Budget(
        (
            BudgetLimit("instance hourly cap", 4),
            BudgetLimit("NZBgeek daily limit", 6),
        )
    )
    result = run(movies(30), queue=QueueSettings(batch_size=10), budget=budget)
    assert result.summary.searches == 4
    effect = result.summary.budget
    assert (effect.wanted, effect.allowed, effect.dropped) == (10, 4, 6)
    assert effect.text == (
        "budget allows 4 searches of 10 (instance hourly cap: 4 queries left); batch shrunk by 6"
    )
    assert "budget allows 4 searches of 10" in result.summary.text
    assert result.summary.hold is None


def test_an_exhausted_budget_holds_the_run() -> None:
    from datetime import timedelta

    from .factories import NOW

    resets = NOW + timedelta(minutes=20)
    budget = Budget((BudgetLimit("instance hourly cap", 0, resets_at=resets),))
    result = run(movies(3), queue=QueueSettings(), budget=budget)
    assert result.commands == ()
    assert result.summary.hold is not None
    assert result.summary.hold.code is HoldCode.BUDGET_EXHAUSTED
    assert result.summary.hold.text == (
        "budget exhausted: instance hourly cap has no queries left; resets at 2026-11-22 12:20 UTC"
    )
    assert result.summary.eligible == 3


def test_a_season_pack_spends_one_query_however_many_episodes() -> None:
    episodes = [make_episode(i, 7, 1) for i in range(1, 9)]
    budget = Budget((BudgetLimit("hourly", 1),))
    result = run(episodes, App.SONARR, QueueSettings(), budget=budget)
    assert result.summary.searches == 1
    assert result.summary.planned_items == 8


def test_batched_ids_each_spend_a_query() -> None:
    result = run(movies(30), queue=QueueSettings(batch_size=25, ids_per_command=10))
    assert [command.cost for command in result.commands] == [10, 10, 5]
    assert result.summary.searches == 25


def test_a_full_download_queue_holds_the_run() -> None:
    activity = ArrActivity(download_queue_size=21)
    result = run(movies(3), queue=QueueSettings(), activity=activity)
    assert result.commands == ()
    assert result.summary.hold is not None
    assert result.summary.hold.code is HoldCode.DOWNLOAD_QUEUE_FULL
    assert result.summary.hold.text == "download queue holds 21 items (more than 20); run held"
    assert run(movies(3), activity=ArrActivity(download_queue_size=20)).commands


def test_unfinished_search_commands_hold_the_run() -> None:
    activity = ArrActivity(unfinished_commands=4)
    result = run(movies(3), queue=QueueSettings(), activity=activity)
    assert result.summary.hold is not None
    assert result.summary.hold.code is HoldCode.COMMANDS_PENDING
    unlimited = QueueSettings(max_unfinished_commands=None)
    assert run(movies(3), queue=unlimited, activity=activity).commands


def test_queue_settings_reject_a_batch_of_zero() -> None:
    import pytest

    with pytest.raises(ValueError, match="batch size"):
        QueueSettings(batch_size=0)
