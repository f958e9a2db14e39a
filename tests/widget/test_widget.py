"""GET /api/v1/widget: the dashboard summary, from the mirror, the history and health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from tests.conftest import SignedInClient
from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import InstanceHealth
from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.search.models import SearchCommand, SearchCommandItem
from vibe_quality_searcharr.widget.service import start_of_day, summary

NOW = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)
TODAY = start_of_day(NOW)


def command(session: Session, instance_id: int, at: datetime, status: str = "completed") -> int:
    row = SearchCommand(
        instance_id=instance_id,
        strategy="missing",
        kind="EpisodeSearch",
        status=status,
        intent_at=at,
    )
    session.add(row)
    session.flush()
    return row.id


def grab(session: Session, command_id: int, item_id: int, at: datetime | None) -> None:
    session.add(
        SearchCommandItem(
            command_id=command_id, item_id=item_id, grabbed=at is not None, grabbed_at=at
        )
    )


def fill(session: Session, context: AppContext) -> None:
    sonarr = make_instance(session, context, name="Sonarr")
    radarr = make_instance(session, context, name="Radarr", app="radarr")
    lidarr = make_instance(session, context, name="Lidarr", app="lidarr")
    off = make_instance(session, context, name="Off", enabled=False)
    session.add_all(
        [
            InstanceHealth(instance_id=sonarr.id, status="healthy"),
            InstanceHealth(instance_id=radarr.id, status="unhealthy"),
            InstanceHealth(instance_id=lidarr.id, status="unknown"),
            InstanceHealth(instance_id=off.id, status="unhealthy"),
        ]
    )
    rows: list[dict[str, Any]] = [
        {"instance_id": sonarr.id, "arr_id": n, "missing": n % 3 != 0, "cutoff_unmet": n % 3 == 0}
        for n in range(1, 1201)
    ]
    session.execute(insert(LibraryItem), rows)
    today_1 = command(session, sonarr.id, TODAY + timedelta(hours=1))
    today_2 = command(session, radarr.id, TODAY + timedelta(hours=9), status="sent")
    command(session, sonarr.id, TODAY + timedelta(hours=10), status="not_sent")
    yesterday = command(session, sonarr.id, TODAY - timedelta(hours=2))
    old = command(session, sonarr.id, TODAY - timedelta(days=30))
    grab(session, today_1, 1, TODAY + timedelta(hours=2))
    grab(session, today_1, 2, None)
    grab(session, today_2, 3, TODAY + timedelta(hours=9, minutes=5))
    grab(session, yesterday, 4, TODAY + timedelta(minutes=10))  # searched yesterday, grabbed today
    grab(session, yesterday, 5, TODAY - timedelta(hours=1))  # grabbed yesterday
    grab(session, old, 6, TODAY - timedelta(days=29))
    grab(session, old, 7, TODAY + timedelta(hours=3))  # a late grab of an old search counts
    session.flush()


def test_the_summary_counts_today_in_utc(session: Session, context: AppContext) -> None:
    fill(session, context)
    result = summary(session, NOW)
    assert result.model_dump() == {
        "missing": 800,
        "cutoff_unmet": 400,
        "searches_today": 2,
        "grabs_today": 4,
        "instances_up": 1,
        "instances_down": 1,
    }
    tomorrow = summary(session, NOW + timedelta(days=1))
    assert (tomorrow.searches_today, tomorrow.grabs_today) == (0, 0)


def test_an_empty_install_answers_zeros(admin_client: SignedInClient) -> None:
    body = admin_client.get("/api/v1/widget").json()
    assert body == dict.fromkeys(
        [
            "missing",
            "cutoff_unmet",
            "searches_today",
            "grabs_today",
            "instances_up",
            "instances_down",
        ],
        0,
    )


def test_a_read_only_token_is_enough_and_anonymous_is_refused(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, anon_client: TestClient
) -> None:
    with context.database.session_scope() as session:
        fill(session, context)
    app.state.clock = lambda: NOW
    token = admin_client.post("/api/v1/tokens", json={"name": "homepage", "scope": "read"}).json()
    response = anon_client.get(
        "/api/v1/widget", headers={"Authorization": f"Bearer {token['token']}"}
    )
    assert response.status_code == 200
    assert response.json()["missing"] == 800
    assert response.json()["grabs_today"] == 4
    assert anon_client.get("/api/v1/widget").status_code == 401
