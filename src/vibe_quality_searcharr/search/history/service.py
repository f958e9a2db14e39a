"""Keeps the search records (cooldowns) in step with what was sent and what it found.

The rules of how a record evolves are the planner's (`record_search`, `record_outcome`); this
module only reads the stored rows, applies those functions and writes the result back. It is
called when a command's intent is written (so a crash right after still leaves the items in
cooldown: the next plan cannot search them again) and when the command's outcome is known.
Services never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.search.history.repository import (
    item_state_rows,
    library_item,
    season_state_row,
    to_search_state,
)
from vibe_quality_searcharr.search.models import SearchItemState, SearchSeasonState
from vibe_quality_searcharr.search.planner import (
    Item,
    SearchState,
    SeasonInfo,
    SeasonKey,
    record_outcome,
    record_search,
)

__all__ = [
    "CoveredItems",
    "manual_search",
    "record_command_outcome",
    "record_command_search",
]


@dataclass(frozen=True, slots=True)
class CoveredItems:
    """What a command covers, as the plan saw it: the items (for their air date and profile)
    and, for a season pack, its key and season facts."""

    items: Sequence[Item]
    season: SeasonKey | None = None
    season_info: SeasonInfo | None = None

    @property
    def ids(self) -> list[int]:
        return [item.id for item in self.items]

    def season_released_at(self) -> datetime | None:
        """A pack's age is its newest episode's: the season's last air date when known."""
        if self.season_info is not None and self.season_info.last_aired is not None:
            return self.season_info.last_aired
        return max((item.released_at for item in self.items if item.released_at), default=None)


def _write(row: SearchItemState | SearchSeasonState, state: SearchState) -> None:
    row.last_searched_at = state.last_searched_at
    row.attempts = state.attempts
    row.fruitless = state.fruitless
    row.last_grabbed_at = state.last_grabbed_at
    row.released_at_seen = state.released_at_seen
    row.profile_id_seen = state.profile_id_seen


def record_command_search(
    session: Session, instance_id: int, covered: CoveredItems, *, at: datetime, manual: bool = False
) -> None:
    """A command is about to be sent: a season pack updates the season's record only (its key
    never moves with episode ids); other commands update each covered item's record."""
    if covered.season is not None:
        row = season_state_row(session, instance_id, covered.season)
        previous = to_search_state(row) if row is not None else None
        profile = covered.items[0].quality_profile_id if covered.items else None
        state = record_search(
            previous,
            at=at,
            released_at=covered.season_released_at(),
            profile_id=profile,
            manual=manual,
        )
        if row is None:
            row = SearchSeasonState(
                instance_id=instance_id,
                series_id=covered.season.series_id,
                season_number=covered.season.season_number,
                grabs=0,
            )
            session.add(row)
        _write(row, state)
        return
    rows = item_state_rows(session, instance_id, covered.ids)
    for item in covered.items:
        found = rows.get(item.id)
        state = record_search(
            to_search_state(found) if found is not None else None,
            at=at,
            released_at=item.released_at,
            profile_id=item.quality_profile_id,
            manual=manual,
        )
        if found is None:
            found = SearchItemState(instance_id=instance_id, item_id=item.id, grabs=0)
            session.add(found)
        _write(found, state)
    session.flush()


def record_command_outcome(
    session: Session,
    instance_id: int,
    item_ids: Sequence[int],
    season: SeasonKey | None,
    grabbed: Collection[int],
    *,
    at: datetime,
) -> None:
    """The command ended and the *arr's history was read: a grab resets the backoff, nothing
    grabbed doubles the next cooldown (`record_outcome`)."""
    if season is not None:
        row = season_state_row(session, instance_id, season)
        if row is None:
            return
        hit = any(item_id in grabbed for item_id in item_ids)
        _write(row, record_outcome(to_search_state(row), grabbed=hit, at=at))
        row.grabs += 1 if hit else 0
        return
    rows = item_state_rows(session, instance_id, item_ids)
    for item_id in item_ids:
        found = rows.get(item_id)
        if found is None:
            continue
        hit = item_id in grabbed
        _write(found, record_outcome(to_search_state(found), grabbed=hit, at=at))
        found.grabs += 1 if hit else 0


def manual_search(session: Session, instance_id: int, item_id: int, *, at: datetime) -> SearchState:
    """A user searched one item by hand ("search now"): its backoff restarts, so the next
    cooldown is the base tier again. Returns the new record."""
    row = library_item(session, instance_id, item_id)
    if row is None:
        raise NotFound(f"item {item_id} is not in the library of instance {instance_id}")
    item = Item(row.arr_id, released_at=row.released_at, quality_profile_id=row.quality_profile_id)
    record_command_search(session, instance_id, CoveredItems((item,)), at=at, manual=True)
    found = item_state_rows(session, instance_id, [item_id])[item_id]
    return to_search_state(found)
