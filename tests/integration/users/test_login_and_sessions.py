"""Signing in and out, session cookies, expiry, rotation and revocation."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, make_user
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.security import passwords
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import User, UserSession


def _user(context: AppContext, keys: AuthKeys, **overrides: object) -> str:
    with context.database.session_scope() as session:
        user = make_user(session, keys=keys, **overrides)
        return user.username


def _login(client: TestClient, username: str, password: str = TEST_PASSWORD) -> object:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_sets_a_safe_cookie_and_returns_the_csrf_token(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys, role="viewer")
    response = client.post(
        "/api/v1/auth/login", json={"username": name.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == name
    assert len(body["csrf_token"]) == 64
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test
    token = client.cookies[SESSION_COOKIE]
    assert len(token) >= 43  # 256 bits, url-safe base64
    with context.database.session_scope() as session:
        stored = session.scalars(select(UserSession.token_hash)).all()
    assert token not in stored
    assert len(stored) == 1


def test_wrong_password_and_unknown_user_look_the_same(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys)
    wrong = client.post(
        "/api/v1/auth/login", json={"username": name, "password": "not the password"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": "unauthorized", "detail": "Wrong username or password."}
    )
    assert SESSION_COOKIE not in client.cookies


def test_disabled_user_cannot_sign_in(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys, disabled=True)
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD}
        ).status_code
        == 401
    )


def test_login_rehashes_when_the_cost_changed(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    old = passwords.Passwords(context.secrets.pepper, passwords.HashCost(1, 16, 1))
    name = _user(context, auth_keys, password_hash=old.hash(TEST_PASSWORD))
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD}
        ).status_code
        == 200
    )
    with context.database.session_scope() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == name))
    assert stored is not None
    assert "m=8," in stored
    assert "m=16," not in stored


def test_login_rotates_the_session(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys)
    client.post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
    first = client.cookies[SESSION_COOKIE]
    client.post(
        "/api/v1/auth/login",
        json={"username": name, "password": TEST_PASSWORD},
        headers={"X-CSRF-Token": auth_keys.csrf.for_binding(f"session:{first}")},
    )
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    stale = TestClient(client.app, cookies={SESSION_COOKIE: first})
    assert stale.get("/api/v1/auth/me").status_code == 401


def test_logout_ends_the_session(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys)
    csrf = client.post(
        "/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD}
    ).json()["csrf_token"]
    token = client.cookies[SESSION_COOKIE]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    replay = TestClient(client.app, cookies={SESSION_COOKIE: token})
    assert replay.get("/api/v1/auth/me").status_code == 401


def test_idle_and_absolute_expiry(app: FastAPI, context: AppContext, auth_keys: AuthKeys) -> None:
    now = [utcnow()]
    app.state.clock = lambda: now[0]
    name = _user(context, auth_keys)
    with TestClient(app) as client:
        client.post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
        idle = timedelta(minutes=context.settings.session_idle_minutes)
        # Active use keeps it alive past the idle limit...
        for _ in range(3):
            now[0] += idle - timedelta(minutes=1)
            assert client.get("/api/v1/auth/me").status_code == 200
        # ...but not past the absolute limit.
        now[0] += timedelta(hours=context.settings.session_absolute_hours)
        assert client.get("/api/v1/auth/me").status_code == 401
        client.post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
        now[0] += idle
        assert client.get("/api/v1/auth/me").status_code == 401


def test_cookie_is_secure_behind_a_trusted_https_proxy(
    context: AppContext, auth_keys: AuthKeys
) -> None:
    from vibe_quality_searcharr.app import create_app

    context.settings = context.settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    name = _user(context, auth_keys)
    with TestClient(create_app(context=context), client=("10.1.2.3", 4000)) as client:
        response = client.post(
            "/api/v1/auth/login",
            json={"username": name, "password": TEST_PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"},
        )
    assert "Secure" in response.headers["set-cookie"]
    assert response.headers["strict-transport-security"].startswith("max-age=")
    with context.database.session_scope() as session:
        assert session.scalar(select(UserSession.client_ip)) == "192.0.2.7"


def test_sessions_are_listed_and_revocable(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys)
    browsers = [TestClient(app) for _ in range(3)]
    tokens = [
        b.post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD}).json()[
            "csrf_token"
        ]
        for b in browsers
    ]
    listing = browsers[0].get("/api/v1/auth/sessions").json()
    assert listing["total"] == 3
    assert listing["page"] == 1
    assert sum(item["current"] for item in listing["items"]) == 1
    other = next(item["id"] for item in listing["items"] if not item["current"])
    assert (
        browsers[0]
        .delete(f"/api/v1/auth/sessions/{other}", headers={"X-CSRF-Token": tokens[0]})
        .status_code
        == 204
    )
    assert (
        browsers[0]
        .delete("/api/v1/auth/sessions/999999", headers={"X-CSRF-Token": tokens[0]})
        .status_code
        == 404
    )
    revoked = browsers[0].post(
        "/api/v1/auth/sessions/revoke-others", headers={"X-CSRF-Token": tokens[0]}
    )
    assert revoked.json() == {"revoked": 1}
    assert [b.get("/api/v1/auth/me").status_code for b in browsers] == [200, 401, 401]


def test_cannot_revoke_someone_elses_session(
    admin_client: TestClient, viewer_client: TestClient
) -> None:
    viewer_session = viewer_client.get("/api/v1/auth/sessions").json()["items"][0]["id"]
    assert admin_client.delete(f"/api/v1/auth/sessions/{viewer_session}").status_code == 404
    assert viewer_client.get("/api/v1/auth/me").status_code == 200


def test_password_change_ends_every_other_session(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys)
    here, elsewhere = TestClient(app), TestClient(app)
    csrf = here.post(
        "/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD}
    ).json()["csrf_token"]
    elsewhere.post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
    wrong = here.post(
        "/api/v1/auth/password",
        json={"current_password": "nope nope nope", "new_password": "another fine passphrase"},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 403
    changed = here.post(
        "/api/v1/auth/password",
        json={"current_password": TEST_PASSWORD, "new_password": "another fine passphrase"},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 204
    assert here.get("/api/v1/auth/me").status_code == 200  # this browser got a fresh session
    assert elsewhere.get("/api/v1/auth/me").status_code == 401
    assert _login(TestClient(app), name).status_code == 401  # type: ignore[attr-defined]
    assert _login(TestClient(app), name, "another fine passphrase").status_code == 200  # type: ignore[attr-defined]


def test_login_page_flow_and_safe_redirects(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys)
    page = client.get("/login?next=/queues")
    assert page.status_code == 200
    assert 'value="/queues"' in page.text
    failed = client.post(
        "/login", data={"username": name, "password": "wrong password!!", "next": "/queues"}
    )
    assert failed.status_code == 401
    assert "Wrong username or password." in failed.text
    for evil in (
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        response = TestClient(client.app).post(
            "/login",
            data={"username": name, "password": TEST_PASSWORD, "next": evil},
            follow_redirects=False,
        )
        assert response.status_code == 303, evil
        assert response.headers["location"] == "/", evil
    ok = client.post(
        "/login",
        data={"username": name, "password": TEST_PASSWORD, "next": "/queues"},
        follow_redirects=False,
    )
    assert ok.headers["location"] == "/queues"
    assert client.get("/login", follow_redirects=False).status_code == 303  # already signed in


def test_logout_page_needs_the_csrf_field(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    name = _user(context, auth_keys)
    csrf = client.post(
        "/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD}
    ).json()["csrf_token"]
    assert client.post("/logout", data={}).status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert client.get("/api/v1/auth/me").status_code == 401


def test_nul_characters_are_bad_input_not_a_server_error(client: TestClient) -> None:
    api = client.post(
        "/api/v1/auth/login", json={"username": "a\x00b", "password": "whatever it is"}
    )
    assert api.status_code == 422
    page = client.post(
        "/login", data={"username": "a\x00b", "password": "whatever it is", "next": "/\x00x"}
    )
    assert page.status_code == 401
