"""Every query of the search records: the planner's `History`, the per-item and per-season
search states the executor updates, and the labels history rows show.

The planner's history for an instance is read as whole per-instance (and per-queue) scans of
the primary keys: the database computes the set, nothing library-sized is ever bound as
parameters. Lookups by a list of ids (labels, states of one command's items) are chunked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.search.models import (
    SearchCycleItem,
    SearchItemState,
    SearchQueue,
    SearchSeasonState,
)
from vibe_quality_searcharr.search.planner import (
    CycleState,
    History,
    SearchState,
    SeasonKey,
)

__all__ = [
    "CHUNK",
    "chunked",
    "cycle_state",
    "item_state_rows",
    "library_item",
    "load_history",
    "replace_cycle",
    "season_state_row",
    "to_search_state",
]

CHUNK = 500
_T = TypeVar("_T")
_new_state = cast(Any, partial(tuple.__new__, SearchState))

_STATE_COLUMNS = (
    SearchItemState.last_searched_at,
    SearchItemState.attempts,
    SearchItemState.fruitless,
    SearchItemState.last_grabbed_at,
    SearchItemState.released_at_seen,
    SearchItemState.profile_id_seen,
)


def chunked(values: Iterable[_T], size: int = CHUNK) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def to_search_state(row: SearchItemState | SearchSeasonState) -> SearchState:
    return SearchState(
        row.last_searched_at,
        row.attempts,
        row.fruitless,
        row.last_grabbed_at,
        row.released_at_seen,
        row.profile_id_seen,
    )


def load_history(session: Session, instance_id: int, queue: SearchQueue | None) -> History:
    """The planner's history: item and season records of the instance (shared by its queues)
    and the queue's cycle."""
    item_states: dict[int, SearchState] = {
        row[0]: _new_state(row[1:])
        for row in session.execute(
            select(SearchItemState.item_id, *_STATE_COLUMNS).where(
                SearchItemState.instance_id == instance_id
            )
        )
    }
    season_states: dict[SeasonKey, SearchState] = {
        SeasonKey(row[0], row[1]): _new_state(row[2:])
        for row in session.execute(
            select(
                SearchSeasonState.series_id,
                SearchSeasonState.season_number,
                SearchSeasonState.last_searched_at,
                SearchSeasonState.attempts,
                SearchSeasonState.fruitless,
                SearchSeasonState.last_grabbed_at,
                SearchSeasonState.released_at_seen,
                SearchSeasonState.profile_id_seen,
            ).where(SearchSeasonState.instance_id == instance_id)
        )
    }
    return History(item_states, season_states, cycle_state(session, queue) if queue else None)


def cycle_state(session: Session, queue: SearchQueue) -> CycleState | None:
    if queue.cycle_number is None or queue.cycle_started_at is None:
        return None
    done = frozenset(
        session.scalars(select(SearchCycleItem.item_id).where(SearchCycleItem.queue_id == queue.id))
    )
    return CycleState(queue.cycle_number, queue.cycle_started_at, done)


def replace_cycle(
    session: Session, queue: SearchQueue, cycle: CycleState, added: Sequence[int]
) -> None:
    """Store the queue's cycle: a new cycle number forgets the previous cycle's items; `added`
    are the ids a command just covered (the rest of `cycle.done` is stored already)."""
    if queue.cycle_number != cycle.number:
        session.execute(delete(SearchCycleItem).where(SearchCycleItem.queue_id == queue.id))
        queue.cycle_number = cycle.number
        queue.cycle_started_at = cycle.started_at
    existing: set[int] = set()
    for batch in chunked(sorted(set(added))):
        existing.update(
            session.scalars(
                select(SearchCycleItem.item_id)
                .where(SearchCycleItem.queue_id == queue.id)
                .where(SearchCycleItem.item_id.in_(batch))
            )
        )
    session.add_all(
        SearchCycleItem(queue_id=queue.id, item_id=item_id)
        for item_id in sorted(set(added) - existing)
    )


def item_state_rows(
    session: Session, instance_id: int, item_ids: Iterable[int]
) -> dict[int, SearchItemState]:
    rows: dict[int, SearchItemState] = {}
    for batch in chunked(sorted(set(item_ids))):
        for row in session.scalars(
            select(SearchItemState)
            .where(SearchItemState.instance_id == instance_id)
            .where(SearchItemState.item_id.in_(batch))
        ):
            rows[row.item_id] = row
    return rows


def season_state_row(
    session: Session, instance_id: int, key: SeasonKey
) -> SearchSeasonState | None:
    return session.get(SearchSeasonState, (instance_id, key.series_id, key.season_number))


def library_item(session: Session, instance_id: int, item_id: int) -> LibraryItem | None:
    return session.scalars(
        select(LibraryItem)
        .where(LibraryItem.instance_id == instance_id)
        .where(LibraryItem.arr_id == item_id)
    ).one_or_none()
