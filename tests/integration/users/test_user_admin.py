"""Admins manage accounts; the last admin cannot be removed or demoted."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import SignedInClient, sign_in_client
from vibe_quality_searcharr.context import AppContext

NEW = {"username": "carol", "password": "a perfectly fine passphrase"}


def test_admin_creates_lists_reads_and_deletes_users(admin_client: SignedInClient) -> None:
    created = admin_client.post("/api/v1/users", json=NEW)
    assert created.status_code == 201
    user = created.json()
    assert user["role"] == "viewer"
    assert "password" not in str(user)
    assert admin_client.post("/api/v1/users", json=NEW).status_code == 409
    page = admin_client.get("/api/v1/users?page=1&page_size=1").json()
    assert page["total"] == 2
    assert len(page["items"]) == 1
    assert page["page_size"] == 1
    assert admin_client.get(f"/api/v1/users/{user['id']}").json()["username"] == "carol"
    assert admin_client.delete(f"/api/v1/users/{user['id']}").status_code == 204
    assert admin_client.get(f"/api/v1/users/{user['id']}").status_code == 404


def test_bad_user_input_changes_nothing(admin_client: SignedInClient) -> None:
    for body in (
        {"username": "bad name", "password": NEW["password"]},
        {"username": "x", "password": "short"},
        {"username": "x", "password": NEW["password"], "role": "root"},
        {"username": "", "password": NEW["password"]},
    ):
        assert admin_client.post("/api/v1/users", json=body).status_code == 422, body
    assert admin_client.get("/api/v1/users").json()["total"] == 1


def test_last_admin_cannot_be_demoted_disabled_or_deleted(admin_client: SignedInClient) -> None:
    me = admin_client.get("/api/v1/auth/me").json()["id"]
    for response in (
        admin_client.patch(f"/api/v1/users/{me}", json={"role": "viewer"}),
        admin_client.patch(f"/api/v1/users/{me}", json={"disabled": True}),
        admin_client.delete(f"/api/v1/users/{me}"),
    ):
        assert response.status_code == 409
        assert "last admin" in response.json()["detail"]
    assert admin_client.get("/api/v1/auth/me").json()["role"] == "admin"


def test_role_change_ends_the_users_sessions(
    app: FastAPI, context: AppContext, admin_client: SignedInClient
) -> None:
    with sign_in_client(app, context, "viewer") as viewer:
        assert viewer.get("/api/v1/auth/me").status_code == 200
        promoted = admin_client.patch(f"/api/v1/users/{viewer.user_id}", json={"role": "admin"})
        assert promoted.status_code == 200
        assert promoted.json()["role"] == "admin"
        assert viewer.get("/api/v1/auth/me").status_code == 401
    # With two admins, one may now be demoted.
    me = admin_client.get("/api/v1/auth/me").json()["id"]
    assert (
        admin_client.patch(f"/api/v1/users/{viewer.user_id}", json={"role": "viewer"}).status_code
        == 200
    )
    assert admin_client.patch(f"/api/v1/users/{me}", json={"role": "viewer"}).status_code == 409


def test_disabled_users_lose_sessions_and_tokens(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, anon_client: TestClient
) -> None:
    with sign_in_client(app, context, "viewer") as viewer:
        token = viewer.post("/api/v1/tokens", json={"name": "t", "scope": "read"}).json()["token"]
        assert (
            admin_client.patch(
                f"/api/v1/users/{viewer.user_id}", json={"disabled": True}
            ).status_code
            == 200
        )
        assert viewer.get("/api/v1/auth/me").status_code == 401
    assert (
        anon_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_viewer_reads_but_cannot_manage_users(viewer_client: SignedInClient) -> None:
    assert viewer_client.get("/api/v1/users").status_code == 403
    assert viewer_client.get("/api/v1/auth/me").json()["role"] == "viewer"
    assert viewer_client.post("/api/v1/users", json=NEW).status_code == 403
