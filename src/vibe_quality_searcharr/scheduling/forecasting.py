"""A queue's forecast for the API: its backlog counted cheaply from the library mirror, its
runs per day from the schedule's next slots over a week, and the tightest daily limit of its
instance, fed to `search.forecast.forecast`.

The backlog is an upper bound of what the planner would search (cooldowns and exclusions are
not applied: a first full pass meets every item once). Season packs are counted with one
GROUP BY over (series, season): a season with at least `min_episodes` wanted episodes is one
search, the others one search per episode.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.scheduling.schedules import AnySchedule, next_runs, parse_schedule
from vibe_quality_searcharr.search.budgets.snapshot import instance_limits
from vibe_quality_searcharr.search.forecast import forecast
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.planner import Source, Strategy
from vibe_quality_searcharr.search.queues.options import QueueOptions

__all__ = ["ForecastRead", "backlog", "queue_forecast", "runs_per_day"]

_WEEK = timedelta(days=7)
_MAX_SLOTS = 7 * 24 * 12 + 1  # a 5-minute interval for a week


class ForecastRead(BaseModel):
    queue_id: int
    items: int = Field(description="items wanted by the queue's strategy (monitored)")
    searches: int = Field(description="searches a full pass needs (season packs count once)")
    runs_per_day: float
    daily_budget: int | None = Field(description="tightest daily query allowance; null: none")
    per_day: float = Field(description="searches per day")
    days_to_full_pass: float | None
    limited_by: str
    text: str
    next_runs: list[datetime]


def runs_per_day(schedule: AnySchedule, now: datetime, *, anchor: datetime | None) -> float:
    """Slots in the next seven days (inside the windows), per day."""
    slots = next_runs(schedule, now, count=_MAX_SLOTS, anchor=anchor)
    return sum(1 for slot in slots if slot <= now + _WEEK) / 7


def _wanted(strategy: str, options: QueueOptions) -> ColumnElement[bool]:
    if strategy == Strategy.MISSING:
        return LibraryItem.missing.is_(True)
    if strategy in (Strategy.CUTOFF_UNMET, Strategy.FORMAT_UPGRADE):
        return LibraryItem.cutoff_unmet.is_(True)
    if strategy == Strategy.CUSTOM and options.custom.sources == [Source.MISSING]:
        return LibraryItem.missing.is_(True)
    return LibraryItem.missing.is_(True) | LibraryItem.cutoff_unmet.is_(True)


def backlog(session: Session, queue: SearchQueue) -> tuple[int, int]:
    """(items, searches) the queue's strategy wants on its instance's mirror."""
    options = QueueOptions.model_validate(queue.options or {})
    where = (
        (LibraryItem.instance_id == queue.instance_id)
        & LibraryItem.monitored.is_(True)
        & LibraryItem.parent_monitored.is_(True)
        & _wanted(queue.strategy, options)
    )
    items = session.scalar(select(func.count()).select_from(LibraryItem).where(where)) or 0
    packs = options.season_packs
    if not packs.enabled or not items:
        return items, items
    groups = (
        select(func.count().label("n"))
        .select_from(LibraryItem)
        .where(where & LibraryItem.season_number.is_not(None) & LibraryItem.parent_id.is_not(None))
        .group_by(LibraryItem.parent_id, LibraryItem.season_number)
        .subquery()
    )
    packed = session.execute(
        select(func.count(), func.coalesce(func.sum(groups.c.n), 0)).where(
            groups.c.n >= packs.min_episodes
        )
    ).one()
    pack_count, covered = int(packed[0]), int(packed[1])
    return items, items - covered + pack_count


def _daily_budget(session: Session, instance_id: int) -> int | None:
    limits = instance_limits(session, instance_id)
    candidates = [
        value
        for value in (
            limits.daily_cap,
            limits.hourly_cap * 24 if limits.hourly_cap is not None else None,
        )
        if value is not None
    ]
    return min(candidates) if candidates else None


def queue_forecast(session: Session, queue_id: int, now: datetime) -> ForecastRead:
    queue = session.get(SearchQueue, queue_id)
    if queue is None:
        raise NotFound(f"queue {queue_id} not found")
    schedule = parse_schedule(queue.schedule)
    per_run_day = runs_per_day(schedule, now, anchor=queue.created_at)
    items, searches = backlog(session, queue)
    daily = _daily_budget(session, queue.instance_id)
    result = forecast(
        items=items,
        searches=searches,
        batch_size=queue.batch_size,
        runs_per_day=per_run_day,
        daily_budget=daily,
    )
    return ForecastRead(
        queue_id=queue.id,
        items=result.items,
        searches=result.searches,
        runs_per_day=round(per_run_day, 3),
        daily_budget=daily,
        per_day=round(result.per_day, 3),
        days_to_full_pass=result.days_to_full_pass,
        limited_by=result.limited_by,
        text=result.text,
        next_runs=next_runs(schedule, now, count=3, anchor=queue.created_at),
    )
