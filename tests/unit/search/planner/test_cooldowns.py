"""Cooldowns: tiers by age, doubling after fruitless searches, the cap, resets, flat mode, the
*arr's own lastSearchTime, and seasons keyed on (series, season)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vibe_quality_searcharr.search.planner import (
    App,
    CooldownSettings,
    History,
    QueueSettings,
    SeasonKey,
    SkipCode,
    record_outcome,
    record_search,
)

from .factories import NOW, ago, make_episode, make_item, make_library, make_state, run, skip_of

MINUTE = timedelta(minutes=1)


def searched_item(age: timedelta, since: timedelta, fruitless: int = 1, **overrides: object):
    item = make_item(1, released_at=NOW - age, **overrides)
    state = make_state(
        NOW - since, fruitless=fruitless, released_at_seen=NOW - age, profile_id_seen=None
    )
    return item, History(item_states={1: state})


@pytest.mark.parametrize(
    ("age", "tier"),
    [
        (timedelta(hours=12), timedelta(hours=6)),
        (timedelta(days=3), timedelta(hours=12)),
        (timedelta(days=20), timedelta(hours=24)),
        (timedelta(days=200), timedelta(hours=72)),
        (timedelta(days=800), timedelta(days=7)),
    ],
)
def test_each_age_tier_sets_the_cooldown(age: timedelta, tier: timedelta) -> None:
    item, history = searched_item(age, tier - MINUTE)
    still = run([item], history=history)
    assert skip_of(still, 1).code is SkipCode.COOLDOWN
    assert skip_of(still, 1).until == NOW + MINUTE

    item, history = searched_item(age, tier + MINUTE)
    assert run([item], history=history).commands[0].ids == (1,)


@pytest.mark.parametrize(("fruitless", "days"), [(1, 7), (2, 14), (3, 14), (9, 14)])
def test_fruitless_searches_double_up_to_the_cap(fruitless: int, days: int) -> None:
    item, history = searched_item(timedelta(days=800), timedelta(hours=1), fruitless)
    assert skip_of(run([item], history=history), 1).until == ago(hours=1) + timedelta(days=days)


def test_doubling_for_a_fresh_item() -> None:
    # 3 days old: 12 h, then 24 h, 48 h, 96 h...
    for fruitless, hours in [(1, 12), (2, 24), (3, 48), (4, 96), (6, 336), (7, 336)]:
        item, history = searched_item(timedelta(days=3), timedelta(minutes=1), fruitless)
        skip = skip_of(run([item], history=history), 1)
        assert skip.until == ago(minutes=1) + timedelta(hours=hours), fruitless


def test_doubling_can_be_turned_off() -> None:
    queue = QueueSettings(cooldown=CooldownSettings(doubling=False))
    item, history = searched_item(timedelta(days=800), timedelta(hours=1), fruitless=5)
    assert skip_of(run([item], queue=queue, history=history), 1).until == ago(hours=1) + timedelta(
        days=7
    )


def test_flat_cooldown_ignores_age() -> None:
    queue = QueueSettings(cooldown=CooldownSettings(flat=timedelta(hours=2), doubling=False))
    for age in (timedelta(hours=8), timedelta(days=3000)):
        item, history = searched_item(age, timedelta(hours=1))
        assert skip_of(run([item], queue=queue, history=history), 1).until == ago(hours=-1)
        item, history = searched_item(age, timedelta(hours=3))
        assert run([item], queue=queue, history=history).commands


def test_a_new_air_date_resets_the_cooldown() -> None:
    item = make_item(1, released_at=ago(days=10))
    state = make_state(ago(hours=1), released_at_seen=ago(days=40))
    result = run([item], history=History(item_states={1: state}))
    assert result.commands[0].ids == (1,)
    assert "never searched" in result.commands[0].reason


def test_a_quality_profile_change_resets_the_cooldown() -> None:
    item = make_item(1, quality_profile_id=2)
    state = make_state(ago(hours=1), profile_id_seen=1)
    assert run([item], history=History(item_states={1: state})).commands[0].ids == (1,)
    same = make_state(ago(hours=1), profile_id_seen=2)
    assert run([item], history=History(item_states={1: same})).commands == ()


def test_a_manual_search_restarts_the_backoff() -> None:
    item = make_item(1, released_at=ago(days=800))
    state = make_state(ago(days=30), attempts=4, fruitless=4)
    manual = record_search(
        state, at=ago(hours=1), released_at=item.released_at, profile_id=None, manual=True
    )
    manual = record_outcome(manual, grabbed=False, at=ago(hours=1))
    assert manual.fruitless == 1
    assert manual.attempts == 5
    skip = skip_of(run([item], history=History(item_states={1: manual})), 1)
    assert skip.until == ago(hours=1) + timedelta(days=7)


def test_a_grab_clears_the_backoff() -> None:
    state = record_outcome(make_state(ago(days=1), fruitless=3), grabbed=True, at=ago(days=1))
    assert state.fruitless == 0
    assert state.last_grabbed_at == ago(days=1)


def test_the_arrs_own_last_search_counts_as_a_search() -> None:
    item = make_item(1, released_at=ago(days=800), arr_last_search=ago(days=2))
    skip = skip_of(run([item]), 1)
    assert skip.code is SkipCode.COOLDOWN
    assert skip.until == ago(days=2) + timedelta(days=7)


def test_the_arrs_stamp_of_our_own_search_is_not_a_second_search() -> None:
    item = make_item(1, released_at=ago(days=800), arr_last_search=ago(days=2) + MINUTE)
    state = make_state(ago(days=2), attempts=1, fruitless=1)
    result = run([item], history=History(item_states={1: state}))
    assert skip_of(result, 1).until == ago(days=2) + MINUTE + timedelta(days=7)
    assert skip_of(result, 1).fruitless == 1


def test_a_later_arr_search_adds_an_attempt() -> None:
    item = make_item(1, released_at=ago(days=800), arr_last_search=ago(days=20))
    state = make_state(ago(days=40), attempts=1, fruitless=1)
    result = run([item], history=History(item_states={1: state}))
    assert "searched 2 times (last 20 days ago)" in result.commands[0].reason


def test_season_cooldown_is_keyed_on_series_and_season() -> None:
    episodes = [make_episode(i, series_id=7, season=2) for i in range(1, 5)]
    season_state = make_state(ago(hours=2), fruitless=1)
    history = History(season_states={SeasonKey(7, 2): season_state})
    result = run(episodes, App.SONARR, history=history)
    assert result.commands == ()
    skip = skip_of(result, 3)
    assert skip.code is SkipCode.COOLDOWN
    assert skip.text.startswith("season 2 searched 2026-11-22 10:00 UTC, 1 search found nothing")
    # Another season of the same series is not held.
    other = [*episodes, make_episode(9, series_id=7, season=3)]
    assert [c.ids for c in run(other, App.SONARR, history=history).commands] == [(9,)]


def test_season_cooldown_is_reset_by_a_new_air_date() -> None:
    episodes = [make_episode(i, series_id=7, season=2) for i in range(1, 5)]
    library = make_library(episodes)
    stale = make_state(ago(hours=2), fruitless=1, released_at_seen=ago(days=90))
    history = History(season_states={SeasonKey(7, 2): stale})
    result = run(episodes, library=library, history=history)
    assert [command.kind for command in result.commands] == ["SeasonSearch"]


def test_cooldown_settings_reject_unsorted_tiers() -> None:
    with pytest.raises(ValueError, match="sorted"):
        CooldownSettings(
            tiers=((timedelta(days=7), timedelta(hours=1)), (timedelta(days=1), timedelta(hours=2)))
        )
