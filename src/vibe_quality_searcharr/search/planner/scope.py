"""Strategies: which wanted items a queue is about at all.

An item outside the scope is not "skipped" (it is simply another queue's business); items inside
it are then checked for skip reasons. Missing and cutoff-unmet items are never mixed unless the
queue uses the `custom` strategy with both sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from vibe_quality_searcharr.search.planner.enums import Source, Strategy
from vibe_quality_searcharr.search.planner.inputs import Item, QualityProfile, SeasonInfo, SeasonKey
from vibe_quality_searcharr.search.planner.settings import CustomFilter, QueueSettings

__all__ = ["build_scope", "format_gap", "select_in_scope"]

Predicate = Callable[[Item], bool]


def format_gap(item: Item, profiles: Mapping[int, QualityProfile]) -> tuple[int, int] | None:
    """(file score, profile cutoff score) when the file's custom-format score is below the
    profile's cutoffFormatScore and the profile allows upgrades; else None."""
    if not item.has_file or item.format_score is None or item.quality_profile_id is None:
        return None
    profile = profiles.get(item.quality_profile_id)
    if profile is None or not profile.upgrade_allowed or profile.cutoff_format_score is None:
        return None
    if item.format_score >= profile.cutoff_format_score:
        return None
    return item.format_score, profile.cutoff_format_score


def _missing(item: Item) -> bool:
    return not item.has_file


def _cutoff_unmet(item: Item) -> bool:
    return item.has_file and item.cutoff_unmet


def select_in_scope(
    items: Sequence[Item],
    queue: QueueSettings,
    profiles: Mapping[int, QualityProfile],
    now: datetime,
    seasons: Mapping[SeasonKey, SeasonInfo] | None = None,
) -> list[Item]:
    """The items the queue is about, in library order. The common strategies are plain
    comprehensions: no function call per item on a 50,000-item library. `seasons` is read only
    by a custom filter that keeps monitored items only (a season can be unmonitored)."""
    if queue.strategy is Strategy.MISSING:
        return [item for item in items if not item.has_file]
    if queue.strategy is Strategy.CUTOFF_UNMET:
        return [item for item in items if item.has_file and item.cutoff_unmet]
    predicate = build_scope(queue, profiles, now, seasons)
    return [item for item in items if predicate(item)]


def build_scope(
    queue: QueueSettings,
    profiles: Mapping[int, QualityProfile],
    now: datetime,
    seasons: Mapping[SeasonKey, SeasonInfo] | None = None,
) -> Predicate:
    strategy = queue.strategy
    if strategy is Strategy.MISSING:
        return _missing
    if strategy is Strategy.CUTOFF_UNMET:
        return _cutoff_unmet
    if strategy is Strategy.FORMAT_UPGRADE:
        return lambda item: format_gap(item, profiles) is not None
    if strategy is Strategy.RECENT:
        since = now - timedelta(days=queue.recent_days)

        def recent(item: Item) -> bool:
            released = item.released_at
            return not item.has_file and released is not None and released >= since

        return recent
    return _custom(queue.custom, profiles, seasons or {})


def _custom(
    rules: CustomFilter,
    profiles: Mapping[int, QualityProfile],
    seasons: Mapping[SeasonKey, SeasonInfo],
) -> Predicate:
    sources = rules.sources
    want_missing = Source.MISSING in sources
    want_cutoff = Source.CUTOFF_UNMET in sources
    want_format = Source.FORMAT_UPGRADE in sources
    year_min, year_max = rules.year_min, rules.year_max
    profile_ids, statuses, include_tags = (
        rules.quality_profile_ids,
        rules.statuses,
        rules.include_tags,
    )
    monitored_only = rules.monitored_only
    # Plain (series, season) tuples find SeasonKey entries: SeasonKey is a NamedTuple.
    unmonitored_seasons = (
        {tuple(key) for key, info in seasons.items() if not info.monitored}
        if monitored_only
        else set()
    )

    def custom(item: Item) -> bool:
        if monitored_only and not (
            item.monitored
            and item.parent_monitored
            and (item.parent_id, item.season_number) not in unmonitored_seasons
        ):
            return False
        if not (
            (want_missing and not item.has_file)
            or (want_cutoff and item.has_file and item.cutoff_unmet)
            or (want_format and format_gap(item, profiles) is not None)
        ):
            return False
        if year_min is not None or year_max is not None:
            year = item.year
            if year is None:
                return False
            if (year_min is not None and year < year_min) or (
                year_max is not None and year > year_max
            ):
                return False
        if profile_ids and item.quality_profile_id not in profile_ids:
            return False
        if statuses and item.status not in statuses:
            return False
        return not include_tags or not include_tags.isdisjoint(item.tags)

    return custom
