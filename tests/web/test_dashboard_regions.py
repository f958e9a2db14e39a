"""The dashboard's search regions with known data: charts, budget bars, running now, next runs
and recent activity."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.instances.conftest import API_KEY, make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.search.budgets.status import CapUse, budget_status
from vibe_quality_searcharr.search.models import (
    SearchCommand,
    SearchCommandItem,
    SearchQueue,
    SearchRun,
)
from vibe_quality_searcharr.web.charts import DayTotals, bar_chart_svg
from vibe_quality_searcharr.web.dashboard_data import daily_totals, queue_next_runs

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _command(
    session: Session, instance_id: int, at: datetime, *, status: str = "completed", **extra: object
) -> SearchCommand:
    values: dict[str, object] = {
        "instance_id": instance_id,
        "instance_name": "Sonarr",
        "strategy": "missing",
        "kind": "EpisodeSearch",
        "item_ids": [1],
        "label": "Show S01E01",
        "status": status,
        "intent_at": at,
    }
    values.update(extra)
    command = SearchCommand(**values)
    session.add(command)
    session.flush()
    # One row per item, as the executor records them; the first `grabbed` of them grabbed.
    grabbed = command.grabbed or 0
    session.add_all(
        SearchCommandItem(
            command_id=command.id,
            instance_id=instance_id,
            item_id=item_id,
            label=f"#{item_id}",
            grabbed=index < grabbed,
        )
        for index, item_id in enumerate(command.item_ids)
    )
    return command


def test_the_chart_has_one_bar_per_day_with_its_values() -> None:
    points = [
        DayTotals(date(2026, 3, 8), 10, 2),
        DayTotals(date(2026, 3, 9), 0, 0),
        DayTotals(date(2026, 3, 10), 5, 5),
    ]
    svg = str(bar_chart_svg(points, chart_id="c", title="Searches & grabs"))
    assert '<title id="c-title">Searches &amp; grabs</title>' in svg
    assert "3 days: 15 items searched, 7 grabbed, grab rate 46.7 %." in svg
    searches = re.findall(r'class="chart-searches" data-day="([\d-]+)" data-value="(\d+)"', svg)
    assert searches == [("2026-03-08", "10"), ("2026-03-09", "0"), ("2026-03-10", "5")]
    grabs = re.findall(r'class="chart-grabs" data-day="[\d-]+" data-value="(\d+)"', svg)
    assert grabs == ["2", "0", "5"]
    heights = re.findall(r'class="chart-searches"[^>]* height="([\d.]+)"', svg)
    assert float(heights[0]) == 2 * float(heights[2])
    assert heights[1] == "0"
    assert "<polyline" in svg  # the rate of the two days with searches


def test_daily_totals_count_items_searched_and_grabbed_per_day(context: AppContext) -> None:
    with context.database.session_scope() as session:
        instance = make_instance(session, context)
        _command(session, instance.id, NOW - timedelta(hours=1), grabbed=2, item_ids=[1, 2, 3])
        _command(session, instance.id, NOW - timedelta(hours=2))
        _command(session, instance.id, NOW - timedelta(hours=3), status="not_sent")
        _command(session, instance.id, NOW - timedelta(days=2, hours=1), grabbed=1)
        _command(session, instance.id, NOW - timedelta(days=40))
    with context.database.session_scope() as session:
        week = daily_totals(session, NOW.date(), 7)
    assert [p.day for p in week][-1] == NOW.date()
    assert len(week) == 7
    assert (week[-1].searched, week[-1].grabbed) == (4, 2)  # items of two commands, not 2
    assert (week[-3].searched, week[-3].grabbed) == (1, 1)
    assert sum(p.searched for p in week) == 5


def test_budget_status_counts_the_last_hour_and_day_against_the_caps(
    context: AppContext,
) -> None:
    with context.database.session_scope() as session:
        instance = make_instance(session, context)
        session.add(InstanceLimits(instance_id=instance.id, hourly_cap=4, daily_cap=10))
        _command(session, instance.id, NOW - timedelta(minutes=5), item_ids=[1, 2, 3])
        _command(
            session, instance.id, NOW - timedelta(hours=3), kind="SeasonSearch", item_ids=[4, 5]
        )
        _command(session, instance.id, NOW - timedelta(minutes=1), status="not_sent")
        _command(session, instance.id, NOW - timedelta(days=2))
        make_instance(session, context, name="Prowlarr", app="prowlarr", url="http://10.0.0.9:9696")
    with context.database.session_scope() as session:
        [status] = budget_status(session, NOW)
    assert status.hourly == CapUse("Last hour", 3, 4)
    assert status.daily == CapUse("Last 24 hours", 4, 10)
    assert (status.hourly.percent, status.hourly.level) == (75, "ok")
    assert CapUse("x", 10, 10).level == "full"
    assert CapUse("x", 8, 10).level == "high"


def test_next_runs_lists_each_queue_by_its_next_slot(context: AppContext) -> None:
    with context.database.session_scope() as session:
        instance = make_instance(session, context)
        for name, schedule, paused in (
            ("Hourly", {"kind": "interval", "minutes": 60}, False),
            ("Daily", {"kind": "daily", "at": "03:00", "timezone": "UTC"}, False),
            ("Held", {"kind": "interval", "minutes": 60}, True),
        ):
            session.add(
                SearchQueue(
                    name=name,
                    instance_id=instance.id,
                    strategy="missing",
                    order="oldest_first",
                    schedule=schedule,
                    paused=paused,
                    created_at=NOW - timedelta(minutes=30),
                )
            )
    with context.database.session_scope() as session:
        found = queue_next_runs(session, NOW)
    assert [(n.name, n.state) for n in found] == [
        ("Hourly", "scheduled"),
        ("Daily", "scheduled"),
        ("Held", "paused"),
    ]
    assert found[1].at == datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
    assert found[0].at is not None
    assert NOW < found[0].at <= NOW + timedelta(hours=1)


def test_the_dashboard_shows_every_region_filled(
    app: FastAPI, admin_client: TestClient, context: AppContext, mode: Mode
) -> None:
    app.state.clock = lambda: NOW
    with context.database.session_scope() as session:
        instance = make_instance(session, context, name="Living-room Sonarr")
        queue = SearchQueue(
            name="Missing episodes",
            instance_id=instance.id,
            strategy="missing",
            order="oldest_first",
            schedule={"kind": "interval", "minutes": 60},
        )
        session.add(queue)
        session.flush()
        run = SearchRun(
            queue_id=queue.id,
            queue_name=queue.name,
            instance_id=instance.id,
            instance_name=instance.name,
            strategy="missing",
            order="oldest_first",
            status="running",
            started_at=NOW - timedelta(minutes=2),
            planned_commands=4,
            summary="4 to search",
        )
        session.add(run)
        session.flush()
        _command(
            session,
            instance.id,
            NOW - timedelta(minutes=1),
            run_id=run.id,
            position=0,
            label="Show S01E01",
            grabbed=1,
        )
        _command(
            session,
            instance.id,
            NOW - timedelta(seconds=30),
            run_id=run.id,
            position=1,
            label="Show S01E02",
            status="sent",
        )
        _command(session, instance.id, NOW - timedelta(days=3), label="Old S02E01")
    text = mode.page(mode.get(admin_client, "/"))
    running = text.split('id="region-running"')[1].split("</section>")[0]
    assert "Missing episodes" in running
    assert "1 of 4 searches done" in running
    assert 'value="25"' in running
    assert "Searching: <span>Show S01E02</span>" in running
    assert "Show S01E01: completed, 1 grabbed" in running
    assert f'href="/runs/{run.id}"' in running
    assert 'sse-connect="/events/stream"' in running
    next_runs = text.split('id="region-next-runs"')[1].split("</section>")[0]
    assert "Missing episodes" in next_runs
    assert "UTC</time>" in next_runs
    budgets = text.split('id="region-budgets"')[1].split("</section>")[0]
    assert "Last hour: 2 of 10" in budgets
    assert "Last 24 hours: 2 of 100" in budgets
    charts = text.split('id="region-charts"')[1].split("</section>")[0]
    assert "last 7 days: 3 items searched, 1 grabbed, grab rate 33.3 % of the items" in charts
    assert charts.count('class="chart-searches"') == 37
    assert '<th scope="row">2026-03-07</th><td>1</td><td>0</td>' in charts
    activity = text.split('id="region-activity"')[1].split("</section>")[0]
    assert "Old S02E01" in activity
    assert "Missing episodes</a>: running" in activity
    assert API_KEY not in text
    assert "192.168.1.50" not in text


def test_the_charts_and_budgets_count_a_run_as_soon_as_it_ends(
    app: FastAPI, admin_client: TestClient, context: AppContext, mode: Mode
) -> None:
    """They are cached for a while; a run ending must not wait that long to show (it did: the
    dashboard loaded right after a run still had no chart)."""
    app.state.clock = lambda: NOW
    with context.database.session_scope() as session:
        instance_id = make_instance(session, context, name="Living-room Sonarr").id
    before = mode.page(mode.get(admin_client, "/"))
    assert "chart-figure" not in before
    assert "Last hour: 0 of 10" in before
    with context.database.session_scope() as session:
        _command(session, instance_id, NOW - timedelta(minutes=1), grabbed=1)
    cached = mode.page(mode.get(admin_client, "/"))
    # Today is counted on every rendering; the budget bars are still the cached ones.
    assert "last 7 days: 1 item searched, 1 grabbed" in cached
    assert "Last hour: 0 of 10" in cached

    admin_client.portal.call(  # type: ignore[attr-defined]
        lambda: context.events.publish("run.finished", run_id=1, status="completed")
    )
    after = mode.page(mode.get(admin_client, "/"))
    charts = after.split('id="region-charts"')[1].split("</section>")[0]
    assert "last 7 days: 1 item searched, 1 grabbed, grab rate 100.0 %" in charts
    assert "Last hour: 1 of 10" in after


def test_the_rate_is_a_share_of_the_items_on_a_0_to_100_percent_scale() -> None:
    """Ten movies searched by one command, four grabbed: 40 % (it read 400 % when searches were
    counted as commands), drawn at 40 % of the height."""
    points = [DayTotals(date(2026, 3, 9), 10, 4), DayTotals(date(2026, 3, 10), 10, 10)]
    svg = str(bar_chart_svg(points, chart_id="c", title="Items searched and grabbed"))
    assert "2 days: 20 items searched, 14 grabbed, grab rate 70 %." in svg
    assert "2026-03-09: 10 items searched, 4 grabbed" in svg
    (line,) = re.findall(r'class="chart-rate" points="([^"]+)"', svg)
    ys = [float(pair.split(",")[1]) for pair in line.split()]
    plot_bottom, plot_height = 140, 130  # the chart's 160 px less its 20 px axis and 10 px top
    assert ys == [plot_bottom - 0.4 * plot_height, plot_bottom - plot_height]


def test_a_grab_counted_without_its_item_stays_inside_the_chart() -> None:
    """Defensive: should a day ever count more grabs than items (a row written by hand), the
    bars and the rate line keep in the box instead of being drawn above it, cut off."""
    points = [DayTotals(date(2026, 3, 9), 2, 1), DayTotals(date(2026, 3, 10), 1, 4)]
    svg = str(bar_chart_svg(points, chart_id="c", title="Searches and grabs"))
    tops = [float(y) for y in re.findall(r'<rect class="chart-\w+"[^>]* y="(-?[\d.]+)"', svg)]
    assert min(tops) == 10  # the top margin: the four grabs are the tallest bar
    (line,) = re.findall(r'class="chart-rate" points="([^"]+)"', svg)
    assert min(float(pair.split(",")[1]) for pair in line.split()) == 10  # the highest at the top
