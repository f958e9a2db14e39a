"""Orders and the priority score: what comes first and the reason shown for it."""

from __future__ import annotations

import random

import pytest

from vibe_quality_searcharr.search.planner import History, Order, QueueSettings, Strategy
from vibe_quality_searcharr.search.planner.scoring import raw_score

from .factories import ago, make_item, make_state, planned_ids, run


def queue(order: Order, batch: int = 100) -> QueueSettings:
    return QueueSettings(order=order, batch_size=batch, ids_per_command=1)


def varied() -> tuple[list, History]:
    items = [
        make_item(1, released_at=ago(days=400)),
        make_item(2, released_at=ago(days=3)),
        make_item(3, released_at=ago(days=3000)),
        make_item(4, released_at=ago(days=40)),
        make_item(5, released_at=ago(days=40)),
    ]
    history = History(
        item_states={
            1: make_state(ago(days=60), attempts=3, fruitless=3),
            4: make_state(ago(days=20), attempts=1, fruitless=1),
        }
    )
    return items, history


def test_oldest_first() -> None:
    items, history = varied()
    assert planned_ids(run(items, queue=queue(Order.OLDEST), history=history)) == [3, 1, 4, 5, 2]


def test_newest_first() -> None:
    items, history = varied()
    assert planned_ids(run(items, queue=queue(Order.NEWEST), history=history)) == [2, 4, 5, 1, 3]


def test_least_recently_searched_puts_never_searched_first_then_by_last_search() -> None:
    items, history = varied()
    result = run(items, queue=queue(Order.LEAST_RECENTLY_SEARCHED), history=history)
    assert planned_ids(result) == [2, 3, 5, 1, 4]


def test_priority_prefers_recent_unsearched_missing_items() -> None:
    items, history = varied()
    result = run(items, queue=queue(Order.PRIORITY), history=history)
    # 2: 3 days old, never searched (~92). 5: 40 days, never searched (~78). 3: eight years old
    # but never searched (~66) edges out 4: 40 days, one fruitless search 20 days ago (~65).
    # 1: searched three times (~31) comes last.
    assert planned_ids(result) == [2, 5, 3, 4, 1]
    scores = [command.score for command in result.commands]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 100 for score in scores)


def test_priority_reason_reads_like_a_sentence() -> None:
    items = [make_item(1, released_at=ago(days=3))]
    assert run(items).commands[0].reason == "released 3 days ago, never searched, missing"
    history = History(item_states={1: make_state(ago(days=12), attempts=4, fruitless=1)})
    old = [make_item(1, released_at=ago(days=800), has_file=True, cutoff_unmet=True)]
    cutoff = QueueSettings(strategy=Strategy.CUTOFF_UNMET)
    assert run(old, queue=cutoff, history=history).commands[0].reason == (
        "released 2 years ago, searched 4 times (last 12 days ago), cutoff unmet"
    )


def test_score_components() -> None:
    # Released today, never searched, missing: the maximum.
    assert round(raw_score(0, 0, None, 20)) == 100
    # Ten years old, searched often and just now, already has a file below the cutoff.
    assert round(raw_score(3650, 10, 0, 12)) == 12
    assert raw_score(3, 0, None, 20) > raw_score(30, 0, None, 20) > raw_score(300, 0, None, 20)
    assert raw_score(30, 0, None, 20) > raw_score(30, 1, 10, 20) > raw_score(30, 3, 10, 20)
    assert raw_score(30, 1, 29, 20) > raw_score(30, 1, 1, 20)


def test_non_priority_orders_say_so_in_the_reason() -> None:
    items = [make_item(1, released_at=ago(days=3))]
    assert run(items, queue=queue(Order.OLDEST)).commands[0].reason.startswith("oldest first: ")
    assert run(items, queue=queue(Order.NEWEST)).commands[0].reason.startswith("newest first: ")
    lrs = run(items, queue=queue(Order.LEAST_RECENTLY_SEARCHED))
    assert lrs.commands[0].reason.startswith("least recently searched first: ")
    rnd = run(items, queue=queue(Order.RANDOM), seed=42)
    assert rnd.commands[0].reason.startswith("random pick (seed 42): ")


def test_random_is_the_same_for_a_seed_and_differs_across_seeds() -> None:
    items = [make_item(i) for i in range(1, 41)]
    first = planned_ids(run(items, queue=queue(Order.RANDOM), seed=1))
    assert first == planned_ids(run(items, queue=queue(Order.RANDOM), seed=1))
    assert first != planned_ids(run(items, queue=queue(Order.RANDOM), seed=2))
    assert sorted(first) == list(range(1, 41))


def test_random_top_k_is_the_head_of_the_full_random_order() -> None:
    items = [make_item(i) for i in range(1, 41)]
    full = planned_ids(run(items, queue=queue(Order.RANDOM), seed=9))
    assert planned_ids(run(items, queue=queue(Order.RANDOM, batch=5), seed=9)) == full[:5]


@pytest.mark.parametrize("order", list(Order))
def test_ties_break_by_id_whatever_the_input_order(order: Order) -> None:
    items = [make_item(i) for i in range(1, 30)]
    shuffled = items[:]
    random.Random(3).shuffle(shuffled)
    expected = planned_ids(run(items, queue=queue(order, batch=7), seed=5))
    assert planned_ids(run(shuffled, queue=queue(order, batch=7), seed=5)) == expected
    if order is not Order.RANDOM:
        assert expected == list(range(1, 8))


@pytest.mark.parametrize("order", list(Order))
def test_top_k_equals_the_head_of_the_full_order(order: Order) -> None:
    rng = random.Random(11)
    items = [make_item(i, released_at=ago(days=rng.randint(1, 5000))) for i in range(1, 200)]
    history = History(
        item_states={
            i: make_state(ago(days=rng.randint(8, 90)), attempts=rng.randint(1, 4))
            for i in range(1, 200, 3)
        }
    )
    full = planned_ids(run(items, queue=queue(order, batch=500), seed=4, history=history))
    top = planned_ids(run(items, queue=queue(order, batch=10), seed=4, history=history))
    assert top == full[:10]
