"""Season packs (episode apps only): one SeasonSearch instead of many EpisodeSearches.

A season becomes a pack when it has fully aired (the series reports no next airing for it and
no episode of it in the mirror is still to air), it is not a specials season, and at least
`min_episodes` of its wanted episodes are eligible right now. The pack covers exactly those
eligible episodes. The season's search record is keyed on (series id, season number).

When a pack search grabbed nothing, the season rests for its cooldown (its episodes are skipped
meanwhile, see eligibility), then its episodes are searched one by one; the pack itself is tried
again only after `retry_after` (default 30 days), since packs are often posted weeks after a
season ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from vibe_quality_searcharr.search.planner.cooldowns import Searched, is_reset
from vibe_quality_searcharr.search.planner.inputs import (
    Item,
    SearchState,
    SeasonInfo,
    SeasonKey,
)
from vibe_quality_searcharr.search.planner.settings import SeasonPackSettings

__all__ = ["Grouping", "Pack", "group_seasons"]


@dataclass(frozen=True, slots=True)
class Pack:
    """`indexes` point into the eligible list (in library order; commands sort the ids)."""

    key: SeasonKey
    indexes: tuple[int, ...]
    facts: Searched
    newest: datetime


@dataclass(slots=True)
class Grouping:
    singles: list[int]
    packs: list[Pack] = field(default_factory=list)
    fallback: dict[tuple[int, int], SearchState] = field(default_factory=dict)


def group_seasons(
    eligible: list[Item],
    seasons: Mapping[SeasonKey, SeasonInfo],
    season_states: Mapping[SeasonKey, SearchState],
    unaired: set[tuple[int | None, int | None]],
    settings: SeasonPackSettings,
    now: datetime,
) -> Grouping:
    if not settings.enabled:
        return Grouping(list(range(len(eligible))))
    by_season: defaultdict[tuple[int | None, int | None], list[int]] = defaultdict(list)
    for index, item in enumerate(eligible):
        by_season[(item.parent_id, item.season_number)].append(index)

    grouping = Grouping([])
    singles = grouping.singles
    threshold = settings.min_episodes
    for key, members in by_season.items():
        series_id, season_number = key
        if len(members) < threshold or series_id is None or not season_number or key in unaired:
            singles.extend(members)
            continue
        season_key = SeasonKey(series_id, season_number)
        info = seasons.get(season_key)
        if (
            info is None
            or not info.monitored
            or (info.next_airing is not None and info.next_airing > now)
        ):
            singles.extend(members)
            continue
        newest = info.last_aired or max(eligible[index].released_at or now for index in members)
        facts: Searched = None
        state = season_states.get(season_key)
        if state is not None and not is_reset(
            state, newest, eligible[members[0]].quality_profile_id
        ):
            if state.fruitless >= 1 and state.last_searched_at + settings.retry_after > now:
                grouping.fallback[(series_id, season_number)] = state
                singles.extend(members)
                continue
            facts = state
        grouping.packs.append(Pack(season_key, tuple(members), facts, newest))
    return grouping
