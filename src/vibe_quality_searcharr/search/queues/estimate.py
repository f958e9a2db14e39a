"""The forecast a queue form shows ("N items, M per day, first full pass in about D days"),
without a preview: nothing is asked of the *arr.

Items are counted in the library mirror with one COUNT per form (the database computes the
set; nothing library-sized is loaded), with the strategy's own test: missing, below cutoff,
below the profile's custom format cutoff, released in the recent window. Searches are taken to
equal items: season packs can only make the real pass shorter, so the forecast never promises
early. Runs per day come from the schedule's next 7 days (windows included); the daily budget
is the instance's daily cap (Prowlarr's indexer limits need a call to Prowlarr and show in the
preview instead).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.library.models import LibraryItem, LibraryProfile
from vibe_quality_searcharr.scheduling.schedules import AnySchedule, IntervalSchedule, next_runs
from vibe_quality_searcharr.search.budgets.snapshot import instance_limits
from vibe_quality_searcharr.search.forecast import Forecast, forecast
from vibe_quality_searcharr.search.planner import Source, Strategy
from vibe_quality_searcharr.search.queues.options import QueueOptions

__all__ = ["queue_forecast", "runs_per_day", "wanted_count"]

_WEEK = timedelta(days=7)
# An interval of 5 minutes (the shortest) fires 2016 times a week.
_MAX_SLOTS = 7 * 24 * 12 + 1


def _format_upgrade() -> ColumnElement[bool]:
    cutoff = (
        select(LibraryProfile.cutoff_format_score)
        .where(LibraryProfile.instance_id == LibraryItem.instance_id)
        .where(LibraryProfile.arr_id == LibraryItem.quality_profile_id)
        .scalar_subquery()
    )
    return and_(
        LibraryItem.has_file.is_(True),
        LibraryItem.format_score.is_not(None),
        LibraryItem.format_score < cutoff,
    )


def _source(source: Source) -> ColumnElement[bool]:
    if source is Source.MISSING:
        return LibraryItem.missing.is_(True)
    if source is Source.CUTOFF_UNMET:
        return LibraryItem.cutoff_unmet.is_(True)
    return _format_upgrade()


def _wanted(strategy: Strategy, options: QueueOptions, now: datetime) -> list[ColumnElement[bool]]:
    if strategy is Strategy.MISSING:
        return [_source(Source.MISSING)]
    if strategy is Strategy.CUTOFF_UNMET:
        return [_source(Source.CUTOFF_UNMET)]
    if strategy is Strategy.FORMAT_UPGRADE:
        return [_source(Source.FORMAT_UPGRADE)]
    if strategy is Strategy.RECENT:
        return [
            _source(Source.MISSING),
            LibraryItem.released_at >= now - timedelta(days=options.recent_days),
        ]
    custom = options.custom
    clauses = [or_(false(), *(_source(source) for source in custom.sources))]
    if custom.year_min is not None:
        clauses.append(LibraryItem.year >= custom.year_min)
    if custom.year_max is not None:
        clauses.append(LibraryItem.year <= custom.year_max)
    if custom.quality_profile_ids:
        clauses.append(LibraryItem.quality_profile_id.in_(custom.quality_profile_ids[:200]))
    return clauses


def wanted_count(
    session: Session, instance_id: int, strategy: Strategy, options: QueueOptions, now: datetime
) -> int:
    """Monitored items of the instance the strategy wants (before cooldowns and exclusions)."""
    query = (
        select(func.count())
        .select_from(LibraryItem)
        .where(LibraryItem.instance_id == instance_id)
        .where(LibraryItem.monitored.is_(True), LibraryItem.parent_monitored.is_(True))
        .where(*_wanted(strategy, options, now))
    )
    return session.scalar(query) or 0


def runs_per_day(schedule: AnySchedule, now: datetime, anchor: datetime | None = None) -> float:
    if isinstance(schedule, IntervalSchedule) and not schedule.windows:
        return 24 * 60 / schedule.minutes
    slots = next_runs(schedule, now, count=_MAX_SLOTS, anchor=anchor)
    return sum(1 for slot in slots if slot <= now + _WEEK) / 7


def queue_forecast(
    session: Session,
    *,
    instance_id: int,
    strategy: Strategy,
    batch_size: int,
    options: QueueOptions,
    schedule: AnySchedule,
    now: datetime,
    anchor: datetime | None = None,
) -> Forecast:
    items = wanted_count(session, instance_id, strategy, options, now)
    return forecast(
        items=items,
        searches=items,
        batch_size=batch_size,
        runs_per_day=runs_per_day(schedule, now, anchor),
        daily_budget=instance_limits(session, instance_id).daily_cap,
    )
