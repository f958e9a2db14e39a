"""Plain builders for planner inputs: a fixed `NOW` and items described by their age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from vibe_quality_searcharr.search.planner import (
    App,
    History,
    Item,
    Library,
    Plan,
    QueueSettings,
    SearchState,
    SeasonInfo,
    SeasonKey,
    plan,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def make_item(item_id: int, **overrides: Any) -> Item:
    """A monitored, missing item released 30 days ago, never searched."""
    values: dict[str, Any] = {"id": item_id, "parent_id": 100, "released_at": ago(days=30)}
    values.update(overrides)
    return Item(**values)


def make_episode(item_id: int, series_id: int = 100, season: int = 1, **overrides: Any) -> Item:
    return make_item(item_id, parent_id=series_id, season_number=season, **overrides)


def make_state(last: datetime, **overrides: Any) -> SearchState:
    values: dict[str, Any] = {"last_searched_at": last, "attempts": 1, "fruitless": 1}
    values.update(overrides)
    return SearchState(**values)


def aired_seasons(items: list[Item]) -> dict[SeasonKey, SeasonInfo]:
    """Season facts saying every season of `items` has fully aired."""
    newest: dict[SeasonKey, datetime] = {}
    for item in items:
        if item.parent_id is None or item.season_number is None or item.released_at is None:
            continue
        key = SeasonKey(item.parent_id, item.season_number)
        newest[key] = max(newest.get(key, item.released_at), item.released_at)
    return {key: SeasonInfo(last_aired=last) for key, last in newest.items()}


def make_library(items: list[Item], app: App = App.SONARR, **overrides: Any) -> Library:
    values: dict[str, Any] = {"seasons": aired_seasons(items)}
    values.update(overrides)
    return Library(app, items, **values)


def run(
    items: list[Item],
    app: App = App.RADARR,
    queue: QueueSettings | None = None,
    *,
    now: datetime = NOW,
    library: Library | None = None,
    **kwargs: Any,
) -> Plan:
    """Plan with movies by default (no season packs), batch large enough for small tests."""
    return plan(
        library or make_library(items, app),
        queue or QueueSettings(batch_size=100, ids_per_command=1),
        now=now,
        **kwargs,
    )


def planned_ids(result: Plan) -> list[int]:
    return [item_id for command in result.commands for item_id in command.ids]


def skip_of(result: Plan, item_id: int) -> Any:
    matches = [skip for skip in result.skipped if skip.item_id == item_id]
    assert len(matches) == 1, f"item {item_id} skipped {len(matches)} times"
    return matches[0]


__all__ = [
    "NOW",
    "History",
    "ago",
    "aired_seasons",
    "make_episode",
    "make_item",
    "make_library",
    "make_state",
    "planned_ids",
    "run",
    "skip_of",
]
