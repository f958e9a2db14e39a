"""The dashboard's queries: runs in progress, recent activity, next runs, items searched and
grabbed per day.

Every query is bounded by an index so the page stays fast on a million history rows: running
runs by `search_run.status`, recent runs and commands by their time columns with a LIMIT, the
per-day totals (days of the user's time zone) by a range scan of `ix_search_command_day`
(intent_at, status, grabbed) and, per command found, a count of its items in the index on
`search_command_item.command_id`: the aggregate reads no table row. Takes a session, never
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.scheduling.schedules import next_runs, parse_schedule
from vibe_quality_searcharr.search.models import (
    CommandStatus,
    RunStatus,
    SearchCommand,
    SearchCommandItem,
    SearchQueue,
    SearchRun,
)
from vibe_quality_searcharr.web.charts import DayTotals
from vibe_quality_searcharr.web.live import RECENT_RESULTS, RunningView, RunResult

__all__ = [
    "NextRun",
    "daily_totals",
    "local_midnights",
    "queue_next_runs",
    "recent_commands",
    "recent_runs",
    "running_runs",
]

_SENT_OR_LATER = (
    CommandStatus.SENT,
    CommandStatus.COMPLETED,
    CommandStatus.FAILED,
    CommandStatus.UNKNOWN,
)
_DONE = (
    CommandStatus.COMPLETED,
    CommandStatus.FAILED,
    CommandStatus.NOT_SENT,
    CommandStatus.UNKNOWN,
)


def running_runs(session: Session, limit: int = 10) -> list[RunningView]:
    """Runs marked running in the database (any replica), with their progress so far."""
    runs = session.scalars(
        select(SearchRun)
        .where(SearchRun.status == RunStatus.RUNNING)
        .order_by(SearchRun.started_at)
        .limit(limit)
    ).all()
    views: list[RunningView] = []
    for run in runs:
        counts: dict[str, int] = dict(
            session.execute(
                select(SearchCommand.status, func.count())
                .where(SearchCommand.run_id == run.id)
                .group_by(SearchCommand.status)
            ).all()
        )
        latest = session.execute(
            select(
                SearchCommand.id, SearchCommand.label, SearchCommand.status, SearchCommand.grabbed
            )
            .where(SearchCommand.run_id == run.id)
            .order_by(SearchCommand.position.desc(), SearchCommand.id.desc())
            .limit(RECENT_RESULTS)
        ).all()
        view = RunningView(
            run_id=run.id,
            queue=run.queue_name,
            instance=run.instance_name,
            planned=run.planned_commands,
            sent=sum(counts.get(status, 0) for status in _SENT_OR_LATER),
            finished=sum(counts.get(status, 0) for status in _DONE),
            summary=run.summary,
        )
        for command_id, label, status, grabbed in latest:
            if status in (CommandStatus.SENT, CommandStatus.INTENT) and view.current is None:
                view.current = label
            elif status in _DONE:
                view.results.append(RunResult(command_id, label, status, grabbed))
        views.append(view)
    return views


def recent_runs(session: Session, limit: int = 8) -> Sequence[SearchRun]:
    return session.scalars(
        select(SearchRun).order_by(SearchRun.started_at.desc(), SearchRun.id.desc()).limit(limit)
    ).all()


def recent_commands(session: Session, limit: int = 10) -> Sequence[SearchCommand]:
    return session.scalars(
        select(SearchCommand)
        .where(SearchCommand.status != CommandStatus.NOT_SENT)
        .order_by(SearchCommand.intent_at.desc(), SearchCommand.id.desc())
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class NextRun:
    queue_id: int
    name: str
    at: datetime | None
    state: str  # "scheduled", "paused", "disabled", "no slot"


def queue_next_runs(session: Session, now: datetime, limit: int = 50) -> list[NextRun]:
    """Each queue's next scheduled slot (by time; paused and disabled ones last)."""
    queues = session.scalars(select(SearchQueue).order_by(SearchQueue.name).limit(limit)).all()
    found: list[NextRun] = []
    for queue in queues:
        if not queue.enabled:
            found.append(NextRun(queue.id, queue.name, None, "disabled"))
            continue
        if queue.paused:
            found.append(NextRun(queue.id, queue.name, None, "paused"))
            continue
        try:
            slots = next_runs(parse_schedule(queue.schedule), now, count=1, anchor=queue.created_at)
        except ValueError:
            slots = []
        found.append(
            NextRun(
                queue.id,
                queue.name,
                slots[0] if slots else None,
                "scheduled" if slots else "no slot",
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda n: (n.at is None, n.at or far, n.name))


def local_midnights(first: date, days: int, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants at which each of `days` local days from `first` begins, and the one
    after the last: a day is 23 or 25 hours long across a DST change."""
    return [
        datetime.combine(first + timedelta(days=offset), time.min, tzinfo=zone).astimezone(UTC)
        for offset in range(days + 1)
    ]


def daily_totals(
    session: Session, today: date, days: int, zone: ZoneInfo | None = None
) -> list[DayTotals]:
    """Items searched (by commands that left) and items grabbed per day of `zone` (UTC by
    default), for the `days` ending `today` (a date in that zone), zero-filled. Items, not
    commands: a command of ten movies is ten items searched, so the grab rate is the share of
    them grabbed (`charts.grab_rate`).

    The day of each command is its index among the local midnights, as a CASE over the
    indexed `intent_at`: the same SQL on SQLite (which knows no IANA zones) and PostgreSQL,
    exact for any offset and DST, and still one range scan of `ix_search_command_day`."""
    first = today - timedelta(days=days - 1)
    bounds = local_midnights(first, days, zone or ZoneInfo("UTC"))
    index = case(
        *((SearchCommand.intent_at < bound, number) for number, bound in enumerate(bounds[1:])),
        else_=days,
    ).label("day_index")
    items = (
        select(func.count())
        .where(SearchCommandItem.command_id == SearchCommand.id)
        .scalar_subquery()
        .label("searched")
    )
    sent = (
        select(index, items, SearchCommand.grabbed)
        .where(SearchCommand.intent_at >= bounds[0], SearchCommand.intent_at < bounds[-1])
        .where(SearchCommand.status != CommandStatus.NOT_SENT)
        .subquery()
    )
    # Grouped outside: PostgreSQL would not match a GROUP BY of the CASE with its own binds.
    rows = session.execute(
        select(
            sent.c.day_index,
            func.coalesce(func.sum(sent.c.searched), 0),
            func.coalesce(func.sum(sent.c.grabbed), 0),
        ).group_by(sent.c.day_index)
    ).all()
    found = {int(number): (int(searched), int(grabbed)) for number, searched, grabbed in rows}
    return [
        DayTotals(first + timedelta(days=number), *found.get(number, (0, 0)))
        for number in range(days)
    ]
