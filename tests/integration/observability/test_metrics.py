"""GET /metrics: who may read it (an exact, tested gate) and what it says after a simulated
run's events and after real *arr client calls against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SignedInClient
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.arr.errors import ArrAuthFailed
from vibe_quality_searcharr.arr.factory import make_client
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.observability.metrics import Metrics
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings
from vibe_quality_searcharr.simulator.testing import RunningSimulator

METRICS_TOKEN = "m" * 16 + "e7c1a9f0b2d4c6e8"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


def publish_run(events: EventBus) -> None:
    events.publish(
        "run.started",
        run_id=1,
        queue_name="TV",
        scheduled_at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC).isoformat(),
        started_at=datetime(2025, 3, 1, 12, 0, 40, tzinfo=UTC).isoformat(),
    )
    for item in range(6):
        events.publish("item.searched", run_id=1, item_id=item)
    events.publish(
        "run.finished",
        run_id=1,
        queue_name="TV",
        instance_name="Sonarr",
        status="completed",
        searches=6,
        sent_commands=3,
        grabbed=2,
        skipped={"cooldown": 40, "excluded": 2, "bogus": "x"},
    )
    events.publish("run.finished", queue_name="TV", instance_name="Sonarr", status="held")
    events.publish("grab.confirmed", label="Show S01E01", queue_name="TV", instance_name="Sonarr")
    events.publish(
        "library.sync.finished", instance_name="Sonarr", duration_ms=2500, item_count=321
    )
    events.publish("instance.down", name="Radarr")


def test_metrics_after_a_simulated_runs_events(
    context: AppContext, admin_client: SignedInClient
) -> None:
    publish_run(context.events)
    context.metrics.set_budget_used("NZBgeek", "queries/day", 85, 100)
    response = admin_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    qi = {"queue": "TV", "instance": "Sonarr"}
    assert value(text, "vqs_runs_total", outcome="completed", **qi) == 1
    assert value(text, "vqs_runs_total", outcome="held", **qi) == 1
    assert value(text, "vqs_searches_sent_total", **qi) == 6
    assert value(text, "vqs_search_commands_sent_total", **qi) == 3
    assert value(text, "vqs_items_grabbed_total", **qi) == 3  # 2 in the run + 1 confirmed later
    assert value(text, "vqs_skips_total", reason="cooldown", **qi) == 40
    assert value(text, "vqs_skips_total", reason="excluded", **qi) == 2
    assert value(text, "vqs_skips_total", reason="bogus", **qi) is None
    assert value(text, "vqs_queue_lag_seconds_sum", queue="TV") == 40
    assert (
        value(text, "vqs_library_sync_duration_seconds_count", instance="Sonarr", outcome="ok") == 1
    )
    assert value(text, "vqs_library_items", instance="Sonarr") == 321
    assert value(text, "vqs_instance_up", instance="Radarr") == 0
    assert value(text, "vqs_budget_used_ratio", indexer="NZBgeek", limit="queries/day") == 0.85
    assert value(text, "vqs_budget_limit", indexer="NZBgeek", limit="queries/day") == 100


def test_arr_latency_and_errors_by_instance_from_real_client_calls(
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr")
    options = context.metrics.client_options(
        ClientOptions(read_timeout=5.0, retry=RetryPolicy(retries=0)), "Sonarr 4K"
    )

    async def calls() -> None:
        async with make_client("sonarr", sim.base_url, sim.api_key, options=options) as client:
            await client.system_status()
            await client.tags()
        async with make_client(
            "sonarr", sim.base_url, "wrong-key-0000000000", options=options
        ) as bad:
            with pytest.raises(ArrAuthFailed):
                await bad.system_status()

    asyncio.run(calls())
    text = admin_client.get("/metrics").text
    labels = {"instance": "Sonarr 4K", "app": "Sonarr", "method": "GET"}
    assert value(text, "vqs_arr_request_duration_seconds_count", **labels) == 3
    assert (value(text, "vqs_arr_request_duration_seconds_sum", **labels) or 0) > 0
    assert (
        value(
            text,
            "vqs_arr_request_errors_total",
            instance="Sonarr 4K",
            app="Sonarr",
            kind="arr_auth_failed",
        )
        == 1
    )
    assert sim.api_key not in text
    assert "wrong-key" not in text


def test_each_app_has_its_own_registry() -> None:
    one, two = Metrics(), Metrics()
    one.observe_queue_lag(
        "Q",
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=5),
    )
    assert b'vqs_queue_lag_seconds_count{queue="Q"} 1.0' in one.render()
    assert b'queue="Q"' not in two.render()
    one.observe_queue_lag(
        "Early", datetime(2025, 1, 1, 0, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert b'vqs_queue_lag_seconds_sum{queue="Early"} 0.0' in one.render()


# --- who may read /metrics ------------------------------------------------------------------


@pytest.fixture
def token_app(tmp_path: Path, database: Database) -> Iterator[FastAPI]:
    settings = load_settings(
        data_dir=tmp_path / "data", scheduler_enabled=False, metrics_token=METRICS_TOKEN
    )
    context = AppContext(
        settings=settings,
        secrets=ensure_secrets(settings),
        database=database,
        scheduler=Scheduler(),
        events=EventBus(),
    )
    return create_app(context=context)


def test_anonymous_callers_get_401_and_browsers_go_to_sign_in(anon_client: TestClient) -> None:
    response = anon_client.get("/metrics")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    page = anon_client.get("/metrics", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert anon_client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_read_tokens_and_viewer_sessions_may_read_metrics(
    admin_client: SignedInClient, viewer_client: SignedInClient, anon_client: TestClient
) -> None:
    token = admin_client.post("/api/v1/tokens", json={"name": "prom", "scope": "read"}).json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    assert anon_client.get("/metrics", headers=bearer).status_code == 200
    assert viewer_client.get("/metrics").status_code == 200


def test_the_metrics_token_opens_exactly_get_metrics(token_app: FastAPI) -> None:
    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    with TestClient(token_app) as client:
        ok = client.get("/metrics", headers=bearer)
        assert ok.status_code == 200
        assert "vqs_runs" in ok.text
        assert client.head("/metrics", headers=bearer).status_code in (200, 405)
        assert (
            client.get(
                "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"}
            ).status_code
            == 401
        )
        assert (
            client.get(
                "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN[:-1]}"}
            ).status_code
            == 401
        )
        assert (
            client.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"}).status_code
            == 401
        )
        for path in (
            "/metrics/",
            "/metricsx",
            "/api/v1/widget",
            "/api/v1/users",
            "/api/openapi.json",
        ):
            assert client.get(path, headers=bearer).status_code == 401, path
        assert client.post("/metrics", headers=bearer).status_code == 401
        assert client.get("/metrics", params={"x": "1"}, headers=bearer).status_code == 200
