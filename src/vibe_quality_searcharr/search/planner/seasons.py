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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from vibe_quality_searcharr.search.planner.cooldowns import NEVER, Searched, is_reset
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
    """`indexes` point into the eligible list, ordered by episode id."""

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
    unaired: set[tuple[int, int]],
    settings: SeasonPackSettings,
    now: datetime,
) -> Grouping:
    if not settings.enabled:
        return Grouping(list(range(len(eligible))))
    by_season: dict[tuple[int, int], list[int]] = {}
    for index, item in enumerate(eligible):
        season_number = item.season_number
        parent_id = item.parent_id
        if season_number is None or parent_id is None or season_number == 0:
            continue
        key = (parent_id, season_number)
        members = by_season.get(key)
        if members is None:
            by_season[key] = [index]
        else:
            members.append(index)

    grouping = Grouping([])
    packed: set[int] = set()
    threshold = settings.min_episodes
    for key, members in by_season.items():
        if len(members) < threshold or key in unaired:
            continue
        info = seasons.get(SeasonKey(*key))
        if info is None or not info.monitored:
            continue
        if info.next_airing is not None and info.next_airing > now:
            continue
        first = eligible[members[0]]
        newest = info.last_aired or max(eligible[index].released_at or now for index in members)
        facts = NEVER
        state = season_states.get(SeasonKey(*key))
        if state is not None and not is_reset(state, newest, first.quality_profile_id):
            if state.fruitless >= 1 and state.last_searched_at + settings.retry_after > now:
                grouping.fallback[key] = state
                continue
            facts = Searched(state.last_searched_at, state.attempts, state.fruitless)
        ordered = tuple(sorted(members, key=lambda index: eligible[index].id))
        grouping.packs.append(Pack(SeasonKey(*key), ordered, facts, newest))
        packed.update(members)

    if packed:
        grouping.singles = [index for index in range(len(eligible)) if index not in packed]
    else:
        grouping.singles = list(range(len(eligible)))
    return grouping
