"""How search records evolve: pure functions the executor and feedback use to update history,
so that the planner and the record-keeping agree on what a reset or a fruitless search means.

- `record_search` when a command is sent (or a user searches manually);
- `record_outcome` once the *arr's history tells whether it grabbed anything;
- `apply_plan` does both for a whole plan (simulations, benchmarks, tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from vibe_quality_searcharr.search.planner.cooldowns import is_reset
from vibe_quality_searcharr.search.planner.enums import CommandKind
from vibe_quality_searcharr.search.planner.inputs import (
    History,
    Item,
    Library,
    SearchState,
    SeasonKey,
)
from vibe_quality_searcharr.search.planner.results import Plan

__all__ = ["apply_plan", "record_outcome", "record_search"]


def record_search(
    previous: SearchState | None,
    *,
    at: datetime,
    released_at: datetime | None,
    profile_id: int | None,
    manual: bool = False,
) -> SearchState:
    """A search was sent. A manual search restarts the backoff (the next cooldown is the base
    tier again); a changed air date or profile starts a fresh record."""
    if previous is None or is_reset(previous, released_at, profile_id):
        return SearchState(at, 1, 0, None, released_at, profile_id)
    return SearchState(
        at,
        previous.attempts + 1,
        0 if manual else previous.fruitless,
        previous.last_grabbed_at,
        released_at,
        profile_id,
    )


def record_outcome(state: SearchState, *, grabbed: bool, at: datetime) -> SearchState:
    """The search finished: a grab clears the backoff, nothing grabbed extends it."""
    if grabbed:
        return state._replace(fruitless=0, last_grabbed_at=at)
    return state._replace(fruitless=state.fruitless + 1)


def apply_plan(
    history: History,
    plan: Plan,
    library: Library,
    *,
    at: datetime,
    grabbed: frozenset[int] = frozenset(),
) -> History:
    """The history after sending every command of `plan` at `at`, with `grabbed` item ids."""
    planned = plan.planned_item_ids
    by_id: Mapping[int, Item] = {item.id: item for item in library.items if item.id in planned}
    item_states = dict(history.item_states)
    season_states = dict(history.season_states)
    for command in plan.commands:
        covered = [by_id[item_id] for item_id in command.ids]
        if command.kind is CommandKind.SEASON_SEARCH and command.season is not None:
            key = SeasonKey(*command.season)
            info = library.seasons.get(key)
            newest = info.last_aired if info is not None and info.last_aired else None
            if newest is None:
                newest = max(
                    (item.released_at for item in covered if item.released_at), default=None
                )
            state = record_search(
                season_states.get(key),
                at=at,
                released_at=newest,
                profile_id=covered[0].quality_profile_id if covered else None,
            )
            season_states[key] = record_outcome(
                state, grabbed=not grabbed.isdisjoint(command.ids), at=at
            )
            continue
        for item in covered:
            state = record_search(
                item_states.get(item.id),
                at=at,
                released_at=item.released_at,
                profile_id=item.quality_profile_id,
            )
            item_states[item.id] = record_outcome(state, grabbed=item.id in grabbed, at=at)
    return History(item_states, season_states, plan.cycle if plan.cycle else history.cycle)
