"""API tokens: shown once, stored hashed, scoped, expiring, revocable, no CSRF needed."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import SignedInClient
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.users.models import ApiToken


def test_token_is_shown_once_and_stored_hashed(
    admin_client: SignedInClient, context: AppContext
) -> None:
    created = admin_client.post(
        "/api/v1/tokens", json={"name": "homepage", "scope": "full", "expires_in_days": 30}
    )
    assert created.status_code == 201
    body = created.json()
    token = body["token"]
    assert token.startswith("vqs_")
    assert len(token) > 40
    assert body["id"] > 0
    listing = admin_client.get("/api/v1/tokens").json()
    assert listing["total"] == 1
    assert listing["items"][0]["prefix"] == token[:8]
    assert token not in str(listing)
    with context.database.session_scope() as session:
        row = session.scalar(select(ApiToken))
        assert row is not None
        assert token not in (row.token_hash, row.prefix)


def test_bearer_token_works_without_csrf_and_respects_scope(
    admin_client: SignedInClient, anon_client: TestClient
) -> None:
    full = admin_client.post("/api/v1/tokens", json={"name": "full", "scope": "full"}).json()[
        "token"
    ]
    read = admin_client.post("/api/v1/tokens", json={"name": "read", "scope": "read"}).json()[
        "token"
    ]
    as_full = {"Authorization": f"Bearer {full}"}
    as_read = {"Authorization": f"Bearer {read}"}
    new_user = {"username": "bob", "password": "a perfectly fine passphrase", "role": "viewer"}
    assert anon_client.get("/api/v1/users", headers=as_read).status_code == 200
    assert anon_client.post("/api/v1/users", json=new_user, headers=as_read).status_code == 403
    assert anon_client.post("/api/v1/users", json=new_user, headers=as_full).status_code == 201
    # A read-only token cannot mint itself a full one.
    assert (
        anon_client.post(
            "/api/v1/tokens", json={"name": "x", "scope": "full"}, headers=as_read
        ).status_code
        == 403
    )


def test_bad_expired_and_revoked_tokens_are_refused(
    app: FastAPI, admin_client: SignedInClient, anon_client: TestClient
) -> None:
    now = [utcnow()]
    app.state.clock = lambda: now[0]
    short = admin_client.post(
        "/api/v1/tokens", json={"name": "short", "scope": "read", "expires_in_days": 1}
    ).json()
    gone = admin_client.post("/api/v1/tokens", json={"name": "gone", "scope": "read"}).json()
    assert (
        anon_client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {short['token']}"}
        ).status_code
        == 200
    )
    assert admin_client.delete(f"/api/v1/tokens/{gone['id']}").status_code == 204
    assert (
        anon_client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {gone['token']}"}
        ).status_code
        == 401
    )
    now[0] += timedelta(days=1, seconds=1)
    expired = anon_client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {short['token']}"}
    )
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    for junk in ("Bearer vqs_nope", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Bearer " + "x" * 5000):
        assert (
            anon_client.get("/api/v1/auth/me", headers={"Authorization": junk}).status_code == 401
        )


def test_a_bearer_token_never_falls_back_to_the_cookie(admin_client: SignedInClient) -> None:
    response = admin_client.get("/api/v1/auth/me", headers={"Authorization": "Bearer vqs_wrong"})
    assert response.status_code == 401


def test_users_cannot_touch_each_others_tokens(
    admin_client: SignedInClient, viewer_client: SignedInClient
) -> None:
    mine = viewer_client.post("/api/v1/tokens", json={"name": "viewer's", "scope": "read"})
    assert mine.status_code == 201  # self-service: viewers may have tokens (they stay viewers)
    assert admin_client.delete(f"/api/v1/tokens/{mine.json()['id']}").status_code == 404
    assert admin_client.get("/api/v1/tokens").json()["total"] == 0


def test_token_input_is_validated(admin_client: SignedInClient) -> None:
    for body in (
        {"name": "", "scope": "read"},
        {"name": "x", "scope": "admin"},
        {"name": "x", "scope": "read", "expires_in_days": 0},
        {"name": "x", "extra": 1},
    ):
        response = admin_client.post("/api/v1/tokens", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"] == "validation"
    assert admin_client.get("/api/v1/tokens").json()["total"] == 0


def test_a_proxys_basic_auth_header_does_not_break_sessions(admin_client: SignedInClient) -> None:
    response = admin_client.get("/api/v1/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 200


def test_nul_in_a_token_name_is_refused(admin_client: SignedInClient) -> None:
    response = admin_client.post("/api/v1/tokens", json={"name": "a\x00b", "scope": "read"})
    assert response.status_code == 422
    assert admin_client.get("/api/v1/audit?kind=login%00ok").status_code == 422
