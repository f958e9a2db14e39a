"""Two replicas (two apps, each served by its own uvicorn and event loop) on one PostgreSQL
schema, as behind a reverse proxy without sticky sessions: a browser signed in on one is signed
in on the other, and its live dashboard stream shows what every replica does, once, without a
secret. And an app on PostgreSQL always shuts down promptly, however many clients it had."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from tests.conftest import TEST_PASSWORD
from tests.integration.events.replicas import SseReader, listeners_on, serve, wait_for
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_postgres
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.events_postgres import PostgresEventBridge, bridge_of
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings

pytestmark = pytest.mark.postgres
MASTER = "m" * 40
PEPPER = "p" * 40
SECRET = "0123456789abcdef0123456789abcdef"


@dataclass
class Replica:
    app: FastAPI
    context: AppContext

    @property
    def bridge(self) -> PostgresEventBridge:
        bridge = bridge_of(self.context.events)
        assert bridge is not None
        return bridge


def _replica(tmp_path: Path, name: str, url: str, schema: str) -> Replica:
    """A replica with its own data directory; the secrets are shared, given as settings."""
    settings = load_settings(
        data_dir=tmp_path / name, scheduler_enabled=False, master_secret=MASTER, pepper=PEPPER
    )
    database = open_postgres(url, schema=schema)
    context = AppContext(
        settings=settings,
        secrets=ensure_secrets(settings),
        database=database,
        scheduler=Scheduler(),
        events=EventBus(),
    )
    return Replica(create_app(context=context), context)


@pytest.fixture
def two_replicas(
    tmp_path: Path, postgres_schema: tuple[str, str]
) -> Iterator[tuple[Replica, Replica]]:
    url, schema = postgres_schema
    first = _replica(tmp_path, "a", url, schema)
    migrate.upgrade(first.context.database)
    second = _replica(tmp_path, "b", url, schema)
    yield first, second
    first.context.database.dispose()
    second.context.database.dispose()


@pytest.fixture
def served(
    two_replicas: tuple[Replica, Replica], postgres_schema: tuple[str, str]
) -> Iterator[tuple[str, str]]:
    first, second = two_replicas
    with serve(first.app) as url_a, serve(second.app) as url_b:
        engine = create_engine(postgres_schema[0])
        try:
            wait_for(lambda: listeners_on(engine, postgres_schema[1]) == 2, "both bridges")
        finally:
            engine.dispose()
        yield url_a, url_b


def _sign_in(url: str) -> tuple[str, str]:
    """Create the first admin through replica `url`: (session cookie, CSRF token)."""
    response = httpx.post(
        f"{url}/api/v1/setup", json={"username": "admin", "password": TEST_PASSWORD}, timeout=30
    )
    assert response.status_code == 201, response.text
    return response.cookies[SESSION_COOKIE], response.json()["csrf_token"]


def test_a_session_from_one_replica_is_valid_on_the_other_until_signed_out(
    served: tuple[str, str],
) -> None:
    url_a, url_b = served
    token, csrf = _sign_in(url_a)
    on_b = httpx.Client(base_url=url_b, cookies={SESSION_COOKIE: token}, timeout=30)
    on_a = httpx.Client(base_url=url_a, cookies={SESSION_COOKIE: token}, timeout=30)
    with on_a, on_b:
        assert on_b.get("/api/v1/auth/me").json()["username"] == "admin"
        assert on_b.get("/").status_code == 200
        # The CSRF token A issued is accepted by B: both derive it from the shared secret.
        created = on_b.post(
            "/api/v1/tokens", json={"name": "cli", "scope": "read"}, headers={"X-CSRF-Token": csrf}
        )
        assert created.status_code == 201, created.text
        refused = on_b.post("/api/v1/tokens", json={"name": "cli2", "scope": "read"})
        assert refused.status_code == 403
        assert on_a.get("/api/v1/tokens").json()["total"] == 1

        assert on_b.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert on_a.get("/api/v1/auth/me").status_code == 401  # revoked everywhere at once


def test_the_live_stream_of_one_replica_shows_the_events_of_every_replica_once(
    two_replicas: tuple[Replica, Replica], served: tuple[str, str]
) -> None:
    first, second = two_replicas
    url_a, url_b = served
    token, _ = _sign_in(url_a)
    stream = SseReader(f"{url_b}/events/stream", {SESSION_COOKIE: token}).start()
    assert stream.status == 200
    wait_for(lambda: len(second.context.events._subscribers) == 1, "B's stream to subscribe")

    first.context.events.publish(
        "instance.created", instance_id=1, name="Sonarr on A", app="sonarr", api_key=SECRET
    )
    kind, data = stream.next()
    assert kind == "activity"
    assert "Sonarr on A" in data
    assert SECRET not in data

    # B's own event reaches its stream once: its NOTIFY comes back to B and is dropped.
    second.context.events.publish("instance.created", instance_id=2, name="Radarr on B", app="r")
    wait_for(lambda: second.bridge.ignored == 1, "B to hear its own event back")
    first.context.events.publish("instance.created", instance_id=3, name="Lidarr on A", app="l")
    assert "Radarr on B" in stream.next()[1]
    assert "Lidarr on A" in stream.next()[1]

    # A run on A moves the "Running now" region of B's dashboard.
    first.context.events.publish(
        "run.started", run_id=9, queue_id=1, queue="Missing episodes", instance_id=1,
        instance="Sonarr on A", strategy="missing",
    )  # fmt: skip
    kind, data = stream.next()
    assert kind == "running"
    assert "Missing episodes" in data
    assert stream.empty()
    wait_for(lambda: first.bridge.ignored == 3, "A to hear its three events back")
    assert first.bridge.received == 1  # B's one event; A's own came back and were dropped


def _lifespans(app: FastAPI, seen: list[PostgresEventBridge]) -> None:
    with TestClient(app) as one, TestClient(app) as two:  # as admin_client + viewer_client do
        assert one.get("/health/live").status_code == 200
        assert two.get("/health/live").status_code == 200
        bridge = bridge_of(app.state.context.events)
        assert bridge is not None
        assert bridge.listening.wait(15)
        seen.append(bridge)


def test_an_app_on_postgres_shuts_down_promptly_with_nested_lifespans(
    two_replicas: tuple[Replica, Replica], postgres_schema: tuple[str, str]
) -> None:
    replica = two_replicas[0]
    seen: list[PostgresEventBridge] = []
    worker = threading.Thread(target=_lifespans, args=(replica.app, seen), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a hang guard: the bridge stops within its 3 s bound
    assert not worker.is_alive(), "the app's lifespan did not shut down"
    [bridge] = seen  # one bridge for both lifespans, stopped by the last
    assert bridge_of(replica.context.events) is None
    assert not [t.name for t in threading.enumerate() if t.name.endswith(bridge.origin)]
    engine = create_engine(postgres_schema[0])
    try:
        wait_for(lambda: listeners_on(engine, postgres_schema[1]) == 0, "the listener to go")
    finally:
        engine.dispose()
