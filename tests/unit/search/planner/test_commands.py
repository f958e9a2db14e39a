"""Each app family gets its own command name and payload-ready ids."""

from __future__ import annotations

from datetime import datetime

import pytest

from vibe_quality_searcharr.search.planner import App, QueueSettings, family_of, plan

from .factories import NOW, ago, make_item, make_library


@pytest.mark.parametrize(
    ("app", "name", "field"),
    [
        (App.RADARR, "MoviesSearch", "movieIds"),
        (App.WHISPARR_V3, "MoviesSearch", "movieIds"),
        (App.LIDARR, "AlbumSearch", "albumIds"),
        (App.READARR, "BookSearch", "bookIds"),
    ],
)
def test_batched_apps_send_one_command_per_batch_of_ids(app: App, name: str, field: str) -> None:
    items = [make_item(i, released_at=ago(days=i)) for i in range(1, 6)]
    result = plan(make_library(items, app), QueueSettings(batch_size=4), now=NOW)
    assert len(result.commands) == 1
    command = result.commands[0]
    assert command.payload() == {"name": name, field: [1, 2, 3, 4]}
    assert [entry.item_id for entry in command.items] == [1, 2, 3, 4]
    assert command.score == max(entry.score for entry in command.items)
    noun = {"movieIds": "movies", "albumIds": "albums", "bookIds": "books"}[field]
    assert command.reason.startswith(f"4 {noun}, led by: released 24 hours ago, never searched")


@pytest.mark.parametrize("app", [App.SONARR, App.WHISPARR])
def test_episode_apps_send_one_episode_search_per_episode(app: App) -> None:
    items = [make_item(i, season_number=i) for i in range(1, 4)]
    result = plan(make_library(items, app), QueueSettings(), now=NOW)
    assert [command.payload() for command in result.commands] == [
        {"name": "EpisodeSearch", "episodeIds": [i]} for i in range(1, 4)
    ]


def test_every_app_has_a_family() -> None:
    assert {family_of(app).value for app in App} == {"episode", "movie", "album", "book"}


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone"):
        plan(make_library([], App.RADARR), QueueSettings(), now=datetime(2026, 1, 1))
