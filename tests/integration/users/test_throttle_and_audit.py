"""Sign-in throttling (growing delays, lockout) and the audit log admins read."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import TEST_PASSWORD, SignedInClient, make_user
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.users.keys import AuthKeys


def _user(context: AppContext, keys: AuthKeys) -> str:
    with context.database.session_scope() as session:
        return make_user(session, keys=keys).username


def _try(client: TestClient, name: str, password: str = "wrong password here"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/login", json={"username": name, "password": password})


def test_growing_delays_then_lockout_without_sleeping(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    now = [utcnow()]
    app.state.clock = lambda: now[0]
    name = _user(context, auth_keys)
    client = TestClient(app)
    for _ in range(3):
        assert _try(client, name).status_code == 401
    delays = []
    for _ in range(6):
        assert _try(client, name).status_code == 401
        blocked = _try(client, name, TEST_PASSWORD)  # even the right password waits
        assert blocked.status_code == 429
        delays.append(int(blocked.headers["Retry-After"]))
        now[0] += timedelta(seconds=delays[-1])
    assert delays == sorted(delays)
    assert delays[-1] > delays[0]
    assert _try(client, name).status_code == 401  # the tenth failure: locked out
    locked = _try(client, name, TEST_PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 14 * 60
    now[0] += timedelta(minutes=15, seconds=1)
    assert _try(client, name, TEST_PASSWORD).status_code == 200


def test_unknown_names_are_throttled_like_real_ones(client: TestClient) -> None:
    statuses = [_try(client, "ghost").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert _try(client, "ghost").status_code == 429


def test_spoofed_forwarded_for_does_not_escape_the_address_limit(
    context: AppContext, auth_keys: AuthKeys
) -> None:
    """From an untrusted peer, X-Forwarded-For is ignored: rotating it changes nothing."""
    app = create_app(context=context)
    now = [utcnow()]
    app.state.clock = lambda: now[0]
    client = TestClient(app, client=("198.51.100.9", 5555))
    names = [_user(context, auth_keys) for _ in range(12)]
    statuses = []
    for index, name in enumerate(names * 3):
        response = client.post(
            "/api/v1/auth/login",
            json={"username": name, "password": "wrong password here"},
            headers={"X-Forwarded-For": f"203.0.113.{index % 250}"},
        )
        statuses.append(response.status_code)
        now[0] += timedelta(seconds=1)
    assert 429 in statuses  # the address counter saw every attempt


def test_audit_log_records_security_events_for_admins_only(
    app: FastAPI,
    context: AppContext,
    auth_keys: AuthKeys,
    admin_client: SignedInClient,
    viewer_client: SignedInClient,
) -> None:
    name = _user(context, auth_keys)
    _try(TestClient(app), name)
    _try(TestClient(app), name, TEST_PASSWORD)
    admin_client.post("/api/v1/tokens", json={"name": "t", "scope": "read"})
    events = admin_client.get("/api/v1/audit?page_size=50").json()
    kinds = [item["kind"] for item in events["items"]]
    assert {"login_failed", "login_ok", "token_created"} <= set(kinds)
    failed = next(item for item in events["items"] if item["kind"] == "login_failed")
    assert failed["subject"] == name
    assert failed["client_ip"] == "testclient"
    assert "wrong password here" not in str(events)
    assert TEST_PASSWORD not in str(events)
    only_failed = admin_client.get("/api/v1/audit?kind=login_failed").json()
    assert {item["kind"] for item in only_failed["items"]} == {"login_failed"}
    assert viewer_client.get("/api/v1/audit").status_code == 403
