"""Which slot of a schedule is due now: the arithmetic behind coalesced misfires.

A slot is a scheduled time without jitter. When the scheduler fires (or starts after downtime)
the slot to claim is the newest one at or before now; missed older slots are not run one by
one, they are folded into that one run ("coalesce"), and a slot older than the misfire grace is
not run at all: the next one is waited for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vibe_quality_searcharr.scheduling.schedules import AnySchedule, in_windows, trigger_for

__all__ = ["due_slot", "latest_slot"]
_LOOKBACK = timedelta(days=8)  # longer than any weekly schedule's gap
_MAX_STEPS = 5000


def latest_slot(
    schedule: AnySchedule,
    now: datetime,
    *,
    anchor: datetime | None,
    since: datetime | None = None,
) -> datetime | None:
    """The newest slot at or before `now` inside the windows (None if there was none in the
    lookback, or since `since`: e.g. a new queue whose interval has not come round yet)."""
    trigger = trigger_for(schedule, anchor=anchor, jitter=False)
    start = now - _LOOKBACK
    for bound in (anchor, since):
        if bound is not None:
            start = max(start, bound)
    latest: datetime | None = None
    previous: datetime | None = None
    moment = start
    for _ in range(_MAX_STEPS):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None or fire > now:
            break
        if in_windows(schedule.windows, fire, schedule.zone):
            latest = fire
        previous, moment = fire, fire + timedelta(microseconds=1)
    return latest.astimezone(UTC) if latest is not None else None


def due_slot(
    schedule: AnySchedule,
    now: datetime,
    *,
    anchor: datetime | None,
    last_claimed: datetime | None,
    grace: timedelta,
) -> datetime | None:
    """The slot to run now, or None: nothing new since the last claim, or the newest missed
    slot is older than the misfire grace. Only slots inside the grace and after the last claim
    are walked: the leader asks this of every queue on every tick, so a 5-minute schedule costs
    a few dozen steps rather than a week of them."""
    since = now - grace
    if last_claimed is not None:
        since = max(since, last_claimed + timedelta(microseconds=1))
    slot = latest_slot(schedule, now, anchor=anchor, since=since)
    if slot is None or (last_claimed is not None and slot <= last_claimed):
        return None
    if now - slot > grace:
        return None
    return slot
