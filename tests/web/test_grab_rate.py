"""The grab rate is the share of the items searched that were grabbed, everywhere it is shown or
returned: one command searching ten movies that grabs four is 40 % on the dashboard's chart and
table, on the run's page, and 0.4 in the stats API (it read 400 % and 4.0)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from tests.conftest import SignedInClient
from tests.instances.conftest import make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.models import (
    SearchCommand,
    SearchCommandItem,
    SearchQueue,
    SearchRun,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
MOVIES = list(range(101, 111))
GRABBED = {102, 104, 107, 110}


def _ten_movie_run(context: AppContext) -> tuple[int, int, int]:
    """A finished run of one MoviesSearch command of ten movies, four of them grabbed, as the
    executor records it; returns (queue id, instance id, run id)."""
    with context.database.session_scope() as session:
        instance = make_instance(session, context, name="Radarr", app="radarr")
        queue = SearchQueue(
            name="Missing movies",
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
            status="completed",
            started_at=NOW - timedelta(minutes=10),
            finished_at=NOW - timedelta(minutes=5),
            planned_commands=1,
            planned_items=10,
            sent_commands=1,
            searches=10,
            grabbed=len(GRABBED),
        )
        session.add(run)
        session.flush()
        command = SearchCommand(
            run_id=run.id,
            queue_id=queue.id,
            queue_name=queue.name,
            instance_id=instance.id,
            instance_name=instance.name,
            strategy="missing",
            kind="MoviesSearch",
            item_ids=MOVIES,
            label="Ten movies",
            status="completed",
            arr_command_id=77,
            intent_at=NOW - timedelta(minutes=9),
            sent_at=NOW - timedelta(minutes=9),
            finished_at=NOW - timedelta(minutes=6),
            grabbed=len(GRABBED),
        )
        session.add(command)
        session.flush()
        session.add_all(
            SearchCommandItem(
                command_id=command.id,
                instance_id=instance.id,
                item_id=movie,
                label=f"Movie {movie}",
                grabbed=movie in GRABBED,
                grabbed_at=NOW - timedelta(minutes=6) if movie in GRABBED else None,
            )
            for movie in MOVIES
        )
        return queue.id, instance.id, run.id


def test_ten_items_searched_by_one_command_and_four_grabbed_is_40_percent(
    app: FastAPI, context: AppContext, admin_client: SignedInClient
) -> None:
    app.state.clock = lambda: NOW
    queue_id, instance_id, run_id = _ten_movie_run(context)

    for scope in (f"/api/v1/queues/{queue_id}/stats", f"/api/v1/instances/{instance_id}/stats"):
        week = admin_client.get(scope).json()["periods"][0]
        assert week["searches"] == 1
        assert week["items_searched"] == 10
        assert week["grabbed"] == 4
        assert week["grab_rate"] == 0.4

    for mode in (Mode(htmx=False), Mode(htmx=True)):
        dashboard = mode.page(mode.get(admin_client, "/"))
        charts = dashboard.split('id="region-charts"')[1].split("</section>")[0]
        assert "last 7 days: 10 items searched, 4 grabbed, grab rate 40.0 % of the items" in charts
        assert '<th scope="row">2026-03-10</th><td>10</td><td>4</td><td>40.0 %</td>' in charts
        assert "7 days: 10 items searched, 4 grabbed, grab rate 40 %." in charts  # the SVG desc
        bars = re.findall(
            r'class="chart-(searches|grabs)" data-day="2026-03-10" data-value="(\d+)"', charts
        )
        assert bars == [("searches", "10"), ("grabs", "4")] * 2  # the 7- and 30-day charts
        heights = re.findall(
            r'class="chart-(?:searches|grabs)" data-day="2026-03-10"[^>]* height="([\d.]+)"',
            charts,
        )
        assert float(heights[1]) == 0.4 * float(heights[0])
        assert "400" not in charts

        run_page = mode.page(mode.get(admin_client, f"/runs/{run_id}"))
        assert "<dt>Grab rate</dt><dd>40.0 %: 4 of the 10 items searched grabbed</dd>" in run_page


def test_a_run_that_searched_nothing_has_no_rate_rather_than_zero(
    app: FastAPI, context: AppContext, admin_client: SignedInClient
) -> None:
    app.state.clock = lambda: NOW
    with context.database.session_scope() as session:
        instance = make_instance(session, context)
        run = SearchRun(
            instance_id=instance.id,
            instance_name=instance.name,
            queue_name="Gone",
            strategy="missing",
            order="oldest_first",
            status="completed",
            started_at=NOW - timedelta(minutes=1),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    page = Mode(htmx=False).page(
        admin_client.get(f"/runs/{run_id}", headers={"Accept": "text/html"})
    )
    assert "<dt>Grab rate</dt><dd>no item searched yet</dd>" in page
