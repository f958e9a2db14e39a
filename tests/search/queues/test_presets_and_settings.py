"""Presets through the API, and every stored queue (each preset, the monitored filter) turning
into planner settings that plan a small library."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.search.conftest import add_instance
from tests.unit.search.planner.factories import NOW, ago, make_episode, make_item, make_library
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.scheduling.schedules import parse_schedule
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.planner import (
    App,
    Order,
    QualityProfile,
    QueueSettings,
    SeasonInfo,
    SeasonKey,
    SkipCode,
    Strategy,
    plan,
)
from vibe_quality_searcharr.search.queues.options import QueueOptions, queue_settings, run_seed
from vibe_quality_searcharr.search.queues.presets import PRESETS, PresetName


def interval(minutes: int) -> dict[str, object]:
    """A stored interval schedule with the default zone, jitter and no windows."""
    return {
        "kind": "interval",
        "minutes": minutes,
        "timezone": "UTC",
        "jitter_minutes": 5.0,
        "windows": [],
    }


def test_presets_are_listed_with_their_values(admin_client: TestClient) -> None:
    response = admin_client.get("/api/v1/queues/presets")
    assert response.status_code == 200
    presets = {preset["name"]: preset for preset in response.json()}
    assert set(presets) == {"steady_missing", "weekly_upgrades", "new_releases"}
    steady = presets["steady_missing"]
    assert (steady["strategy"], steady["order"], steady["batch_size"]) == (
        "missing",
        "priority",
        10,
    )
    assert steady["schedule"] == interval(60)
    weekly = presets["weekly_upgrades"]
    assert weekly["strategy"] == "custom"
    assert weekly["options"]["custom"]["sources"] == ["cutoff_unmet", "format_upgrade"]
    assert weekly["options"]["cycle"] == {"enabled": True, "min_days": 7}
    assert weekly["schedule"]["minutes"] == 360
    new = presets["new_releases"]
    assert (new["strategy"], new["order"]) == ("recent", "newest")
    assert new["options"]["recent_days"] == 14
    assert new["options"]["grace_hours"] == 6
    assert new["schedule"]["minutes"] <= 60
    assert all(preset["description"] for preset in presets.values())


def test_create_from_a_preset_remembers_it_and_explicit_fields_win(
    admin_client: TestClient, context: AppContext
) -> None:
    instance_id = add_instance(context, version="4.0.14.2939")
    plain = admin_client.post(
        "/api/v1/queues", json={"name": "New", "instance_id": instance_id, "preset": "new_releases"}
    ).json()
    assert plain["preset"] == "new_releases"
    assert (plain["strategy"], plain["order"], plain["schedule"]["minutes"]) == (
        "recent",
        "newest",
        30,
    )
    tuned = admin_client.post(
        "/api/v1/queues",
        json={
            "name": "Weekly",
            "instance_id": instance_id,
            "preset": "weekly_upgrades",
            "batch_size": 4,
            "order": "random",
            "options": {"cycle": {"min_days": 14}, "grace_hours": 1},
            "schedule": {"kind": "interval", "minutes": 720},
        },
    )
    assert tuned.status_code == 201, tuned.text
    body = tuned.json()
    assert body["preset"] == "weekly_upgrades"
    assert body["strategy"] == "custom"  # from the preset
    assert (body["batch_size"], body["order"]) == (4, "random")  # explicit
    assert body["options"]["cycle"] == {"enabled": True, "min_days": 14}  # merged key by key
    assert body["options"]["custom"]["sources"] == ["cutoff_unmet", "format_upgrade"]
    assert body["options"]["grace_hours"] == 1
    assert body["schedule"]["minutes"] == 720


def _stored(strategy: Strategy, order: Order, batch: int, options: dict[str, Any]) -> SearchQueue:
    return SearchQueue(
        id=7,
        name="q",
        instance_id=1,
        strategy=strategy.value,
        order=order.value,
        batch_size=batch,
        options=QueueOptions.model_validate(options).model_dump(mode="json"),
        schedule={},
    )


def _library(app: App) -> Any:
    profiles = {1: QualityProfile(1, upgrade_allowed=True, cutoff_format_score=100)}
    items = [
        make_episode(1, released_at=ago(days=400)),
        make_episode(2, released_at=ago(days=3)),
        make_episode(3, released_at=ago(days=2), has_file=True, cutoff_unmet=True),
        make_episode(4, has_file=True, format_score=20, quality_profile_id=1),
        make_episode(5, released_at=ago(hours=2)),  # inside the grace period
        make_episode(6, monitored=False),
    ]
    if app is not App.SONARR:
        items = [item._replace(parent_id=None, season_number=None) for item in items]
    return make_library(items, app, profiles=profiles)


@pytest.mark.parametrize("preset_name", list(PresetName))
@pytest.mark.parametrize("app", [App.SONARR, App.RADARR])
def test_every_preset_builds_settings_that_plan(preset_name: PresetName, app: App) -> None:
    preset = PRESETS[preset_name]
    queue = _stored(preset.strategy, preset.order, preset.batch_size, preset.options)
    planner_settings = queue_settings(queue)
    assert isinstance(planner_settings, QueueSettings)
    assert (planner_settings.strategy, planner_settings.order, planner_settings.batch_size) == (
        preset.strategy,
        preset.order,
        preset.batch_size,
    )
    assert parse_schedule(preset.schedule).minutes == preset.minutes
    result = plan(_library(app), planner_settings, now=NOW, seed=run_seed(queue.id, 1))
    planned = {item_id for command in result.commands for item_id in command.ids}
    expected = {
        PresetName.STEADY_MISSING: {1, 2},
        PresetName.WEEKLY_UPGRADES: {3, 4},
        PresetName.NEW_RELEASES: {2},
    }[preset_name]
    assert planned == expected
    skipped = {skip.item_id: skip.code for skip in result.skipped}
    if preset_name is not PresetName.WEEKLY_UPGRADES:
        assert skipped[5] is SkipCode.GRACE_PERIOD
    if preset_name is PresetName.STEADY_MISSING:
        assert skipped[6] is SkipCode.UNMONITORED
    if preset_name is PresetName.WEEKLY_UPGRADES:
        assert result.cycle is not None  # cycle mode is on


def test_monitored_any_reports_unmonitored_items_as_skipped() -> None:
    queue = _stored(Strategy.CUSTOM, Order.PRIORITY, 10, {"custom": {"monitored": "any"}})
    result = plan(_library(App.SONARR), queue_settings(queue), now=NOW)
    assert {skip.item_id: skip.code for skip in result.skipped}[6] is SkipCode.UNMONITORED
    assert result.summary.in_scope == 4  # the missing ones: 1, 2, 5, 6


def test_monitored_only_leaves_unmonitored_items_out_of_scope() -> None:
    """Item, parent and season flags all count; nothing unmonitored is planned or mentioned."""
    items = [
        make_episode(1),
        make_episode(2, monitored=False),
        make_episode(3, series_id=200, parent_monitored=False),
        make_episode(4, series_id=300, season=2),
        make_episode(5, series_id=300, season=3),
    ]
    seasons = dict(make_library(items).seasons)
    seasons[SeasonKey(300, 2)] = SeasonInfo(monitored=False, last_aired=ago(days=30))
    library = make_library(items, seasons=seasons)
    queue = _stored(Strategy.CUSTOM, Order.PRIORITY, 10, {"custom": {"monitored": "only"}})
    result = plan(library, queue_settings(queue), now=NOW)
    assert {item_id for command in result.commands for item_id in command.ids} == {1, 5}
    assert result.skipped == ()
    assert result.summary.in_scope == 2


def test_custom_filters_reach_the_planner() -> None:
    items = [
        make_item(1, year=1995, quality_profile_id=1, tags=frozenset({2}), status="ended"),
        make_item(2, year=2015, quality_profile_id=1, tags=frozenset({2}), status="ended"),
        make_item(3, year=1995, quality_profile_id=9, tags=frozenset({2}), status="ended"),
        make_item(4, year=1995, quality_profile_id=1, tags=frozenset(), status="ended"),
        make_item(5, year=1995, quality_profile_id=1, tags=frozenset({2, 5}), status="ended"),
        make_item(6, year=1995, quality_profile_id=1, tags=frozenset({2}), status="continuing"),
    ]
    items = [item._replace(parent_id=None) for item in items]
    queue = _stored(
        Strategy.CUSTOM,
        Order.OLDEST,
        10,
        {
            "custom": {
                "year_min": 1990,
                "year_max": 2000,
                "quality_profile_ids": [1],
                "include_tags": [2],
                "statuses": ["ended"],
            },
            "exclude_tags": [5],
        },
    )
    result = plan(make_library(items, App.RADARR), queue_settings(queue), now=NOW)
    assert {item_id for command in result.commands for item_id in command.ids} == {1}
    assert {skip.item_id: skip.code for skip in result.skipped} == {5: SkipCode.EXCLUDED}


@given(
    flags=st.lists(st.tuples(st.booleans(), st.booleans(), st.integers(1, 3)), max_size=40),
    unmonitored_season=st.integers(1, 3),
)
@settings(max_examples=60, deadline=None)
def test_monitored_only_is_the_monitored_part_of_any(
    flags: list[tuple[bool, bool, int]], unmonitored_season: int
) -> None:
    """Property: "only" plans what "any" plans, and its scope is exactly the in-scope items
    that "any" does not skip as unmonitored."""
    items = [
        make_episode(index + 1, season=season, monitored=item, parent_monitored=parent)
        for index, (item, parent, season) in enumerate(flags)
    ]
    seasons = dict(make_library(items).seasons)
    key = SeasonKey(100, unmonitored_season)
    seasons[key] = SeasonInfo(monitored=False, last_aired=ago(days=30))
    library = make_library(items, seasons=seasons)

    def run_with(monitored: str) -> Any:
        queue = _stored(Strategy.CUSTOM, Order.PRIORITY, 100, {"custom": {"monitored": monitored}})
        return plan(library, queue_settings(queue), now=NOW)

    any_plan, only_plan = run_with("any"), run_with("only")
    unmonitored = {s.item_id for s in any_plan.skipped if s.code is SkipCode.UNMONITORED}
    assert not any(s.code is SkipCode.UNMONITORED for s in only_plan.skipped)
    assert only_plan.summary.in_scope == any_plan.summary.in_scope - len(unmonitored)
    assert [c.ids for c in only_plan.commands] == [c.ids for c in any_plan.commands]
