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

from vibe_quality_searcharr.search.planner.inputs import Item, SearchState
from vibe_quality_searcharr.search.planner.settings import CooldownSettings

__all__ = [
    "ARR_ECHO",
    "NEVER",
    "CooldownClock",
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


Searched = SearchState | None
"""The search facts that count now for an item (None: never searched). In the common case this
is the stored `SearchState` itself, so no object is built per item."""

NEVER: Searched = None


def is_reset(state: SearchState, released_at: datetime | None, profile_id: int | None) -> bool:
    """True when the air date or the quality profile changed since the recorded search."""
    seen_release = state.released_at_seen
    if seen_release is not None and released_at is not None and seen_release != released_at:
        return True
    seen_profile = state.profile_id_seen
    return seen_profile is not None and profile_id is not None and seen_profile != profile_id


def effective_search(item: Item, state: SearchState | None) -> Searched:
    """Our record (void if the air date or profile changed since), merged with the *arr's own
    lastSearchTime: a later *arr search is one more search that found nothing useful."""
    if state is not None and is_reset(state, item.released_at, item.quality_profile_id):
        state = None
    arr_last = item.arr_last_search
    if arr_last is None:
        return state
    if state is None:
        return SearchState(arr_last, 1, 1)
    last = state.last_searched_at
    if arr_last <= last:
        return state
    if arr_last > last + ARR_ECHO:
        return state._replace(
            last_searched_at=arr_last,
            attempts=state.attempts + 1,
            fruitless=max(state.fruitless, 1),
        )
    return state._replace(last_searched_at=arr_last)


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


class CooldownClock:
    """`cooldown_length` for one planning instant, with the tier boundaries turned into release
    dates once, so the per-item work is a few datetime comparisons."""

    __slots__ = (
        "_cap",
        "_cutoffs",
        "_doubling",
        "_flat",
        "_oldest",
        "quiet_before",
        "tier_cutoffs",
    )

    def __init__(self, settings: CooldownSettings, now: datetime) -> None:
        self._flat = settings.flat
        self._oldest = settings.oldest
        self._doubling = settings.doubling
        self._cutoffs = tuple((now - age, length) for age, length in settings.tiers)
        self.tier_cutoffs = self._cutoffs if settings.flat is None else None
        """(released after this, rest this long) pairs; None with a flat cooldown."""
        bases = [length for _, length in settings.tiers] + [settings.oldest]
        if settings.flat is not None:
            bases = [settings.flat]
        self._cap = settings.cap
        longest = max(bases)
        if settings.doubling:
            longest = max(longest, settings.cap)
        self.quiet_before = now - longest
        """A search before this moment cannot hold any cooldown now."""

    def length(self, released: datetime, fruitless: int) -> timedelta:
        base = self._flat
        if base is None:
            base = self._oldest
            for cutoff, length in self._cutoffs:
                if released > cutoff:
                    base = length
                    break
        if self._doubling and fruitless > 1:
            doubled = base * (1 << min(fruitless - 1, _MAX_DOUBLINGS))
            return min(doubled, max(self._cap, base))
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
