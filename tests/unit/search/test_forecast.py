"""The backlog forecast shown when creating a queue."""

from __future__ import annotations

from vibe_quality_searcharr.search.forecast import forecast


def test_schedule_limited_forecast() -> None:
    result = forecast(items=500, searches=500, batch_size=10, runs_per_day=24, daily_budget=None)
    assert result.per_day == 240
    assert result.days_to_full_pass == 2.1
    assert result.text == (
        "500 items, 240 searches per day (limited by batch size and schedule); "
        "first full pass in about 2.1 days"
    )


def test_budget_limited_forecast_counts_packs_as_one_search() -> None:
    result = forecast(items=5000, searches=900, batch_size=10, runs_per_day=48, daily_budget=100)
    assert result.per_day == 100
    assert result.limited_by == "the daily budget"
    assert result.days_to_full_pass == 9.0


def test_no_budget_left_means_no_pass() -> None:
    result = forecast(items=10, searches=10, batch_size=10, runs_per_day=24, daily_budget=0)
    assert result.days_to_full_pass is None
    assert "no searches per day" in result.text


def test_empty_backlog() -> None:
    result = forecast(items=0, searches=0, batch_size=10, runs_per_day=24, daily_budget=100)
    assert result.days_to_full_pass == 0.0
    assert result.text == "nothing wanted: the queue has no backlog"


def test_small_backlog_finishes_within_a_day() -> None:
    result = forecast(items=5, searches=5, batch_size=10, runs_per_day=1.5, daily_budget=None)
    assert result.text.endswith("first full pass within a day")
    assert "15 searches per day" in result.text
