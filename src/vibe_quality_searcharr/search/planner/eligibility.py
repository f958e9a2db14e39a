"""Eligibility: which in-scope items may be searched now, and why each other one may not.

This is the one loop over the whole library, so it is written for speed: locals instead of
attribute look-ups, plain-tuple season keys (a `SeasonKey` hashes and compares as a tuple), and
the cooldown computed only for items with a search on record.

Reasons are checked from the most permanent to the most transient and the first one found is
reported: unmonitored, excluded, not released, grace period, in the download queue, cooldown
(the season's, then the item's own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from vibe_quality_searcharr.search.planner.apps import FamilyTraits
from vibe_quality_searcharr.search.planner.cooldowns import (
    NEVER,
    Searched,
    cooldown_length,
    effective_search,
    season_cooldown_until,
)
from vibe_quality_searcharr.search.planner.enums import Family, SkipCode
from vibe_quality_searcharr.search.planner.inputs import (
    ArrActivity,
    Exclusions,
    History,
    Item,
    Library,
    SearchState,
    SeasonInfo,
)
from vibe_quality_searcharr.search.planner.results import Skip
from vibe_quality_searcharr.search.planner.settings import QueueSettings

__all__ = ["Classified", "classify"]

_SeasonTuple = tuple[int, int]


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
    in_scope: Callable[[Item], bool],
    history: History,
    exclusions: Exclusions,
    activity: ArrActivity,
    now: datetime,
) -> Classified:
    result = Classified()
    eligible_append = result.eligible.append
    searched_append = result.searched.append
    skip = result.skipped.append
    unaired = result.unaired_seasons

    episodes = traits.family is Family.EPISODE
    item_noun, parent_noun, verb = (
        traits.item_noun,
        traits.parent_noun or "parent",
        traits.released_verb,
    )
    # SeasonKey is a NamedTuple: plain (series, season) tuples find the same entries.
    seasons = cast(Mapping[_SeasonTuple, SeasonInfo], library.seasons if episodes else {})
    season_states = cast(
        Mapping[_SeasonTuple, SearchState], history.season_states if episodes else {}
    )
    season_holds: dict[_SeasonTuple, tuple[datetime, datetime, int] | None] = {}
    item_states = history.item_states
    item_exclusions, parent_exclusions = exclusions.items, exclusions.parents
    exclude_tags = queue.exclude_tags
    tag_labels = library.tag_labels
    queued = activity.queued_ids
    grace_cutoff = now - queue.grace
    grace = queue.grace
    cooldown = queue.cooldown
    in_scope_count = 0

    for item in library.items:
        released = item.released_at
        season_number = item.season_number
        parent_id = item.parent_id
        key: _SeasonTuple | None = None
        if episodes and season_number is not None and parent_id is not None:
            key = (parent_id, season_number)
            if item.monitored and (released is None or released > now):
                unaired.add(key)
        if not in_scope(item):
            continue
        in_scope_count += 1
        item_id = item.id

        if not item.monitored:
            skip(Skip(item_id, SkipCode.UNMONITORED, detail=item_noun))
            continue
        if not item.parent_monitored:
            skip(Skip(item_id, SkipCode.UNMONITORED, detail=parent_noun))
            continue
        if key is not None and seasons:
            info = seasons.get(key)
            if info is not None and not info.monitored:
                skip(Skip(item_id, SkipCode.UNMONITORED, detail=f"season {season_number}"))
                continue

        if item_exclusions:
            exclusion = item_exclusions.get(item_id)
            if exclusion is not None and exclusion.active(now):
                skip(Skip(item_id, SkipCode.EXCLUDED, exclusion.expires_at, detail=item_noun))
                continue
        if parent_exclusions and parent_id is not None:
            exclusion = parent_exclusions.get(parent_id)
            if exclusion is not None and exclusion.active(now):
                skip(Skip(item_id, SkipCode.EXCLUDED, exclusion.expires_at, detail=parent_noun))
                continue
        if exclude_tags and item.tags and not exclude_tags.isdisjoint(item.tags):
            tag = min(exclude_tags & item.tags)
            label = tag_labels.get(tag)
            skip(
                Skip(item_id, SkipCode.EXCLUDED, detail=f"tag '{label}'" if label else f"tag {tag}")
            )
            continue

        if released is None:
            skip(Skip(item_id, SkipCode.NOT_RELEASED, detail=verb))
            continue
        if released > now:
            skip(Skip(item_id, SkipCode.NOT_RELEASED, released, detail=verb))
            continue
        if released > grace_cutoff:
            skip(Skip(item_id, SkipCode.GRACE_PERIOD, released + grace, released, detail=verb))
            continue

        if item_id in queued:
            skip(Skip(item_id, SkipCode.IN_DOWNLOAD_QUEUE))
            continue

        if key is not None and season_states:
            if key in season_holds:
                hold = season_holds[key]
            else:
                hold = None
                season_state = season_states.get(key)
                if season_state is not None:
                    info = seasons.get(key)
                    until = season_cooldown_until(
                        season_state,
                        info.last_aired if info is not None else None,
                        item.quality_profile_id,
                        cooldown,
                        now,
                    )
                    if until is not None:
                        hold = (until, season_state.last_searched_at, season_state.fruitless)
                season_holds[key] = hold
            if hold is not None:
                skip(
                    Skip(
                        item_id,
                        SkipCode.COOLDOWN,
                        hold[0],
                        hold[1],
                        f"season {season_number}",
                        hold[2],
                    )
                )
                continue

        state = item_states.get(item_id) if item_states else None
        if state is None and item.arr_last_search is None:
            eligible_append(item)
            searched_append(NEVER)
            continue
        searched = effective_search(item, state)
        last = searched.last
        if last is not None:
            until = last + cooldown_length(now - released, searched.fruitless, cooldown)
            if until > now:
                skip(Skip(item_id, SkipCode.COOLDOWN, until, last, "", searched.fruitless))
                continue
        eligible_append(item)
        searched_append(searched)

    result.in_scope = in_scope_count
    return result
