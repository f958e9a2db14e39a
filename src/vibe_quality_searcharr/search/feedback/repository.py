"""Queries of the feedback domain: commands due for their delayed re-check, and the rows one
re-check updates. Lists are bounded (a batch of commands, their items), never the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.search.models import (
    CommandStatus,
    SearchCommand,
    SearchCommandItem,
)

__all__ = ["BATCH", "commands_due", "items_of"]

# Commands re-checked per job run; the rest wait for the next run (one minute later).
BATCH = 200


def commands_due(session: Session, before: datetime, limit: int = BATCH) -> list[SearchCommand]:
    """Completed commands that ended at or before `before` and were not re-checked yet, oldest
    first. Failed and unsent commands found nothing to re-check."""
    return list(
        session.scalars(
            select(SearchCommand)
            .where(SearchCommand.status == CommandStatus.COMPLETED)
            .where(SearchCommand.rechecked_at.is_(None))
            .where(SearchCommand.finished_at <= before)
            .where(SearchCommand.instance_id.is_not(None))
            .order_by(SearchCommand.finished_at, SearchCommand.id)
            .limit(limit)
        )
    )


def items_of(session: Session, command_ids: Sequence[int]) -> dict[int, list[SearchCommandItem]]:
    found: dict[int, list[SearchCommandItem]] = {}
    for start in range(0, len(command_ids), 500):
        chunk = list(command_ids[start : start + 500])
        rows = session.scalars(
            select(SearchCommandItem).where(SearchCommandItem.command_id.in_(chunk))
        )
        for row in rows:
            found.setdefault(row.command_id, []).append(row)
    return found
