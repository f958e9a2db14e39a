"""Queries of the search history list (one row per search command), its CSV export and the
per-item view. Filters on an item join `search_command_item` (indexed on instance and item)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.search.history.repository import CHUNK, chunked
from vibe_quality_searcharr.search.history.totals import totals_for
from vibe_quality_searcharr.search.models import SearchCommand, SearchCommandItem, SearchItemState

__all__ = [
    "ROW_COLUMNS",
    "HistoryFilter",
    "command_item_rows",
    "command_row_page",
    "commands_for_item",
    "item_grab_stats",
    "item_state",
    "iter_commands",
]


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """`since` (inclusive) and `before` (exclusive) are UTC instants on `intent_at`; what the
    user's days mean is decided by `history.bounds`."""

    instance_id: int | None = None
    queue_id: int | None = None
    strategy: str | None = None
    status: str | None = None
    item_id: int | None = None
    since: datetime | None = None
    before: datetime | None = None


def _filtered(query: Select[Any], where: HistoryFilter) -> Select[Any]:
    if where.instance_id is not None:
        query = query.where(SearchCommand.instance_id == where.instance_id)
    if where.queue_id is not None:
        query = query.where(SearchCommand.queue_id == where.queue_id)
    if where.strategy is not None:
        query = query.where(SearchCommand.strategy == where.strategy)
    if where.status is not None:
        query = query.where(SearchCommand.status == where.status)
    if where.since is not None:
        query = query.where(SearchCommand.intent_at >= where.since)
    if where.before is not None:
        query = query.where(SearchCommand.intent_at < where.before)
    if where.item_id is not None:
        covering = select(SearchCommandItem.command_id).where(
            SearchCommandItem.item_id == where.item_id
        )
        if where.instance_id is not None:
            covering = covering.where(SearchCommandItem.instance_id == where.instance_id)
        query = query.where(SearchCommand.id.in_(covering))
    return query


# What a history row shows (`HistoryRow`), in its field order: no JSON payload or item list to
# decode, no ORM object to build per row.
ROW_COLUMNS = (
    SearchCommand.id,
    SearchCommand.run_id,
    SearchCommand.queue_id,
    SearchCommand.queue_name,
    SearchCommand.instance_id,
    SearchCommand.instance_name,
    SearchCommand.strategy,
    SearchCommand.kind,
    SearchCommand.label,
    SearchCommand.reason,
    SearchCommand.score,
    SearchCommand.status,
    SearchCommand.arr_command_id,
    SearchCommand.arr_status,
    SearchCommand.arr_result,
    SearchCommand.message,
    SearchCommand.intent_at,
    SearchCommand.sent_at,
    SearchCommand.finished_at,
    SearchCommand.grabbed,
)
_ITEM_COLUMNS = (
    SearchCommandItem.command_id,
    SearchCommandItem.item_id,
    SearchCommandItem.label,
    SearchCommandItem.score,
    SearchCommandItem.reason,
    SearchCommandItem.grabbed,
)


PlainRow = Row[*tuple[Any, ...]]


def command_row_page(
    session: Session, where: HistoryFilter, offset: int, limit: int
) -> tuple[Sequence[PlainRow], int]:
    """One page, newest first, as plain rows of `ROW_COLUMNS`, and the number of matching rows
    (see `history.totals`). Building 50 full ORM objects cost more than the query."""
    counting = _filtered(select(func.count(SearchCommand.id)), where)
    total = totals_for(session).total(session, where, lambda: session.scalar(counting) or 0)
    rows = session.execute(
        _filtered(cast("Select[Any]", select(*ROW_COLUMNS)), where)
        .order_by(SearchCommand.intent_at.desc(), SearchCommand.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, total


def command_item_rows(session: Session, command_ids: Sequence[int]) -> dict[int, list[PlainRow]]:
    """The covered items of a page of commands (command id, item id, label, score, reason,
    grabbed), in the order they were written; a page is at most a few hundred ids."""
    found: dict[int, list[PlainRow]] = {}
    for batch in chunked(sorted(set(command_ids))):
        for row in session.execute(
            select(*_ITEM_COLUMNS)
            .where(SearchCommandItem.command_id.in_(batch))
            .order_by(SearchCommandItem.id)
        ):
            found.setdefault(row[0], []).append(row)
    return found


def iter_commands(session: Session, where: HistoryFilter) -> Iterator[Sequence[SearchCommand]]:
    """Every matching command, newest id first, a chunk at a time (keyset, no offset)."""
    last: int | None = None
    while True:
        query = _filtered(select(SearchCommand), where)
        if last is not None:
            query = query.where(SearchCommand.id < last)
        rows = session.scalars(query.order_by(SearchCommand.id.desc()).limit(CHUNK)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def commands_for_item(
    session: Session, instance_id: int, item_id: int, limit: int
) -> Sequence[SearchCommand]:
    query = _filtered(
        select(SearchCommand), HistoryFilter(instance_id=instance_id, item_id=item_id)
    )
    return session.scalars(
        query.order_by(SearchCommand.intent_at.desc(), SearchCommand.id.desc()).limit(limit)
    ).all()


def item_state(session: Session, instance_id: int, item_id: int) -> SearchItemState | None:
    return session.get(SearchItemState, (instance_id, item_id))


def item_grab_stats(
    session: Session, instance_id: int, item_id: int
) -> tuple[int, int, datetime | None]:
    """(commands covering it, of which grabbed, last grab) from the history rows."""
    row = session.execute(
        select(
            func.count(SearchCommandItem.id),
            func.count(SearchCommandItem.grabbed_at),
            func.max(SearchCommandItem.grabbed_at),
        )
        .where(SearchCommandItem.instance_id == instance_id)
        .where(SearchCommandItem.item_id == item_id)
    ).one()
    return int(row[0] or 0), int(row[1] or 0), row[2]
