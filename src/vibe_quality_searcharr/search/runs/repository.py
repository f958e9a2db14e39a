"""Every query of runs and their commands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.search.history.repository import chunked
from vibe_quality_searcharr.search.models import (
    CommandStatus,
    RunStatus,
    SearchCommand,
    SearchCommandItem,
    SearchRun,
)

__all__ = [
    "command_items",
    "commands_of_run",
    "get_run",
    "pending_commands",
    "running_runs",
    "runs_page",
]


def get_run(session: Session, run_id: int) -> SearchRun | None:
    return session.get(SearchRun, run_id)


def runs_page(
    session: Session,
    offset: int,
    limit: int,
    *,
    queue_id: int | None = None,
    instance_id: int | None = None,
    status: str | None = None,
) -> tuple[Sequence[SearchRun], int]:
    query = select(SearchRun)
    if queue_id is not None:
        query = query.where(SearchRun.queue_id == queue_id)
    if instance_id is not None:
        query = query.where(SearchRun.instance_id == instance_id)
    if status is not None:
        query = query.where(SearchRun.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(SearchRun.started_at.desc(), SearchRun.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, total


def commands_of_run(session: Session, run_id: int) -> Sequence[SearchCommand]:
    return session.scalars(
        select(SearchCommand)
        .where(SearchCommand.run_id == run_id)
        .order_by(SearchCommand.position, SearchCommand.id)
    ).all()


def command_items(
    session: Session, command_ids: Iterable[int]
) -> dict[int, list[SearchCommandItem]]:
    found: dict[int, list[SearchCommandItem]] = {}
    for batch in chunked(sorted(set(command_ids))):
        for row in session.scalars(
            select(SearchCommandItem)
            .where(SearchCommandItem.command_id.in_(batch))
            .order_by(SearchCommandItem.id)
        ):
            found.setdefault(row.command_id, []).append(row)
    return found


def running_runs(session: Session) -> Sequence[SearchRun]:
    return session.scalars(select(SearchRun).where(SearchRun.status == RunStatus.RUNNING)).all()


def pending_commands(session: Session) -> Sequence[SearchCommand]:
    """Commands a stopped process left between "intent written" and "ended"."""
    return session.scalars(
        select(SearchCommand)
        .where(SearchCommand.status.in_((CommandStatus.INTENT, CommandStatus.SENT)))
        .order_by(SearchCommand.intent_at, SearchCommand.id)
    ).all()
