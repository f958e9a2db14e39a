"""Season packs: threshold, fully aired rule, keys, fallback to episodes, payloads."""

from __future__ import annotations

from datetime import timedelta

from vibe_quality_searcharr.search.planner import (
    App,
    CommandKind,
    History,
    QueueSettings,
    SeasonInfo,
    SeasonKey,
    SeasonPackSettings,
    SkipCode,
    apply_plan,
    plan,
)

from .factories import NOW, ago, make_episode, make_library, make_state, run, skip_of


def season(series_id: int, number: int, count: int, first_id: int, **overrides: object) -> list:
    return [
        make_episode(first_id + i, series_id=series_id, season=number, **overrides)
        for i in range(count)
    ]


def kinds(result) -> list[tuple[str, tuple[int, ...]]]:
    return [(command.kind.value, command.ids) for command in result.commands]


def test_a_fully_aired_season_with_three_wanted_episodes_is_one_season_search() -> None:
    episodes = season(7, 2, 3, first_id=10)
    result = run(episodes, App.SONARR)
    assert len(result.commands) == 1
    command = result.commands[0]
    assert command.kind is CommandKind.SEASON_SEARCH
    assert command.payload() == {"name": "SeasonSearch", "seriesId": 7, "seasonNumber": 2}
    assert command.ids == (10, 11, 12)
    assert command.cost == 1
    assert command.reason == (
        "season 2 pack: 3 wanted episodes of a fully aired season, "
        "last aired 30 days ago, pack never searched, missing"
    )
    assert result.summary.searches == 1
    assert result.summary.planned_items == 3


def test_below_the_threshold_episodes_are_searched_one_by_one() -> None:
    result = run(season(7, 2, 2, first_id=10), App.SONARR)
    assert kinds(result) == [("EpisodeSearch", (10,)), ("EpisodeSearch", (11,))]
    assert result.commands[0].payload() == {"name": "EpisodeSearch", "episodeIds": [10]}


def test_the_threshold_is_configurable() -> None:
    queue = QueueSettings(season_packs=SeasonPackSettings(min_episodes=2))
    assert kinds(run(season(7, 2, 2, first_id=10), App.SONARR, queue))[0][0] == "SeasonSearch"
    off = QueueSettings(season_packs=SeasonPackSettings(enabled=False))
    assert {kind for kind, _ in kinds(run(season(7, 2, 5, 10), App.SONARR, off))} == {
        "EpisodeSearch"
    }


def test_a_season_still_airing_is_not_a_pack() -> None:
    episodes = season(7, 2, 4, first_id=10)
    airing = make_library(episodes, seasons={SeasonKey(7, 2): SeasonInfo(next_airing=ago(days=-3))})
    assert {kind for kind, _ in kinds(run(episodes, library=airing))} == {"EpisodeSearch"}


def test_an_unaired_monitored_episode_in_the_mirror_blocks_the_pack() -> None:
    episodes = [*season(7, 2, 4, first_id=10), make_episode(20, 7, 2, released_at=ago(days=-7))]
    library = make_library(episodes, seasons={SeasonKey(7, 2): SeasonInfo()})
    result = run(episodes, library=library)
    assert {kind for kind, _ in kinds(result)} == {"EpisodeSearch"}
    assert skip_of(result, 20).code is SkipCode.NOT_RELEASED


def test_an_unaired_unmonitored_episode_does_not_block_the_pack() -> None:
    future = make_episode(20, 7, 2, released_at=ago(days=-7), monitored=False)
    episodes = [*season(7, 2, 4, first_id=10), future]
    library = make_library(episodes, seasons={SeasonKey(7, 2): SeasonInfo()})
    assert kinds(run(episodes, library=library))[0][0] == "SeasonSearch"


def test_without_season_facts_no_pack_is_guessed() -> None:
    episodes = season(7, 2, 4, first_id=10)
    library = make_library(episodes, seasons={})
    assert {kind for kind, _ in kinds(run(episodes, library=library))} == {"EpisodeSearch"}


