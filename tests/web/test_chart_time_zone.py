"""The history charts count days in the user's time zone (Settings > General), not UTC days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.instances.conftest import make_instance
from tests.search.harness import add_command
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.settings_store import write_setting
from vibe_quality_searcharr.web.dashboard_data import daily_totals, local_midnights
from vibe_quality_searcharr.web.time_zone import TIME_ZONE_SETTING, zone_named

HONOLULU = ZoneInfo("Pacific/Honolulu")  # UTC-10, no DST
# 23:30 on 9 March in Honolulu is 09:30 on 10 March in UTC.
LATE_EVENING = datetime(2026, 3, 9, 23, 30, tzinfo=HONOLULU)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=HONOLULU)


def _search(context: AppContext, at: datetime, grabbed: int = 0) -> None:
    with context.database.session_scope() as session:
        instance = make_instance(session, context)
        add_command(
            session, instance.id, at.astimezone(UTC), instance_name=instance.name, grabbed=grabbed
        )


def test_a_search_at_half_past_eleven_local_counts_on_that_local_day(
    context: AppContext,
) -> None:
    _search(context, LATE_EVENING, grabbed=1)
    with context.database.session_scope() as session:
        local = daily_totals(session, date(2026, 3, 10), 7, HONOLULU)
        utc = daily_totals(session, date(2026, 3, 10), 7)
    by_day = {p.day: (p.searched, p.grabbed) for p in local}
    assert by_day[date(2026, 3, 9)] == (1, 1)
    assert by_day[date(2026, 3, 10)] == (0, 0)
    assert {p.day: p.searched for p in utc}[date(2026, 3, 10)] == 1  # the UTC day differs


def test_a_day_across_a_dst_change_is_23_hours_long() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    bounds = local_midnights(date(2026, 3, 28), 2, berlin)
    assert bounds[1] - bounds[0] == timedelta(hours=24)
    assert bounds[2] - bounds[1] == timedelta(hours=23)  # clocks go forward on 29 March


def test_an_unknown_or_missing_zone_falls_back_to_utc() -> None:
    assert zone_named("Mars/Olympus_Mons").key == "UTC"
    assert zone_named(None).key == "UTC"
    assert zone_named(" Pacific/Honolulu ").key == "Pacific/Honolulu"


def test_the_dashboard_chart_shows_the_search_on_the_local_day(
    app: FastAPI, admin_client: TestClient, context: AppContext, mode: Mode
) -> None:
    app.state.clock = lambda: NOW.astimezone(UTC)
    _search(context, LATE_EVENING)
    with context.database.session_scope() as session:
        write_setting(session, TIME_ZONE_SETTING, "Pacific/Honolulu")
    text = mode.page(mode.get(admin_client, "/"))
    charts = text.split('id="region-charts"')[1].split("</section>")[0]
    assert 'id="chart-7d"' in charts
    assert '<th scope="row">2026-03-09</th><td>1</td><td>0</td>' in charts
    assert '<th scope="row">2026-03-10</th><td>0</td><td>0</td>' in charts
    assert 'data-day="2026-03-10" data-value="0"' in charts
