"""Walks every route the app registers and checks who may call it.

- anonymous: 401 (or a redirect to /login for a page) everywhere except the allow-list;
- viewer: 403 on every state-changing route except the self-service list (own account);
- read-only API token: 403 on every state-changing route, self-service included;
- signed-in browser without the CSRF token: 403 on every state-changing route.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import SignedInClient, sign_in_client
from tests.security.routes_under_test import UNSAFE, all_routes
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.security.allowlist import (
    PUBLIC_PATHS,
    SELF_SERVICE,
    is_public,
    is_self_service,
)


def test_the_route_walk_finds_the_routes_of_this_issue(app: FastAPI) -> None:
    routes = all_routes(app)
    assert ("POST", "/api/v1/tokens") in routes
    assert ("DELETE", "/api/v1/users/1") in routes
    assert ("GET", "/api/openapi.json") in routes
    assert len(routes) > 25


def test_anonymous_gets_401_everywhere_but_the_allow_list(
    app: FastAPI, anon_client: TestClient
) -> None:
    reached = []
    for method, path in all_routes(app):
        response = anon_client.request(
            method, path, headers={"Accept": "application/json"}, json={}, follow_redirects=False
        )
        if is_public(path):
            continue
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["error"] == "unauthorized"
        reached.append(path)
    assert "/api/v1/users" in reached


def test_anonymous_page_requests_are_sent_to_sign_in(app: FastAPI, anon_client: TestClient) -> None:
    pages = [
        path
        for method, path in all_routes(app)
        if method == "GET" and not is_public(path) and not path.startswith("/api/")
    ]
    pages.append("/api/docs")
    for path in pages:
        response = anon_client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_every_allow_listed_path_is_a_registered_route(app: FastAPI) -> None:
    registered = {path for _method, path in all_routes(app)}
    assert registered >= PUBLIC_PATHS


def test_viewer_gets_403_on_every_state_changing_route(
    app: FastAPI, viewer_client: SignedInClient
) -> None:
    checked = 0
    for method, path in all_routes(app):
        if method not in UNSAFE or is_public(path) or is_self_service(method, path):
            continue
        response = viewer_client.request(method, path, json={}, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert response.json()["error"] == "forbidden"
        checked += 1
    assert checked >= 4
    # The viewer is still signed in: no check above ended the session.
    assert viewer_client.get("/api/v1/auth/me").status_code == 200


# Reads only admins may make: the database and its backups (every stored secret, encrypted), the
# configuration export, and the admin settings pages.
ADMIN_ONLY_READS = (
    "/api/v1/backups",
    "/api/v1/config",
    "/api/v1/system",
    "/settings/backups",
    "/settings/configuration",
    "/settings/database",
    "/settings/general",
    "/settings/notifications",
    "/settings/users",
)


def test_viewer_gets_403_on_every_admin_only_read(
    app: FastAPI, viewer_client: SignedInClient
) -> None:
    checked = set()
    for method, path in all_routes(app):
        if method != "GET" or not path.startswith(ADMIN_ONLY_READS):
            continue
        response = viewer_client.get(
            path, headers={"Accept": "application/json"}, follow_redirects=False
        )
        assert response.status_code == 403, (path, response.status_code)
        assert response.json()["error"] == "forbidden"
        checked.add(path)
    assert {
        "/api/v1/backups",
        "/api/v1/backups/restore",
        "/api/v1/backups/1/download",
        "/settings/backups/1/download",
        "/settings/notifications",
        "/settings/general",
        "/settings/configuration/export",
    } <= checked


def test_the_admin_settings_routes_are_on_no_allow_list(app: FastAPI) -> None:
    routes = [(m, p) for m, p in all_routes(app) if p.startswith(ADMIN_ONLY_READS)]
    assert len(routes) >= 25
    for method, path in routes:
        assert not is_public(path), path
        assert not is_self_service(method, path), (method, path)


def test_self_service_entries_all_name_real_routes(app: FastAPI) -> None:
    routes = all_routes(app)
    for method, pattern in SELF_SERVICE:
        assert any(m == method and pattern.fullmatch(p) for m, p in routes), pattern.pattern


def test_read_only_token_gets_403_on_every_state_changing_route(
    app: FastAPI, admin_client: SignedInClient, anon_client: TestClient
) -> None:
    token = admin_client.post("/api/v1/tokens", json={"name": "ro", "scope": "read"}).json()[
        "token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    assert anon_client.get("/api/v1/users", headers=bearer).status_code == 200
    for method, path in all_routes(app):
        if method not in UNSAFE or is_public(path):
            continue
        response = anon_client.request(method, path, json={}, headers=bearer)
        assert response.status_code == 403, (method, path, response.status_code)


def test_session_without_csrf_token_gets_403_on_every_state_changing_route(
    app: FastAPI, context: AppContext
) -> None:
    with sign_in_client(app, context, "admin", send_csrf=False) as client:
        for method, path in all_routes(app):
            if method not in UNSAFE:
                continue
            response = client.request(method, path, json={}, follow_redirects=False)
            assert response.status_code == 403, (method, path, response.status_code)
        assert client.get("/api/v1/auth/me").status_code == 200


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://testserver.evil.example"]
)
def test_valid_token_from_another_origin_is_refused(
    admin_client: SignedInClient, origin: str
) -> None:
    response = admin_client.post(
        "/api/v1/tokens", json={"name": "x", "scope": "read"}, headers={"Origin": origin}
    )
    assert response.status_code == 403
    cross_referer = admin_client.post(
        "/api/v1/tokens",
        json={"name": "x", "scope": "read"},
        headers={"Referer": "https://evil.example/page"},
    )
    assert cross_referer.status_code == 403


def test_same_origin_request_with_token_passes(admin_client: SignedInClient) -> None:
    response = admin_client.post(
        "/api/v1/tokens",
        json={"name": "x", "scope": "read"},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 201


def test_a_route_that_forgets_its_dependency_is_still_protected(
    app: FastAPI, context: AppContext
) -> None:
    @app.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "data"}

    @app.post("/api/v1/forgotten")
    def forgotten_write() -> dict[str, str]:
        return {"changed": "yes"}

    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/forgotten").status_code == 401
    with sign_in_client(app, context, "viewer") as viewer:
        assert viewer.get("/api/v1/forgotten").status_code == 200
        assert viewer.post("/api/v1/forgotten").status_code == 403


def test_unknown_paths_are_401_for_anonymous_callers(anon_client: TestClient) -> None:
    assert anon_client.get("/api/v1/does-not-exist").status_code == 401
    assert anon_client.get("/admin").status_code == 401


def test_websockets_are_refused_even_on_a_registered_route(
    app: FastAPI, admin_client: SignedInClient
) -> None:
    from starlette.websockets import WebSocket, WebSocketDisconnect

    @app.websocket("/api/v1/socket")
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("secret")

    with pytest.raises(WebSocketDisconnect), admin_client.websocket_connect("/api/v1/socket") as ws:
        ws.receive_text()
