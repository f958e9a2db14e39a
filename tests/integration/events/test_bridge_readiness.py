"""Readiness reports the PostgreSQL event bridge: while it is cut off from the server the replica
stays ready (200: it serves every request correctly) but says "degraded", with the reason and no
secret; once the bridge is back, plain "ready" again."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import sign_in_client
from tests.reliability.dbfaults import TcpProxy
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.events_postgres import (
    PostgresEventBridge,
    bridge_of,
    start_event_bridge,
    stop_event_bridge,
)
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings

pytestmark = pytest.mark.postgres
WAIT = 30.0


def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.02)


@pytest.fixture
def cut_off_bridge(
    settings: Settings, postgres_schema: tuple[str, str]
) -> Iterator[tuple[AppContext, PostgresEventBridge, TcpProxy]]:
    """The app reads its database directly; its bus's bridge reaches PostgreSQL through a proxy
    the test can cut, so the bridge loses the server while the database stays up."""
    url, schema = postgres_schema
    database = open_postgres(url, schema=schema)
    migrate.upgrade(database)
    server = make_url(url)
    proxy = TcpProxy(server.host or "127.0.0.1", server.port or 5432)
    through = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    bridged: Database = open_postgres(through, schema=schema)
    context = AppContext(settings, ensure_secrets(settings), database, Scheduler(), EventBus())
    bridge = start_event_bridge(context.events, bridged)  # the app's lifespan shares this one
    assert bridge is not None
    try:
        yield context, bridge, proxy
    finally:
        stop_event_bridge(bridge)
        proxy.close()
        bridged.dispose()
        database.dispose()


def test_a_disconnected_event_bridge_is_degraded_not_unready(
    cut_off_bridge: tuple[AppContext, PostgresEventBridge, TcpProxy],
    postgres_schema: tuple[str, str],
) -> None:
    context, bridge, proxy = cut_off_bridge
    with sign_in_client(create_app(context=context), context, "admin") as client:
        assert bridge_of(context.events) is bridge
        assert bridge.listening.wait(WAIT)
        response = client.get("/health/ready")
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        assert body["status"] == "ready"
        assert body["checks"]["events"] == {"ok": True, "required": False, "state": "connected"}

        proxy.cut()
        until(lambda: bridge.status().state == "disconnected", "disconnected")
        response = client.get("/health/ready")
        assert response.status_code == 200  # still routed to: it serves requests correctly
        body = response.json()
        assert body["status"] == "degraded"
        events = body["checks"]["events"]
        assert (events["ok"], events["required"], events["state"]) == (False, False, "disconnected")
        assert "does not hear other replicas' events" in events["detail"]
        assert "serves requests normally" in events["detail"]
        assert events["since"]
        assert all(body["checks"][name]["ok"] for name in ("database", "migrations", "scheduler"))
        url, schema = postgres_schema
        assert str(proxy.port) not in response.text
        assert url not in response.text
        assert schema not in response.text
        assert client.get("/api/v1/queues").status_code == 200

        proxy.restore()
        until(lambda: bridge.status().state == "connected", "reconnected")
        response = client.get("/health/ready")
        assert response.status_code == 200
        assert response.json()["status"] == "ready"
        assert response.json()["checks"]["events"]["ok"] is True
