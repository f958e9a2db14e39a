"""Schedules: validation messages, triggers in the user's zone, windows, next runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from vibe_quality_searcharr.scheduling.schedules import (
    CronSchedule,
    IntervalSchedule,
    Schedule,
    TimeWindow,
    in_windows,
    next_runs,
    trigger_for,
)

SCHEDULE: TypeAdapter[object] = TypeAdapter(Schedule)
NOW = datetime(2026, 6, 1, 10, 17, tzinfo=UTC)  # a Monday


def parse(data: dict[str, object]) -> object:
    return SCHEDULE.validate_python(data)


def errors_of(data: dict[str, object]) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(data)
    return str(caught.value)


def test_interval_slots_keep_their_phase_from_the_anchor() -> None:
    schedule = IntervalSchedule(minutes=30)
    anchor = datetime(2026, 6, 1, 0, 5, tzinfo=UTC)
    runs = next_runs(schedule, NOW, count=3, anchor=anchor)
    assert runs == [
        datetime(2026, 6, 1, 10, 35, tzinfo=UTC),
        datetime(2026, 6, 1, 11, 5, tzinfo=UTC),
        datetime(2026, 6, 1, 11, 35, tzinfo=UTC),
    ]


def test_daily_runs_at_local_time_across_a_dst_change() -> None:
    schedule = parse({"kind": "daily", "at": "03:30", "timezone": "Europe/Berlin"})
    runs = next_runs(schedule, datetime(2026, 10, 23, 12, 0, tzinfo=UTC), count=4)  # type: ignore[arg-type]
    local_times = {run.astimezone(schedule.zone).strftime("%H:%M") for run in runs}  # type: ignore[attr-defined]
    assert local_times == {"03:30"}
    # Summer time ends on 25 October: the UTC hour moves, the local hour does not.
    assert {run.hour for run in runs} == {1, 2}


def test_weekly_runs_only_on_chosen_days() -> None:
    schedule = parse({"kind": "weekly", "days": ["sat", "sun"], "at": "04:00"})
    runs = next_runs(schedule, NOW, count=4)  # type: ignore[arg-type]
    assert [run.strftime("%a") for run in runs] == ["Sat", "Sun", "Sat", "Sun"]


def test_cron_day_numbers_follow_crontab_not_apscheduler() -> None:
    # "1-5" is Monday to Friday in crontab (APScheduler 3 alone would read Tuesday to Saturday).
    schedule = CronSchedule(kind="cron", expression="0 9 * * 1-5")
    runs = next_runs(schedule, datetime(2026, 6, 5, 12, tzinfo=UTC), count=3)  # Friday noon
    assert [run.strftime("%a %H:%M") for run in runs] == ["Mon 09:00", "Tue 09:00", "Wed 09:00"]
    sunday = CronSchedule(kind="cron", expression="0 9 * * 0")
    assert next_runs(sunday, NOW, count=1)[0].strftime("%a") == "Sun"


def test_windows_skip_slots_outside_and_may_cross_midnight() -> None:
    schedule = parse(
        {"kind": "interval", "minutes": 60, "windows": [{"start": "22:00", "end": "02:00"}]}
    )
    runs = next_runs(schedule, NOW, count=4, anchor=datetime(2026, 6, 1, tzinfo=UTC))  # type: ignore[arg-type]
    assert [run.hour for run in runs] == [22, 23, 0, 1]


def test_a_window_no_slot_hits_gives_no_runs_and_no_hang() -> None:
    schedule = parse(
        {"kind": "daily", "at": "12:00", "windows": [{"start": "01:00", "end": "02:00"}]}
    )
    assert next_runs(schedule, NOW, count=3) == []  # type: ignore[arg-type]


def test_window_membership_uses_local_time() -> None:
    window = [TimeWindow(start="01:00", end="07:00")]
    berlin = IntervalSchedule(timezone="Europe/Berlin").zone
    assert in_windows(window, datetime(2026, 6, 1, 0, 30, tzinfo=UTC), berlin)  # 02:30 local
    assert not in_windows(window, datetime(2026, 6, 1, 6, 30, tzinfo=UTC), berlin)  # 08:30
    assert in_windows([], NOW, berlin)


def test_jitter_delays_within_its_bound() -> None:
    trigger = trigger_for(IntervalSchedule(minutes=60, jitter_minutes=5), anchor=NOW)
    fire = trigger.get_next_fire_time(None, NOW + timedelta(minutes=1))
    assert fire is not None
    assert NOW + timedelta(hours=1) <= fire <= NOW + timedelta(hours=1, minutes=5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "interval", "minutes": 1}, "greater than or equal to 5"),
        ({"kind": "daily", "at": "25:00"}, "HH:MM"),
        ({"kind": "weekly", "days": [], "at": "01:00"}, "at least 1"),
        ({"kind": "weekly", "days": ["funday"], "at": "01:00"}, "mon"),
        ({"kind": "cron", "expression": "* * *"}, "expected 5 fields"),
        ({"kind": "cron", "expression": "61 * * * *"}, "not a valid cron expression"),
        ({"kind": "cron", "expression": "0 0 * * 9"}, "out of range"),
        ({"kind": "interval", "timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"kind": "hourly"}, "interval"),
        ({"kind": "interval", "windows": [{"start": "1am", "end": "02:00"}]}, "HH:MM"),
        ({"kind": "interval", "surprise": True}, "Extra inputs"),
        ({"kind": "interval", "minutes": 5, "jitter_minutes": 5}, "shorter than the interval"),
    ],
)
def test_bad_schedules_get_clear_messages(data: dict[str, object], message: str) -> None:
    assert message in errors_of(data)
