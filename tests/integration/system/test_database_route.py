"""`GET /api/v1/system/database`: size, integrity and revision for admins, refused to viewers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import SignedInClient
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate


def test_an_admin_sees_backend_size_integrity_and_revision(
    admin_client: SignedInClient, context: AppContext
) -> None:
    response = admin_client.get("/api/v1/system/database")
    assert response.status_code == 200
    body = response.json()
    assert body["backend"] == context.database.backend
    assert body["revision"] == migrate.head_revision()
    assert body["migrations_pending"] is False
    assert body["size_bytes"] > 10_000
    if context.database.sqlite_path is not None:
        path = context.database.sqlite_path
        assert body["file_bytes"] == path.stat().st_size
        assert body["size_bytes"] == body["file_bytes"] + body["wal_bytes"]
        assert body["integrity"] == {
            "check": "quick_check",
            "ok": True,
            "problems": [],
            "detail": "",
        }
    else:
        assert body["integrity"]["check"] == "none"
        assert body["integrity"]["ok"] is None


def test_full_runs_integrity_check(admin_client: SignedInClient, context: AppContext) -> None:
    body = admin_client.get("/api/v1/system/database", params={"full": "true"}).json()
    if context.database.sqlite_path is not None:
        assert body["integrity"]["check"] == "integrity_check"
        assert body["integrity"]["ok"] is True


def test_a_viewer_is_refused(viewer_client: SignedInClient) -> None:
    response = viewer_client.get("/api/v1/system/database")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_anonymous_is_refused(anon_client: TestClient) -> None:
    assert anon_client.get("/api/v1/system/database").status_code == 401


def test_bad_input_is_a_422(admin_client: SignedInClient) -> None:
    response = admin_client.get("/api/v1/system/database", params={"full": "maybe"})
    assert response.status_code == 422
