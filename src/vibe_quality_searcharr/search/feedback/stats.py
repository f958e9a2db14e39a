"""Grab rates per queue and per instance over 7 and 30 days, counted by the database from the
search history (never a list of rows in Python).

The rate counts items on both sides: the items grabbed out of the items the sent commands
covered (a command may cover ten movies or a season's episodes, and each item is grabbed or
not), so it is a share from 0 to 1, the same unit as the dashboard's chart (per command it would
read 4.0 for one ten-movie command with four grabs).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.search.models import SearchCommand, SearchCommandItem, SearchQueue

__all__ = ["PeriodStats", "StatsRead", "instance_stats", "queue_stats"]

PERIODS = (7, 30)


class PeriodStats(BaseModel):
    days: int
    searches: int = Field(description="search commands sent")
    items_searched: int = Field(description="items those commands covered")
    grabbed: int = Field(description="of those items, how many were grabbed after the search")
    imported: int = Field(description="of those items, how many were imported after the search")
    grab_rate: float | None = Field(
        description="share of the items searched that were grabbed: grabbed / items_searched, "
        "from 0 to 1 (0.4 = 40 %); null when no item was searched"
    )


class StatsRead(BaseModel):
    scope: str
    id: int
    name: str
    periods: list[PeriodStats]


def _period(session: Session, where: ColumnElement[bool], now: datetime, days: int) -> PeriodStats:
    since = now - timedelta(days=days)
    sent = (SearchCommand.arr_command_id.is_not(None)) & (SearchCommand.intent_at > since) & where
    searches = session.scalar(select(func.count()).select_from(SearchCommand).where(sent)) or 0
    grabbed_case = case((SearchCommandItem.grabbed.is_(True), 1), else_=0)
    imported_case = case((SearchCommandItem.imported_at.is_not(None), 1), else_=0)
    row = session.execute(
        select(
            func.count(SearchCommandItem.id),
            func.coalesce(func.sum(grabbed_case), 0).cast(Integer),
            func.coalesce(func.sum(imported_case), 0).cast(Integer),
        )
        .select_from(SearchCommandItem)
        .join(SearchCommand, SearchCommand.id == SearchCommandItem.command_id)
        .where(sent)
    ).one()
    items, grabbed, imported = int(row[0]), int(row[1]), int(row[2])
    rate = round(grabbed / items, 4) if items else None
    return PeriodStats(
        days=days,
        searches=searches,
        items_searched=items,
        grabbed=grabbed,
        imported=imported,
        grab_rate=rate,
    )


def queue_stats(session: Session, queue_id: int, now: datetime) -> StatsRead:
    queue = session.get(SearchQueue, queue_id)
    if queue is None:
        raise NotFound(f"queue {queue_id} not found")
    where = SearchCommand.queue_id == queue_id
    periods = [_period(session, where, now, days) for days in PERIODS]
    return StatsRead(scope="queue", id=queue_id, name=queue.name, periods=periods)


def instance_stats(session: Session, instance_id: int, now: datetime) -> StatsRead:
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"Instance {instance_id} does not exist.")
    where = SearchCommand.instance_id == instance_id
    periods = [_period(session, where, now, days) for days in PERIODS]
    return StatsRead(scope="instance", id=instance_id, name=instance.name, periods=periods)
