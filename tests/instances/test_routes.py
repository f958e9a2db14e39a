"""The instances API: CRUD, validation that stores nothing, keys that never leave encrypted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests.instances.conftest import API_KEY, make_instance, status_json
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box

NEW = {
    "name": "Sonarr 4K",
    "app": "sonarr",
    "url": "http://192.168.1.10:8989/sonarr/",
    "api_key": API_KEY,
}
OTHER_KEY = "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"


def count(context: AppContext) -> int:
    with context.database.session_scope() as session:
        return session.scalar(select(func.count()).select_from(Instance)) or 0


def stored_column(context: AppContext, instance_id: int) -> str:
    with context.database.session_scope() as session:
        value = session.execute(
            text("SELECT api_key_encrypted FROM instance WHERE id = :id"), {"id": instance_id}
        ).scalar_one()
    return str(value)


def create(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/instances", json=NEW | overrides)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_stores_the_key_encrypted_and_never_returns_it(
    admin_client: TestClient, context: AppContext
) -> None:
    body = create(admin_client)
    assert body["api_key_set"] is True
    assert "api_key" not in body
    assert body["url"] == "http://192.168.1.10:8989/sonarr"  # URL base kept, slash trimmed
    assert body["app"] == "sonarr"
    assert body["enabled"] is True
    column = stored_column(context, body["id"])
    assert API_KEY not in column
    assert column.startswith("gAAAA")  # a Fernet token
    assert api_key_box(context.secrets.master_secret).decrypt(column) == API_KEY


def test_list_is_paged(admin_client: TestClient) -> None:
    for index in range(3):
        create(admin_client, name=f"Sonarr {index}")
    response = admin_client.get("/api/v1/instances", params={"page": 2, "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    assert body["page"] == 2
    assert body["page_size"] == 2
    assert [item["name"] for item in body["items"]] == ["Sonarr 2"]
    assert admin_client.get("/api/v1/instances", params={"page_size": 500}).status_code == 422


def test_update_without_a_key_keeps_the_stored_one(
    admin_client: TestClient, context: AppContext
) -> None:
    created = create(admin_client)
    before = stored_column(context, created["id"])
    response = admin_client.patch(
        f"/api/v1/instances/{created['id']}", json={"name": "Renamed", "enabled": False}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    assert response.json()["enabled"] is False
    assert stored_column(context, created["id"]) == before

    response = admin_client.put(f"/api/v1/instances/{created['id']}", json={"api_key": OTHER_KEY})
    assert response.status_code == 200
    box = api_key_box(context.secrets.master_secret)
    assert box.decrypt(stored_column(context, created["id"])) == OTHER_KEY


def test_delete_removes_the_instance(admin_client: TestClient, context: AppContext) -> None:
    created = create(admin_client)
    assert admin_client.delete(f"/api/v1/instances/{created['id']}").status_code == 204
    assert admin_client.get(f"/api/v1/instances/{created['id']}").status_code == 404
    assert count(context) == 0


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"url": "ftp://192.168.1.10"}, "url", "http"),
        ({"url": "http://user:pass@192.168.1.10:8989"}, "url", "user name and password"),
        ({"url": "http://169.254.169.254/latest"}, "url", "metadata"),
        ({"url": "http://[fe80::1]:8989"}, "url", "link-local"),
        ({"url": "http://[fd00:ec2::254]/"}, "url", "metadata"),
        ({"url": "http://metadata.google.internal"}, "url", "metadata"),
        ({"name": "   "}, "name", "enter a name"),
        ({"app": "plex"}, "app", "sonarr"),
        ({"api_key": "short"}, "api_key", "Settings > General"),
        ({"api_key": "has spaces in the middle"}, "api_key", "Settings > General"),
        ({"surprise": True}, "surprise", "xtra"),
    ],
)
def test_invalid_input_is_a_clear_422_and_stores_nothing(
    admin_client: TestClient, context: AppContext, changes: dict[str, Any], field: str, says: str
) -> None:
    response = admin_client.post("/api/v1/instances", json=NEW | changes)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation"
    assert field in body["fields"]
    assert says in body["fields"][field]
    assert API_KEY not in response.text
    assert count(context) == 0


def test_an_invalid_update_changes_nothing(admin_client: TestClient, context: AppContext) -> None:
    created = create(admin_client)
    response = admin_client.patch(
        f"/api/v1/instances/{created['id']}",
        json={"name": "New name", "url": "http://169.254.169.254"},
    )
    assert response.status_code == 422
    assert admin_client.get(f"/api/v1/instances/{created['id']}").json()["name"] == "Sonarr 4K"


def test_duplicate_names_conflict(admin_client: TestClient, context: AppContext) -> None:
    create(admin_client)
    response = admin_client.post("/api/v1/instances", json=NEW)
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]
    assert count(context) == 1


def test_viewers_read_but_cannot_change_and_strangers_get_nothing(
    admin_client: TestClient, viewer_client: TestClient, anon_client: TestClient
) -> None:
    created = create(admin_client)
    assert viewer_client.get("/api/v1/instances").status_code == 200
    assert viewer_client.get(f"/api/v1/instances/{created['id']}").status_code == 200
    assert viewer_client.post("/api/v1/instances", json=NEW | {"name": "x"}).status_code == 403
    assert viewer_client.delete(f"/api/v1/instances/{created['id']}").status_code == 403
    assert viewer_client.post("/api/v1/instances/test", json=NEW).status_code == 403
    assert anon_client.get("/api/v1/instances").status_code == 401
    assert anon_client.get(f"/api/v1/instances/{created['id']}").status_code == 401


def test_connection_test_before_saving_reports_app_version_name_latency(
    admin_client: TestClient, context: AppContext
) -> None:
    with respx.mock:
        route = respx.get("http://192.168.1.10:8989/sonarr/api/v3/system/status").respond(
            json=status_json()
        )
        response = admin_client.post("/api/v1/instances/test", json=NEW)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["app"] == "sonarr"
    assert body["version"] == "4.0.14.2939"
    assert body["instance_name"] == "Sonarr (home)"
    assert body["name"] == "Sonarr 4K"
    assert isinstance(body["latency_ms"], int)
    assert route.calls.last.request.headers["X-Api-Key"] == API_KEY
    assert count(context) == 0


@pytest.mark.parametrize(
    ("answer", "error", "says"),
    [
        (httpx.Response(401), "arr_auth_failed", "Settings > General"),
        (
            httpx.Response(200, json=status_json("Radarr", "5.8.0.9000")),
            "arr_wrong_app",
            "'radarr'",
        ),
        (httpx.ConnectError("Connection refused"), "arr_unreachable", "host name and port"),
        (
            httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}),
            "arr_bad_response",
            "web page",
        ),
    ],
)
def test_a_failing_connection_test_gives_one_clear_error(
    admin_client: TestClient, answer: httpx.Response | Exception, error: str, says: str
) -> None:
    with respx.mock:
        respx.get("http://192.168.1.10:8989/sonarr/api/v3/system/status").mock(side_effect=[answer])
        response = admin_client.post("/api/v1/instances/test", json=NEW)
    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is False
    assert body["error"] == error
    assert says in body["detail"]
    assert body["version"] is None


def test_a_host_resolving_to_metadata_is_refused_at_test_time(admin_client: TestClient) -> None:
    with respx.mock:
        route = respx.get(url__startswith="http://metadata-alias.lan").respond(json=status_json())
        response = admin_client.post(
            "/api/v1/instances/test", json=NEW | {"url": "http://metadata-alias.lan:8989"}
        )
    assert response.json()["ok"] is False
    assert response.json()["error"] == "blocked_address"
    assert not route.called


def test_testing_a_saved_instance_uses_its_stored_key_or_an_edit(
    admin_client: TestClient, context: AppContext
) -> None:
    with context.database.session_scope() as session:
        instance_id = make_instance(
            session, context, url="http://192.168.1.50:7878", app="radarr"
        ).id
    with respx.mock:
        route = respx.get("http://192.168.1.50:7878/api/v3/system/status").respond(
            json=status_json("Radarr", "5.2.6.8376")
        )
        saved = admin_client.post(f"/api/v1/instances/{instance_id}/test")
        edited = admin_client.post(
            f"/api/v1/instances/{instance_id}/test", json={"api_key": OTHER_KEY}
        )
    assert saved.json()["ok"] is True
    assert saved.json()["app"] == "radarr"
    assert edited.json()["ok"] is True
    keys = [call.request.headers["X-Api-Key"] for call in route.calls]
    assert keys == [API_KEY, OTHER_KEY]
    assert admin_client.post("/api/v1/instances/999/test").status_code == 404


def test_no_instance_endpoint_ever_returns_the_key(
    admin_client: TestClient, viewer_client: TestClient
) -> None:
    bodies: list[str] = []
    with respx.mock:
        respx.get(url__regex=r".*/system/status$").respond(json=status_json())
        created = admin_client.post("/api/v1/instances", json=NEW)
        bodies.append(created.text)
        instance_id = created.json()["id"]
        for response in (
            admin_client.get("/api/v1/instances"),
            admin_client.get(f"/api/v1/instances/{instance_id}"),
            viewer_client.get("/api/v1/instances"),
            viewer_client.get(f"/api/v1/instances/{instance_id}"),
            admin_client.patch(f"/api/v1/instances/{instance_id}", json={"name": "B"}),
            admin_client.put(f"/api/v1/instances/{instance_id}", json={"api_key": API_KEY}),
            admin_client.post("/api/v1/instances/test", json=NEW),
            admin_client.post(f"/api/v1/instances/{instance_id}/test"),
            admin_client.get(f"/api/v1/instances/{instance_id}/health/events"),
            admin_client.post("/api/v1/instances", json=NEW | {"name": "B"}),
            admin_client.post("/api/v1/instances", json=NEW | {"url": "http://169.254.169.254"}),
            admin_client.delete(f"/api/v1/instances/{instance_id}"),
        ):
            assert response.status_code < 500
            bodies.append(response.text)
            bodies.append(str(response.headers))
        respx.get(url__regex=r".*/system/status$").respond(401)
        bodies.append(admin_client.post("/api/v1/instances/test", json=NEW).text)
    assert all(API_KEY not in body for body in bodies)


def test_health_state_and_history_are_shown_with_the_instance(
    admin_client: TestClient, viewer_client: TestClient, context: AppContext
) -> None:
    from vibe_quality_searcharr.instances.health import CheckResult, HealthMonitor, HealthPolicy

    created = create(admin_client)
    monitor = HealthMonitor(
        database=context.database,
        events=context.events,
        box=api_key_box(context.secrets.master_secret),
        checker=None,  # type: ignore[arg-type]  # record() is fed results directly
        policy=HealthPolicy(failures_to_down=1),
    )
    monitor.record(created["id"], CheckResult(ok=False, error="Cannot reach Sonarr"))
    body = viewer_client.get(f"/api/v1/instances/{created['id']}").json()
    assert body["health"]["status"] == "unhealthy"
    assert body["health"]["paused_by_health"] is True
    assert body["health"]["last_error"] == "Cannot reach Sonarr"
    events = viewer_client.get(f"/api/v1/instances/{created['id']}/health/events").json()
    assert events["total"] == 1
    assert events["items"][0]["kind"] == "down"
    assert events["items"][0]["paused_by_health"] is True


def test_deleting_an_instance_removes_its_health_and_history(
    admin_client: TestClient, context: AppContext
) -> None:
    from vibe_quality_searcharr.instances.health import CheckResult, HealthMonitor, HealthPolicy

    created = create(admin_client)
    monitor = HealthMonitor(
        database=context.database,
        events=context.events,
        box=api_key_box(context.secrets.master_secret),
        checker=None,  # type: ignore[arg-type]
        policy=HealthPolicy(failures_to_down=1),
    )
    monitor.record(created["id"], CheckResult(ok=False, error="down"))
    assert admin_client.delete(f"/api/v1/instances/{created['id']}").status_code == 204
    with context.database.session_scope() as session:
        for table in ("instance_health", "instance_health_event"):
            assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
