"""History rows and the per-item record as the API shows them (read models, no writes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.library.repository import item_labels
from vibe_quality_searcharr.search.history.listing import (
    ROW_COLUMNS,
    HistoryFilter,
    command_item_rows,
    command_row_page,
    commands_for_item,
    item_grab_stats,
    item_state,
)
from vibe_quality_searcharr.search.history.repository import library_item, to_search_state
from vibe_quality_searcharr.search.history.schemas import (
    HistoryItemRead,
    HistoryRow,
    ItemHistoryRead,
)
from vibe_quality_searcharr.search.models import SearchCommand
from vibe_quality_searcharr.search.planner import CooldownSettings, Item
from vibe_quality_searcharr.search.planner.cooldowns import cooldown_length, effective_search
from vibe_quality_searcharr.search.runs.repository import command_items

__all__ = ["history_page_rows", "history_rows", "item_history"]

_ROW_FIELDS = tuple(column.key for column in ROW_COLUMNS)


def history_rows(session: Session, commands: Sequence[SearchCommand]) -> list[HistoryRow]:
    items = command_items(session, [command.id for command in commands])
    return [
        HistoryRow(
            id=command.id,
            run_id=command.run_id,
            queue_id=command.queue_id,
            queue_name=command.queue_name,
            instance_id=command.instance_id,
            instance_name=command.instance_name,
            strategy=command.strategy,
            kind=command.kind,
            label=command.label,
            items=[
                HistoryItemRead(
                    item_id=item.item_id,
                    label=item.label,
                    score=item.score,
                    reason=item.reason,
                    grabbed=item.grabbed,
                )
                for item in items.get(command.id, [])
            ],
            reason=command.reason,
            score=command.score,
            status=command.status,
            arr_command_id=command.arr_command_id,
            arr_status=command.arr_status,
            arr_result=command.arr_result,
            message=command.message,
            intent_at=command.intent_at,
            sent_at=command.sent_at,
            finished_at=command.finished_at,
            grabbed=command.grabbed,
        )
        for command in commands
    ]


def history_page_rows(
    session: Session, where: HistoryFilter, offset: int, limit: int
) -> tuple[list[HistoryRow], int]:
    """One page of `history_rows` and the total, read as plain columns. The values come typed
    from the database columns `HistoryRow` mirrors, so the rows are built without validating
    each field again (`model_construct`): a tenth of the cost on a page of 50."""
    commands, total = command_row_page(session, where, offset, limit)
    items = command_item_rows(session, [command[0] for command in commands])
    rows = [
        HistoryRow.model_construct(
            **dict(zip(_ROW_FIELDS, command, strict=True)),
            items=[
                HistoryItemRead.model_construct(
                    item_id=item[1],
                    label=item[2],
                    score=item[3],
                    reason=item[4],
                    grabbed=item[5],
                )
                for item in items.get(command[0], [])
            ],
        )
        for command in commands
    ]
    return rows, total


def item_history(
    session: Session, instance_id: int, item_id: int, *, now: datetime, limit: int
) -> ItemHistoryRead:
    """Attempts, grabs and the current cooldown of one item. The cooldown uses the default
    tiers (queues may configure their own) and is given only while it lasts."""
    instance = InstanceRepository(session).get(instance_id)
    if instance is None:
        raise NotFound(f"instance {instance_id} not found")
    row = library_item(session, instance_id, item_id)
    state_row = item_state(session, instance_id, item_id)
    commands = commands_for_item(session, instance_id, item_id, limit)
    if row is None and state_row is None and not commands:
        raise NotFound(f"item {item_id} has no library entry or search history on this instance")
    _covered, grabbed, last_grab = item_grab_stats(session, instance_id, item_id)
    state = to_search_state(state_row) if state_row is not None else None
    cooldown_until = None
    label = None
    if row is not None:
        label = item_labels(session, instance_id, [item_id]).get(item_id)
        item = Item(
            row.arr_id,
            released_at=row.released_at,
            quality_profile_id=row.quality_profile_id,
            arr_last_search=row.arr_last_search,
        )
        searched = effective_search(item, state)
        if searched is not None and row.released_at is not None:
            length = cooldown_length(now - row.released_at, searched.fruitless, CooldownSettings())
            until = searched.last_searched_at + length
            cooldown_until = until if until > now else None
    if label is None and commands:
        label = next(
            (i.label for i in history_rows(session, commands[:1])[0].items if i.item_id == item_id),
            None,
        )
    return ItemHistoryRead(
        instance_id=instance_id,
        item_id=item_id,
        label=label,
        attempts=state.attempts if state else 0,
        last_searched_at=state.last_searched_at if state else None,
        grabs=max(state_row.grabs if state_row else 0, grabbed),
        last_grabbed_at=(state.last_grabbed_at if state else None) or last_grab,
        fruitless_streak=state.fruitless if state else 0,
        cooldown_until=cooldown_until,
        commands=history_rows(session, commands),
    )
