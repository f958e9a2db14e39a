from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext


def test_live_answers_while_serving(client: TestClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json()["status"] == "alive"


def test_ready_lists_each_check(context: AppContext) -> None:
    context.settings = context.settings.model_copy(update={"scheduler_enabled": True})
    with TestClient(create_app(context=context)) as client:
        response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    # PostgreSQL: the replica also reports its event bridge (`test_bridge_readiness.py`).
    bridged = {"events"} if context.database.backend == "postgresql" else set()
    assert set(body["checks"]) == {"database", "migrations", "scheduler", *bridged}
    assert all(check["ok"] for check in body["checks"].values())


def test_ready_is_503_when_the_scheduler_is_stopped(
    client: TestClient, context: AppContext
) -> None:
    context.settings = context.settings.model_copy(update={"scheduler_enabled": True})
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"]["ok"] is False


def test_ready_is_503_when_the_database_file_is_gone(
    client: TestClient, context: AppContext
) -> None:
    if context.database.sqlite_path is None:
        context.database.engine.dispose()
        unreachable = context.database.engine.url.set(port=1)
        context.database.engine = create_engine(unreachable, connect_args={"connect_timeout": 2})
    else:
        context.database.sqlite_path.unlink()
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is False
    assert body["status"] == "not_ready"


def test_ready_is_503_while_a_migration_is_pending(client: TestClient, context: AppContext) -> None:
    from vibe_quality_searcharr.db import migrate

    migrate.downgrade(context.database, "base")
    response = client.get("/health/ready")
    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert migrations == {"ok": False, "current": None, "head": migrate.head_revision()}


def test_probes_carry_no_secret(client: TestClient, context: AppContext) -> None:
    bodies = client.get("/health/live").text + client.get("/health/ready").text
    for secret in context.secrets.values():
        assert secret not in bodies
    assert "database_key" not in bodies


def test_probes_need_no_credentials_and_are_never_cached(client: TestClient) -> None:
    for path in ("/health/live", "/health/ready"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Type"] == "application/json"
