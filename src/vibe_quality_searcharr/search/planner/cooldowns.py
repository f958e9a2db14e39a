"""Cooldowns: how long an item (or a season) rests after a search.

The base length depends on the item's age (fresh releases appear on indexers within hours, old
ones rarely change): 6 h under a day, 12 h under a week, 24 h under a month, 72 h under a year,
7 days beyond. Each consecutive search that grabbed nothing doubles it (the first fruitless
search waits the base, the second twice that...), capped at 14 days. A changed air date or
quality profile since the last search voids the record: what was searched before no longer
applies. The *arr's own lastSearchTime counts as a search too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from vibe_quality_searcharr.search.planner.inputs import Item, SearchState
from vibe_quality_searcharr.search.planner.settings import CooldownSettings

__all__ = [
    "ARR_ECHO",
    "NEVER",
    "Searched",
    "cooldown_length",
    "effective_search",
    "is_reset",
    "season_cooldown_until",
]

ARR_ECHO = timedelta(hours=1)
"""The *arr stamps lastSearchTime when it runs our own command: a stamp this soon after our
search is that same search, not another one."""

_MAX_DOUBLINGS = 20


class Searched(NamedTuple):
    """The search facts that count now: last search, attempts, consecutive fruitless searches."""

    last: datetime | None
    attempts: int
    fruitless: int


NEVER = Searched(None, 0, 0)


def is_reset(state: SearchState, released_at: datetime | None, profile_id: int | None) -> bool:
    """True when the air date or the quality profile changed since the recorded search."""
    seen_release = state.released_at_seen
    if seen_release is not None and released_at is not None and seen_release != released_at:
        return True
    seen_profile = state.profile_id_seen
    return seen_profile is not None and profile_id is not None and seen_profile != profile_id


def effective_search(item: Item, state: SearchState | None) -> Searched:
    last: datetime | None = None
    attempts = fruitless = 0
    if state is not None and not is_reset(state, item.released_at, item.quality_profile_id):
        last, attempts, fruitless = state.last_searched_at, state.attempts, state.fruitless
    arr_last = item.arr_last_search
    if arr_last is not None:
        if last is None:
            return Searched(arr_last, max(attempts, 1), max(fruitless, 1))
        if arr_last > last + ARR_ECHO:
            return Searched(arr_last, attempts + 1, max(fruitless, 1))
        if arr_last > last:
            last = arr_last
    if last is None:
        return NEVER
    return Searched(last, attempts, fruitless)


def cooldown_length(age: timedelta, fruitless: int, settings: CooldownSettings) -> timedelta:
    if settings.flat is not None:
        base = settings.flat
    else:
        base = settings.oldest
        for younger_than, length in settings.tiers:
            if age < younger_than:
                base = length
                break
    if settings.doubling and fruitless > 1:
        length = base * (1 << min(fruitless - 1, _MAX_DOUBLINGS))
        return min(length, max(settings.cap, base))
    return base


def season_cooldown_until(
    state: SearchState,
    newest_air: datetime | None,
    profile_id: int | None,
    settings: CooldownSettings,
    now: datetime,
) -> datetime | None:
    """When a season's cooldown ends (None if it is over or was reset). The season's age is its
    newest episode's, so a season that just finished airing rests like a fresh episode."""
    if is_reset(state, newest_air, profile_id):
        return None
    reference = newest_air or state.released_at_seen
    age = now - reference if reference is not None else timedelta.max
    until = state.last_searched_at + cooldown_length(age, state.fruitless, settings)
    return until if until > now else None
