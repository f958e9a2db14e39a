"""When a queue runs: every N minutes, daily at HH:MM, weekly on chosen days, or a cron
expression; in the user's time zone, with random jitter, optionally only inside time windows.

The models are what the API takes and `SearchQueue.schedule` stores; `trigger_for` turns one
into an APScheduler trigger, and `next_runs` lists upcoming slots for the API (without jitter,
which is drawn at fire time, and skipping slots outside the allowed windows).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

__all__ = [
    "DEFAULT_SCHEDULE",
    "AnySchedule",
    "CronSchedule",
    "DailySchedule",
    "IntervalSchedule",
    "Schedule",
    "TimeWindow",
    "WeeklySchedule",
    "in_windows",
    "next_runs",
    "parse_schedule",
    "trigger_for",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock_time(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("use 24-hour HH:MM, e.g. 01:30")
    return value


ClockTime = Annotated[str, AfterValidator(_clock_time)]


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class TimeWindow(BaseModel):
    """Runs only start between `start` and `end` (local time); a window may cross midnight
    (22:00-06:00)."""

    model_config = ConfigDict(extra="forbid")
    start: ClockTime
    end: ClockTime

    def contains(self, moment: time) -> bool:
        start, end = _parse(self.start), _parse(self.end)
        if start == end:
            return True  # a 24-hour window
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin")
    jitter_minutes: float = Field(
        default=5, ge=0, le=120, description="start up to this many minutes late, at random"
    )
    windows: list[TimeWindow] = Field(
        default_factory=list, max_length=10, description="only start inside these local times"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class IntervalSchedule(_Common):
    kind: Literal["interval"] = "interval"
    minutes: int = Field(default=60, ge=5, le=10080, description="every N minutes (5 to 10080)")

    @model_validator(mode="after")
    def _jitter_below_interval(self) -> IntervalSchedule:
        # A start delayed past the next slot would belong to that slot and skip this one.
        if self.jitter_minutes >= self.minutes:
            raise ValueError("jitter_minutes must be shorter than the interval")
        return self


class DailySchedule(_Common):
    kind: Literal["daily"]
    at: ClockTime = Field(description="local time, HH:MM")


class WeeklySchedule(_Common):
    kind: Literal["weekly"]
    days: list[Weekday] = Field(min_length=1, max_length=7)
    at: ClockTime = Field(description="local time, HH:MM")


class CronSchedule(_Common):
    kind: Literal["cron"]
    expression: str = Field(
        max_length=200,
        description="minute hour day-of-month month day-of-week; day 0 or 7 is Sunday",
    )

    @field_validator("expression")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        try:
            _cron_trigger(value, ZoneInfo("UTC"), None)
        except ValueError as exc:
            raise ValueError(f"not a valid cron expression: {exc}") from None
        return value


AnySchedule = IntervalSchedule | DailySchedule | WeeklySchedule | CronSchedule


def _interval_by_default(value: Any) -> Any:
    """`{"minutes": 30}` means an interval: the first kind that existed stays implied, so rows
    stored before the other kinds keep their meaning."""
    if isinstance(value, dict) and "kind" not in value:
        return {"kind": "interval", **value}
    return value


Schedule = Annotated[
    AnySchedule, Field(discriminator="kind"), BeforeValidator(_interval_by_default)
]
_ADAPTER: TypeAdapter[AnySchedule] = TypeAdapter(Schedule)
DEFAULT_SCHEDULE = IntervalSchedule()


def parse_schedule(stored: dict[str, Any] | None) -> AnySchedule:
    """A stored schedule; an empty one (a row written before schedules existed) is the default."""
    if not stored:
        return DEFAULT_SCHEDULE
    return _ADAPTER.validate_python(stored)


def _crontab_day_of_week(field: str) -> str:
    """Crontab counts days from Sunday (0 and 7); APScheduler 3 from Monday. Numbers are
    rewritten as names so an expression means what it means in crontab."""
    if field.strip() in ("0-6", "0-7", "1-7"):
        return "*"
    return re.sub(r"\d+", lambda m: _day_name(int(m.group())), field)


def _day_name(number: int) -> str:
    if number > 7:
        raise ValueError(f"day of week {number} is out of range (0-7)")
    return _CRONTAB_DAYS[number]


def _cron_trigger(expression: str, zone: ZoneInfo, jitter: int | None) -> CronTrigger:
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_day_of_week(day_of_week),
        timezone=zone,
        jitter=jitter,
    )


def trigger_for(
    schedule: AnySchedule,
    *,
    anchor: datetime | None = None,
    jitter: bool = True,
) -> BaseTrigger:
    """The APScheduler trigger. `anchor` fixes an interval's phase (the queue's creation, whose
    first slot is one interval later), so slots stay put across restarts instead of the count
    starting again at every start."""
    zone = schedule.zone
    seconds = (int(schedule.jitter_minutes * 60) or None) if jitter else None
    if isinstance(schedule, IntervalSchedule):
        period = timedelta(minutes=schedule.minutes)
        first = anchor + period if anchor is not None else None  # not at the anchor itself
        return IntervalTrigger(
            minutes=schedule.minutes, start_date=first, timezone=zone, jitter=seconds
        )
    if isinstance(schedule, DailySchedule):
        at = _parse(schedule.at)
        return CronTrigger(hour=at.hour, minute=at.minute, timezone=zone, jitter=seconds)
    if isinstance(schedule, WeeklySchedule):
        at = _parse(schedule.at)
        return CronTrigger(
            day_of_week=",".join(schedule.days),
            hour=at.hour,
            minute=at.minute,
            timezone=zone,
            jitter=seconds,
        )
    return _cron_trigger(schedule.expression, zone, seconds)


def in_windows(windows: Sequence[TimeWindow], moment: datetime, zone: ZoneInfo) -> bool:
    """True when no windows are set or `moment` (aware) falls inside one, in local time."""
    if not windows:
        return True
    local = moment.astimezone(zone).time()
    return any(window.contains(local) for window in windows)


def next_runs(
    schedule: AnySchedule,
    now: datetime,
    *,
    count: int = 5,
    anchor: datetime | None = None,
) -> list[datetime]:
    """The next `count` slots after `now` (in UTC) that fall inside the windows. The search is
    bounded: a window that no slot ever hits gives fewer slots, never a hang."""
    trigger = trigger_for(schedule, anchor=anchor, jitter=False)
    slots: list[datetime] = []
    previous: datetime | None = None
    moment = now
    for _ in range(count * 500):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        if in_windows(schedule.windows, fire, schedule.zone):
            slots.append(fire.astimezone(UTC))
            if len(slots) == count:
                break
        previous, moment = fire, fire + timedelta(microseconds=1)
    return slots
