"""Coalesced misfires: after downtime a queue runs once, for its newest slot, within grace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vibe_quality_searcharr.scheduling.schedules import DailySchedule, IntervalSchedule
from vibe_quality_searcharr.scheduling.slots import due_slot, latest_slot

ANCHOR = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
HOURLY = IntervalSchedule(minutes=60)


def test_latest_slot_is_the_newest_scheduled_time_not_after_now() -> None:
    now = ANCHOR + timedelta(hours=5, minutes=20)
    assert latest_slot(HOURLY, now, anchor=ANCHOR) == ANCHOR + timedelta(hours=5)


def test_after_downtime_many_missed_slots_coalesce_into_one_run() -> None:
    last = ANCHOR + timedelta(hours=1)
    now = ANCHOR + timedelta(hours=9, minutes=2)  # eight slots missed while down
    due = due_slot(HOURLY, now, anchor=ANCHOR, last_claimed=last, grace=timedelta(days=1))
    assert due == ANCHOR + timedelta(hours=9)
    # Once claimed, the same moment yields nothing more.
    assert due_slot(HOURLY, now, anchor=ANCHOR, last_claimed=due, grace=timedelta(days=1)) is None


def test_a_slot_older_than_the_grace_is_not_run() -> None:
    daily = DailySchedule(kind="daily", at="03:00")
    now = datetime(2026, 6, 3, 15, 0, tzinfo=UTC)  # 12 h after today's 03:00
    assert due_slot(daily, now, anchor=None, last_claimed=None, grace=timedelta(hours=1)) is None
    due = due_slot(daily, now, anchor=None, last_claimed=None, grace=timedelta(hours=13))
    assert due == datetime(2026, 6, 3, 3, 0, tzinfo=UTC)


def test_a_new_queue_has_no_slot_before_its_first_interval() -> None:
    now = ANCHOR + timedelta(minutes=30)
    assert latest_slot(IntervalSchedule(minutes=60), now, anchor=now) is None


def test_slots_outside_the_windows_are_not_due() -> None:
    night = IntervalSchedule.model_validate(
        {"minutes": 60, "windows": [{"start": "01:00", "end": "05:00"}]}
    )
    now = ANCHOR + timedelta(hours=12, minutes=5)
    assert latest_slot(night, now, anchor=ANCHOR) == ANCHOR + timedelta(hours=4)


def test_the_due_slot_is_the_same_whatever_the_grace_and_last_claim_bound() -> None:
    """The walk is bounded by the grace and the last claim; the answer is what a full walk
    over the lookback gives."""
    every_5 = IntervalSchedule(minutes=5, jitter_minutes=0)
    now = ANCHOR + timedelta(days=3, minutes=17)
    newest = ANCHOR + timedelta(days=3, minutes=15)
    assert latest_slot(every_5, now, anchor=ANCHOR) == newest
    for grace in (timedelta(minutes=2), timedelta(minutes=3), timedelta(hours=6)):
        expected = newest if now - newest <= grace else None
        assert due_slot(every_5, now, anchor=ANCHOR, last_claimed=None, grace=grace) == expected
    claimed = newest - timedelta(minutes=5)
    assert (
        due_slot(every_5, now, anchor=ANCHOR, last_claimed=claimed, grace=timedelta(hours=6))
        == newest
    )
    assert (
        due_slot(every_5, now, anchor=ANCHOR, last_claimed=newest, grace=timedelta(hours=6)) is None
    )