def test_specials_are_never_a_pack() -> None:
    result = run(season(7, 0, 5, first_id=10), App.SONARR)
    assert {kind for kind, _ in kinds(result)} == {"EpisodeSearch"}


def test_pack_covers_only_eligible_episodes_and_counts_only_them() -> None:
    episodes = [
        *season(7, 2, 2, first_id=10),
        make_episode(12, 7, 2, monitored=False),
        make_episode(13, 7, 2, released_at=ago(hours=1)),
    ]
    result = run(episodes, App.SONARR)
    assert {kind for kind, _ in kinds(result)} == {"EpisodeSearch"}
    queue = QueueSettings(season_packs=SeasonPackSettings(min_episodes=2))
    assert kinds(run(episodes, App.SONARR, queue)) == [("SeasonSearch", (10, 11))]


def test_a_pack_is_one_search_of_the_batch() -> None:
    episodes = [*season(7, 1, 4, 10), *season(7, 2, 4, 20), *season(8, 1, 4, 30)]
    result = run(episodes, App.SONARR, QueueSettings(batch_size=2))
    assert len(result.commands) == 2
    assert result.summary.searches == 2
    assert result.summary.planned_items == 8


def test_season_keys_do_not_depend_on_episode_ids_or_order() -> None:
    episodes = [*season(7, 1, 4, 10), *season(7, 2, 4, 20)]
    renumbered = [episode._replace(id=episode.id * 1000 + 5) for episode in reversed(episodes)]
    first = [command.season for command in run(episodes, App.SONARR).commands]
    second = [command.season for command in run(renumbered, App.SONARR).commands]
    assert sorted(first) == sorted(second) == [SeasonKey(7, 1), SeasonKey(7, 2)]


def test_a_fruitless_pack_rests_then_its_episodes_are_searched_one_by_one() -> None:
    episodes = season(7, 2, 4, first_id=10, released_at=ago(days=800))
    library = make_library(episodes)
    queue = QueueSettings()
    first = plan(library, queue, now=NOW)
    assert kinds(first)[0][0] == "SeasonSearch"
    history = apply_plan(History(), first, library, at=NOW)  # grabbed nothing
    assert history.season_states[SeasonKey(7, 2)].fruitless == 1

    during = plan(library, queue, now=NOW + timedelta(days=6), history=history)
    assert during.commands == ()
    assert {skip.code for skip in during.skipped} == {SkipCode.COOLDOWN}
    assert during.skipped[0].text.startswith("season 2 searched 2026-11-22 12:00 UTC")

    after = plan(library, queue, now=NOW + timedelta(days=8), history=history)
    assert kinds(after) == [("EpisodeSearch", (i,)) for i in range(10, 14)]
    assert after.commands[0].reason.startswith(
        "season 2 pack found nothing 8 days ago, searching episodes, "
    )

    retry = plan(library, queue, now=NOW + timedelta(days=31), history=history)
    assert kinds(retry)[0][0] == "SeasonSearch"
    assert "pack searched 1 time (last 31 days ago)" in retry.commands[0].reason


def test_a_pack_that_grabbed_keeps_its_episodes_resting_for_the_cooldown_only() -> None:
    episodes = season(7, 2, 4, first_id=10, released_at=ago(days=800))
    library = make_library(episodes)
    first = plan(library, QueueSettings(), now=NOW)
    history = apply_plan(History(), first, library, at=NOW, grabbed=frozenset({10}))
    assert history.season_states[SeasonKey(7, 2)].fruitless == 0
    later = plan(library, QueueSettings(), now=NOW + timedelta(days=8), history=history)
    assert kinds(later)[0][0] == "SeasonSearch"


def test_season_cooldown_is_never_keyed_on_an_episode() -> None:
    episodes = season(7, 2, 4, first_id=10)
    history = History(season_states={SeasonKey(7, 2): make_state(ago(hours=1))})
    moved = [episode._replace(id=episode.id + 500) for episode in episodes]
    for items in (episodes, moved):
        result = run(items, App.SONARR, history=history)
        assert result.commands == ()
