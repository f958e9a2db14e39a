"""Recording searches and outcomes keeps history consistent with the planner's rules."""

from __future__ import annotations

from datetime import timedelta

from vibe_quality_searcharr.search.planner import (
    App,
    History,
    QueueSettings,
    SeasonKey,
    SkipCode,
    apply_plan,
    plan,
    record_outcome,
    record_search,
)

from .factories import NOW, ago, make_episode, make_item, make_library, make_state, skip_of


def test_first_search_starts_a_record() -> None:
    state = record_search(None, at=NOW, released_at=ago(days=3), profile_id=2)
    assert (state.last_searched_at, state.attempts, state.fruitless) == (NOW, 1, 0)
    assert (state.released_at_seen, state.profile_id_seen) == (ago(days=3), 2)


def test_later_searches_count_attempts_and_keep_the_streak_until_the_outcome() -> None:
    first = record_outcome(
        record_search(None, at=ago(days=9), released_at=None, profile_id=1),
        grabbed=False,
        at=ago(days=9),
    )
    second = record_search(first, at=NOW, released_at=None, profile_id=1)
    assert (second.attempts, second.fruitless) == (2, 1)
    assert record_outcome(second, grabbed=False, at=NOW).fruitless == 2


def test_a_changed_air_date_or_profile_starts_a_fresh_record() -> None:
    old = make_state(ago(days=9), attempts=5, fruitless=5, released_at_seen=ago(days=60))
    moved = record_search(old, at=NOW, released_at=ago(days=3), profile_id=None)
    assert (moved.attempts, moved.fruitless) == (1, 0)
    old = make_state(ago(days=9), attempts=5, fruitless=5, profile_id_seen=1)
    changed = record_search(old, at=NOW, released_at=None, profile_id=4)
    assert (changed.attempts, changed.fruitless) == (1, 0)


def test_apply_plan_puts_searched_items_in_cooldown() -> None:
    items = [make_item(1, released_at=ago(days=3)), make_item(2, released_at=ago(days=3))]
    library = make_library(items, App.RADARR)
    queue = QueueSettings(batch_size=1)
    first = plan(library, queue, now=NOW)
    history = apply_plan(History(), first, library, at=NOW)
    assert set(history.item_states) == set(first.planned_item_ids)
    second = plan(library, queue, now=NOW + timedelta(hours=1), history=history)
    assert second.planned_item_ids.isdisjoint(first.planned_item_ids)
    (searched,) = first.planned_item_ids
    assert skip_of(second, searched).code is SkipCode.COOLDOWN
    # 3 days old: a 12 h cooldown; after it, the item comes back.
    both = QueueSettings(batch_size=2)
    before = plan(library, both, now=NOW + timedelta(hours=11), history=history)
    assert searched not in before.planned_item_ids
    after = plan(library, both, now=NOW + timedelta(hours=13), history=history)
    assert after.planned_item_ids == {1, 2}


def test_apply_plan_records_a_season_search_under_its_season_key_only() -> None:
    episodes = [make_episode(i, series_id=4, season=1) for i in range(1, 5)]
    library = make_library(episodes)
    result = plan(library, QueueSettings(), now=NOW)
    history = apply_plan(History(), result, library, at=NOW, grabbed=frozenset({2}))
    assert history.item_states == {}
    state = history.season_states[SeasonKey(4, 1)]
    assert (state.attempts, state.fruitless, state.last_grabbed_at) == (1, 0, NOW)
