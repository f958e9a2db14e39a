"""/api/v1/backups: admins list, take, download, delete and stage a restore; viewers and
read-only tokens cannot; bad names and damaged files are refused and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import SignedInClient
from vibe_quality_searcharr.backups import staged
from vibe_quality_searcharr.context import AppContext

API = "/api/v1/backups"


@pytest.fixture
def sqlite_app(app: FastAPI, context: AppContext) -> FastAPI:
    if context.database.sqlite_path is None:
        pytest.skip("file backups are SQLite only (PostgreSQL: pg_dump)")
    moment = [datetime(2026, 3, 10, 12, 0, tzinfo=UTC)]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=1)
        return moment[0]

    app.state.clock = clock
    return app


def test_take_list_download_and_delete(
    sqlite_app: FastAPI, admin_client: SignedInClient, context: AppContext
) -> None:
    empty = admin_client.get(API)
    assert empty.status_code == 200
    assert empty.json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 50,
        "schedule": "daily",
        "keep": 7,
    }
    taken = admin_client.post(API)
    assert taken.status_code == 201, taken.text
    body = taken.json()
    name = body["name"]
    assert name.startswith("vqs-backup-20260310T12")
    assert body["kind"] == "backup"
    assert body["size_bytes"] == (context.settings.backups_dir / name).stat().st_size
    assert taken.headers["location"] == f"{API}/{name}/download"
    newer = admin_client.post(API).json()["name"]
    listing = admin_client.get(API, params={"page_size": 1}).json()
    assert listing["total"] == 2
    assert [item["name"] for item in listing["items"]] == [newer]  # newest first

    download = admin_client.get(f"{API}/{name}/download")
    assert download.status_code == 200
    assert download.content == (context.settings.backups_dir / name).read_bytes()
    assert download.headers["cache-control"] == "no-store"

    assert admin_client.delete(f"{API}/{name}").status_code == 204
    assert admin_client.delete(f"{API}/{name}").status_code == 404
    assert admin_client.get(f"{API}/{name}/download").status_code == 404
    assert admin_client.get(API).json()["total"] == 1
    for bad in ("vqs.db", "..%2Fvqs.db", "vqs-backup-x.db"):
        assert admin_client.get(f"{API}/{bad}/download").status_code in (404, 422), bad
        assert admin_client.delete(f"{API}/{bad}").status_code in (404, 405, 422), bad
    assert (context.settings.sqlite_path).is_file()


def test_stage_and_cancel_a_restore(
    sqlite_app: FastAPI, admin_client: SignedInClient, context: AppContext
) -> None:
    name = admin_client.post(API).json()["name"]
    assert admin_client.get(f"{API}/restore").json()["pending"] is None
    staged_now = admin_client.post(f"{API}/restore", json={"name": name})
    assert staged_now.status_code == 202, staged_now.text
    status = staged_now.json()
    assert status["pending"] == name
    assert status["staged_by"] == "admin"
    assert status["command"].endswith(
        f"vqs restore {context.settings.backups_dir.resolve() / name}"
    )
    assert admin_client.get(f"{API}/restore").json()["pending"] == name
    assert admin_client.delete(f"{API}/{name}").status_code == 409
    assert admin_client.delete(f"{API}/restore").status_code == 204
    assert admin_client.get(f"{API}/restore").json()["pending"] is None


def test_a_damaged_or_unknown_backup_is_not_staged(
    sqlite_app: FastAPI, admin_client: SignedInClient, context: AppContext
) -> None:
    context.settings.backups_dir.mkdir(parents=True, exist_ok=True)
    damaged = "vqs-backup-20250101T000000Z.db"
    (context.settings.backups_dir / damaged).write_bytes(b"\x02" * 8192)
    refused = admin_client.post(f"{API}/restore", json={"name": damaged})
    assert refused.status_code == 422
    assert refused.json()["error"] == "validation"
    assert "cannot be restored" in refused.json()["detail"]
    unknown = admin_client.post(f"{API}/restore", json={"name": "vqs-backup-20240101T000000Z.db"})
    assert unknown.status_code == 404
    assert admin_client.post(f"{API}/restore", json={"name": "../vqs.db"}).status_code == 422
    assert staged.pending_restore(context.settings) is None


def test_viewers_and_read_only_tokens(
    sqlite_app: FastAPI,
    admin_client: SignedInClient,
    viewer_client: SignedInClient,
    anon_client: TestClient,
    context: AppContext,
) -> None:
    name = admin_client.post(API).json()["name"]
    for path in (API, f"{API}/restore", f"{API}/{name}/download"):
        assert viewer_client.get(path).status_code == 403, path
        assert anon_client.get(path).status_code == 401, path
    assert viewer_client.post(API).status_code == 403
    assert viewer_client.delete(f"{API}/{name}").status_code == 403
    token = admin_client.post("/api/v1/tokens", json={"name": "ro", "scope": "read"}).json()[
        "token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    assert anon_client.get(API, headers=bearer).status_code == 200
    assert anon_client.post(API, headers=bearer).status_code == 403
    assert (
        anon_client.post(f"{API}/restore", json={"name": name}, headers=bearer).status_code == 403
    )
    assert [p.name for p in context.settings.backups_dir.glob("*.db")] == [name]


def test_postgres_has_no_file_backups(admin_client: SignedInClient, context: AppContext) -> None:
    if context.database.sqlite_path is not None:
        pytest.skip("PostgreSQL only")
    refused = admin_client.post(API)
    assert refused.status_code == 409
    assert "pg_dump" in refused.json()["detail"]
    assert admin_client.get(API).json()["total"] == 0
