"""Every skip reason, its precedence and the text a user reads."""

from __future__ import annotations

from vibe_quality_searcharr.search.planner import (
    App,
    ArrActivity,
    Exclusion,
    Exclusions,
    History,
    QueueSettings,
    SeasonInfo,
    SeasonKey,
    SkipCode,
)

from .factories import NOW, ago, make_episode, make_item, make_library, make_state, run, skip_of


def test_unmonitored_item_is_skipped() -> None:
    result = run([make_item(1, monitored=False)])
    skip = skip_of(result, 1)
    assert skip.code is SkipCode.UNMONITORED
    assert skip.text == "movie is unmonitored"
    assert result.commands == ()


def test_unmonitored_parent_is_skipped_and_named() -> None:
    result = run([make_episode(1, parent_monitored=False)], App.SONARR)
    assert skip_of(result, 1).text == "series is unmonitored"


def test_unmonitored_season_is_skipped() -> None:
    items = [make_episode(1, season=2)]
    library = make_library(items, seasons={SeasonKey(100, 2): SeasonInfo(monitored=False)})
    result = run(items, library=library)
    assert skip_of(result, 1).code is SkipCode.UNMONITORED
    assert skip_of(result, 1).text == "season 2 is unmonitored"


def test_not_yet_released_item_is_skipped_with_its_date() -> None:
    result = run([make_item(1, released_at=ago(days=-2))])
    skip = skip_of(result, 1)
    assert skip.code is SkipCode.NOT_RELEASED
    assert skip.until == ago(days=-2)
    assert skip.text == "not released yet (2026-11-24 12:00 UTC)"


def test_episode_texts_say_aired() -> None:
    result = run([make_episode(1, released_at=ago(days=-2))], App.SONARR)
    assert skip_of(result, 1).text == "not aired yet (2026-11-24 12:00 UTC)"


def test_item_without_a_release_date_is_skipped() -> None:
    result = run([make_item(1, released_at=None)])
    assert skip_of(result, 1).code is SkipCode.NOT_RELEASED
    assert skip_of(result, 1).text == "release date not announced"


def test_grace_period_holds_fresh_releases_for_six_hours_by_default() -> None:
    result = run([make_item(1, released_at=ago(hours=5)), make_item(2, released_at=ago(hours=7))])
    skip = skip_of(result, 1)
    assert skip.code is SkipCode.GRACE_PERIOD
    assert skip.until == ago(hours=-1)
    assert "grace period until 2026-11-22 13:00 UTC" in skip.text
    assert [command.ids for command in result.commands] == [(2,)]


def test_grace_period_is_configurable() -> None:
    from datetime import timedelta

    items = [make_item(1, released_at=ago(hours=5))]
    queue = QueueSettings(grace=timedelta(hours=1), batch_size=10)
    assert run(items, queue=queue).commands[0].ids == (1,)


def test_excluded_item_is_skipped_until_the_exclusion_expires() -> None:
    items = [make_item(1), make_item(2), make_item(3)]
    exclusions = Exclusions(
        items={
            1: Exclusion(expires_at=ago(days=-30), reason="bad release"),
            2: Exclusion(expires_at=ago(hours=1)),  # expired: searchable again
            3: Exclusion(),  # permanent
        }
    )
    result = run(items, exclusions=exclusions)
    assert skip_of(result, 1).code is SkipCode.EXCLUDED
    assert skip_of(result, 1).text == "movie excluded until 2026-12-22 12:00 UTC"
    assert skip_of(result, 3).text == "movie excluded permanently"
    assert [command.ids for command in result.commands] == [(2,)]


def test_excluding_a_series_skips_all_its_episodes() -> None:
    items = [make_episode(1, series_id=5), make_episode(2, series_id=6)]
    result = run(items, App.SONARR, exclusions=Exclusions(parents={5: Exclusion()}))
    assert skip_of(result, 1).text == "series excluded permanently"
    assert [command.ids for command in result.commands] == [(2,)]


def test_queue_can_exclude_by_tag_and_names_the_tag() -> None:
    items = [make_item(1, tags=frozenset({3, 4})), make_item(2, tags=frozenset({5}))]
    library = make_library(items, App.RADARR, tag_labels={4: "no-search"})
    queue = QueueSettings(exclude_tags=frozenset({4}), batch_size=10)
    result = run(items, library=library, queue=queue)
    assert skip_of(result, 1).code is SkipCode.EXCLUDED
    assert skip_of(result, 1).text == "tag 'no-search' is excluded by this queue"
    assert [command.ids for command in result.commands] == [(2,)]


def test_item_already_in_the_download_queue_is_skipped() -> None:
    result = run([make_item(1), make_item(2)], activity=ArrActivity(queued_ids=frozenset({1})))
    assert skip_of(result, 1).code is SkipCode.IN_DOWNLOAD_QUEUE
    assert skip_of(result, 1).text == "already in the download queue"
    assert [command.ids for command in result.commands] == [(2,)]


def test_item_in_cooldown_is_skipped_with_when_it_ends() -> None:
    state = make_state(ago(hours=10), attempts=2, fruitless=2)
    result = run([make_item(1)], history=History(item_states={1: state}))
    skip = skip_of(result, 1)
    assert skip.code is SkipCode.COOLDOWN
    # 30 days old: 72 h tier, doubled once after the second fruitless search.
    assert skip.until == ago(hours=10) + (ago(hours=0) - ago(hours=144))
    assert skip.text == (
        "searched 2026-11-22 02:00 UTC, 2 searches found nothing; "
        "cooldown until 2026-11-28 02:00 UTC"
    )


def test_the_most_permanent_reason_wins() -> None:
    item = make_item(1, monitored=False, released_at=ago(days=-1))
    result = run(
        [item],
        exclusions=Exclusions(items={1: Exclusion()}),
        activity=ArrActivity(queued_ids=frozenset({1})),
    )
    assert skip_of(result, 1).code is SkipCode.UNMONITORED
    result = run(
        [item._replace(monitored=True)],
        exclusions=Exclusions(items={1: Exclusion()}),
    )
    assert skip_of(result, 1).code is SkipCode.EXCLUDED


def test_summary_counts_skips_by_reason_and_says_why_nothing_was_planned() -> None:
    items = [make_item(1, monitored=False), make_item(2, released_at=ago(days=-1))]
    result = run(items)
    assert result.summary.skipped == {SkipCode.UNMONITORED: 1, SkipCode.NOT_RELEASED: 1}
    assert result.summary.hold is not None
    assert result.summary.hold.code == "all_skipped"
    assert result.summary.hold.text == "all 2 wanted items skipped (1 not released, 1 unmonitored)"


def test_empty_library_says_nothing_is_wanted() -> None:
    result = run([])
    assert result.summary.hold is not None
    assert result.summary.hold.text == "nothing wanted by this queue"
    assert result.now == NOW
