"""Eligibility: which in-scope items may be searched now, and why each other one may not.

This is the one loop over the whole library, so it is written for speed: locals instead of
attribute look-ups, season holds indexed by series id, the stored search record used as is when
nothing voids or supersedes it, skips built with `new_skip`, and a cooldown computed only for
items searched recently enough to possibly still be resting.

Reasons are checked from the most permanent to the most transient and the first one found is
reported: unmonitored, excluded, not released, grace period, in the download queue, cooldown
(the season's, then the item's own).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from vibe_quality_searcharr.search.planner.apps import FamilyTraits
from vibe_quality_searcharr.search.planner.cooldowns import (
    CooldownClock,
    Searched,
    effective_search,
    season_cooldown_until,
)
from vibe_quality_searcharr.search.planner.enums import Family, SkipCode
from vibe_quality_searcharr.search.planner.inputs import (
    ArrActivity,
    Exclusion,
    Exclusions,
    History,
    Item,
    Library,
    SearchState,
    SeasonInfo,
)
from vibe_quality_searcharr.search.planner.results import Skip, new_skip
from vibe_quality_searcharr.search.planner.settings import CooldownSettings, QueueSettings

__all__ = ["Classified", "classify"]

_SeasonTuple = tuple[int | None, int | None]
UNMONITORED, EXCLUDED = SkipCode.UNMONITORED, SkipCode.EXCLUDED
NOT_RELEASED, GRACE_PERIOD = SkipCode.NOT_RELEASED, SkipCode.GRACE_PERIOD
IN_DOWNLOAD_QUEUE, COOLDOWN = SkipCode.IN_DOWNLOAD_QUEUE, SkipCode.COOLDOWN


@dataclass(slots=True)
class Classified:
    """`eligible[i]` may be searched; `searched[i]` holds its effective search facts."""

    in_scope: int = 0
    eligible: list[Item] = field(default_factory=list)
    searched: list[Searched] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    unaired_seasons: set[_SeasonTuple] = field(default_factory=set)


def classify(
    library: Library,
    traits: FamilyTraits,
    queue: QueueSettings,
    in_scope: list[Item],
    history: History,
    exclusions: Exclusions,
    activity: ArrActivity,
    now: datetime,
) -> Classified:
    result = Classified()
    eligible_append = result.eligible.append
    searched_append = result.searched.append
    skip = result.skipped.append

    episodes = traits.family is Family.EPISODE
    item_noun, parent_noun = traits.item_noun, traits.parent_noun or "parent"
    verb = traits.released_verb
    # SeasonKey is a NamedTuple: plain (series, season) tuples find the same entries.
    seasons = cast(Mapping[_SeasonTuple, SeasonInfo], library.seasons if episodes else {})
    season_states = cast(
        Mapping[_SeasonTuple, SearchState], history.season_states if episodes else {}
    )
    if episodes:
        result.unaired_seasons = _unaired_seasons(library, now)
    unmonitored_seasons = {key for key, info in seasons.items() if not info.monitored}
    held_series = _season_holds(seasons, season_states, queue.cooldown, now)
    item_states = history.item_states
    excluded_items = _active(exclusions.items, now)
    excluded_parents = _active(exclusions.parents, now)
    exclude_tags, tag_labels = queue.exclude_tags, library.tag_labels
    queued = activity.queued_ids
    grace = queue.grace
    grace_cutoff = now - grace
    cooldown = queue.cooldown
    clock = CooldownClock(cooldown, now)
    quiet_before = clock.quiet_before
    tier_cutoffs = clock.tier_cutoffs
    oldest_tier = cooldown.oldest

    for item in in_scope:
        item_id = item.id
        parent_id = item.parent_id

        if not (item.monitored and item.parent_monitored):
            noun = item_noun if not item.monitored else parent_noun
            skip(new_skip((item_id, UNMONITORED, None, None, noun, 0)))
            continue
        if unmonitored_seasons and (parent_id, item.season_number) in unmonitored_seasons:
            skip(new_skip((item_id, UNMONITORED, None, None, f"season {item.season_number}", 0)))
            continue

        if excluded_items and item_id in excluded_items:
            expires = excluded_items[item_id].expires_at
            skip(new_skip((item_id, EXCLUDED, expires, None, item_noun, 0)))
            continue
        if excluded_parents and parent_id in excluded_parents:
            expires = excluded_parents[parent_id].expires_at
            skip(new_skip((item_id, EXCLUDED, expires, None, parent_noun, 0)))
            continue
        if exclude_tags and item.tags and not exclude_tags.isdisjoint(item.tags):
            tag = min(exclude_tags & item.tags)
            label = tag_labels.get(tag)
            detail = f"tag '{label}'" if label else f"tag {tag}"
            skip(new_skip((item_id, EXCLUDED, None, None, detail, 0)))
            continue

        released = item.released_at
        if released is None or released > grace_cutoff:
            if released is None:
                skip(new_skip((item_id, NOT_RELEASED, None, None, verb, 0)))
            elif released > now:
                skip(new_skip((item_id, NOT_RELEASED, released, None, verb, 0)))
            else:
                skip(new_skip((item_id, GRACE_PERIOD, released + grace, released, verb, 0)))
            continue

        if queued and item_id in queued:
            skip(new_skip((item_id, IN_DOWNLOAD_QUEUE, None, None, "", 0)))
            continue

        if held_series and parent_id in held_series:
            hold = held_series[parent_id].get(item.season_number)
            if hold is not None and not _profile_changed(hold[3], item.quality_profile_id):
                until, since, fruitless, _ = hold
                detail = f"season {item.season_number}"
                skip(new_skip((item_id, COOLDOWN, until, since, detail, fruitless)))
                continue

        state = item_states.get(item_id) if item_states else None
        arr_last = item.arr_last_search
        if state is None:
            if arr_last is None:
                eligible_append(item)
                searched_append(None)
                continue
            searched = effective_search(item, state)
        elif (
            (arr_last is None or arr_last <= state.last_searched_at)
            and (state.released_at_seen is None or state.released_at_seen == released)
            and (state.profile_id_seen is None or state.profile_id_seen == item.quality_profile_id)
        ):
            searched = state  # the common case: the stored record is the effective one
        else:
            searched = effective_search(item, state)
        if searched is not None:
            last = searched.last_searched_at
            if last > quiet_before:
                fruitless = searched.fruitless
                if fruitless > 1 or tier_cutoffs is None:
                    length = clock.length(released, fruitless)
                else:  # the plain tier, inlined: most records have at most one fruitless search
                    length = oldest_tier
                    for cutoff, tier_length in tier_cutoffs:
                        if released > cutoff:
                            length = tier_length
                            break
                until = last + length
                if until > now:
                    skip(new_skip((item_id, COOLDOWN, until, last, "", searched.fruitless)))
                    continue
        eligible_append(item)
        searched_append(searched)

    result.in_scope = len(in_scope)
    return result


def _active(exclusions: Mapping[int, Exclusion], now: datetime) -> dict[int | None, Exclusion]:
    return {key: exclusion for key, exclusion in exclusions.items() if exclusion.active(now)}


def _unaired_seasons(library: Library, now: datetime) -> set[_SeasonTuple]:
    """Seasons with a monitored episode still to air (or undated): never a pack yet."""
    return {
        (item.parent_id, item.season_number)
        for item in library.items
        if item.monitored
        and item.parent_id is not None
        and item.season_number is not None
        and (item.released_at is None or item.released_at > now)
    }


_Hold = tuple[datetime, datetime, int, int | None]


def _season_holds(
    seasons: Mapping[_SeasonTuple, SeasonInfo],
    season_states: Mapping[_SeasonTuple, SearchState],
    cooldown: CooldownSettings,
    now: datetime,
) -> dict[int | None, dict[int | None, _Hold]]:
    """Seasons resting after a season search, by series then season number (so the per-episode
    check is one int lookup). The profile reset is checked per episode, as only the episode
    knows the series' current profile."""
    holds: dict[int | None, dict[int | None, _Hold]] = {}
    for key, state in season_states.items():
        info = seasons.get(key)
        newest = info.last_aired if info is not None else None
        until = season_cooldown_until(state, newest, None, cooldown, now)
        if until is not None:
            series_id, season_number = key
            holds.setdefault(series_id, {})[season_number] = (
                until,
                state.last_searched_at,
                state.fruitless,
                state.profile_id_seen,
            )
    return holds


def _profile_changed(seen: int | None, current: int | None) -> bool:
    return seen is not None and current is not None and seen != current
