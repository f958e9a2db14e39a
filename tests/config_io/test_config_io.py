"""Configuration export/import: round trip into an empty install, preview, atomicity, limits
on the body, and no secret ever in an export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import SignedInClient
from vibe_quality_searcharr.config_io.export import export_config
from vibe_quality_searcharr.config_io.schemas import MAX_DOCUMENT_BYTES, REDACTED, ConfigDocument
from vibe_quality_searcharr.config_io.service import ConfigImporter
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.db.settings_store import write_setting
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.notifications.service import url_box
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.search.models import Exclusion, SearchQueue

SONARR_KEY = "0123456789abcdef0123456789abcdef"
PROWLARR_KEY = "fedcba9876543210fedcba9876543210"
HOOK = "json://127.0.0.1:9/hook-secret-path"


@pytest.fixture
def configured(admin_client: SignedInClient, context: AppContext) -> SignedInClient:
    """An install with two instances (one with limits on a Prowlarr), a queue, an exclusion, a
    notification target and a stored setting."""
    box = api_key_box(context.secrets.master_secret)
    with context.database.session_scope() as session:
        sonarr = Instance(
            name="Sonarr", app="sonarr", url="http://192.168.1.50:8989", enabled=True,
            api_key_encrypted=box.encrypt(SONARR_KEY),
        )  # fmt: skip
        prowlarr = Instance(
            name="Prowlarr", app="prowlarr", url="http://192.168.1.51:9696", enabled=True,
            api_key_encrypted=box.encrypt(PROWLARR_KEY),
        )  # fmt: skip
        session.add_all([sonarr, prowlarr])
        session.flush()
        session.add(
            InstanceLimits(
                instance_id=sonarr.id, hourly_cap=7, daily_cap=70, headroom_percent=30,
                prowlarr_id=prowlarr.id,
            )
        )  # fmt: skip
        write_setting(session, "timezone", "Europe/Paris")
        sonarr_id = sonarr.id
    queue = admin_client.post(
        "/api/v1/queues",
        json={"name": "Steady", "instance_id": sonarr_id, "strategy": "missing", "batch_size": 5},
    )
    assert queue.status_code == 201, queue.text
    assert admin_client.post(f"/api/v1/queues/{queue.json()['id']}/pause").status_code == 200
    exclusion = admin_client.post(
        "/api/v1/exclusions",
        json={"instance_id": sonarr_id, "scope": "parent", "arr_id": 12, "reason": "bad fakes",
              "expires_in_days": 30},
    )  # fmt: skip
    assert exclusion.status_code == 201, exclusion.text
    target = admin_client.post(
        "/api/v1/notifications", json={"name": "Hook", "url": HOOK, "events": ["run_grabs"]}
    )
    assert target.status_code == 201, target.text
    return admin_client


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "exported_at"}


@pytest.fixture
def empty_install(tmp_path: Path, context: AppContext) -> Iterator[Database]:
    """A second, empty database with the same master secret (the import re-encrypts anyway)."""
    database = open_sqlcipher(tmp_path / "other.db", "ab" * 32)
    migrate.upgrade(database)
    try:
        yield database
    finally:
        database.dispose()


def _importer(session: Session, context: AppContext) -> ConfigImporter:
    master = context.secrets.master_secret
    return ConfigImporter(session, api_key_box(master), url_box(master), utcnow())


def test_export_redacts_every_secret(configured: SignedInClient) -> None:
    response = configured.get("/api/v1/config/export")
    assert response.status_code == 200
    text = response.text
    for secret in (SONARR_KEY, PROWLARR_KEY, HOOK, "hook-secret-path"):
        assert secret not in text
    document = response.json()
    assert {row["api_key"] for row in document["instances"]} == {REDACTED}
    assert document["notifications"][0]["url"] == REDACTED
    assert document["instances"][1]["limits"]["prowlarr"] == "Prowlarr"
    assert document["settings"] == {"timezone": "Europe/Paris"}
    assert document["queues"][0]["paused"] is True


def test_export_then_import_into_an_empty_install_gives_the_same_configuration(
    configured: SignedInClient, context: AppContext, empty_install: Database
) -> None:
    exported = configured.get("/api/v1/config/export").json()
    exported["secrets"] = {
        "instances": {"Sonarr": SONARR_KEY, "Prowlarr": PROWLARR_KEY},
        "notifications": {"Hook": HOOK},
    }
    document = ConfigDocument.model_validate(exported)
    with empty_install.session_scope() as session:
        result = _importer(session, context).run(document, dry_run=False)
    assert result.applied
    assert result.errors == 0
    assert result.created == 6  # 2 instances, 1 target, 1 queue, 1 exclusion, 1 setting
    with empty_install.session_scope() as session:
        again = export_config(session, utcnow())
        stored = session.scalars(select(Instance).where(Instance.name == "Sonarr")).one()
        key = api_key_box(context.secrets.master_secret).decrypt(stored.api_key_encrypted)
    del exported["secrets"]
    assert _comparable(json.loads(json.dumps(again))) == _comparable(exported)
    assert key == SONARR_KEY
    # Importing the same document again changes nothing: every entry is skipped as unchanged.
    with empty_install.session_scope() as session:
        second = _importer(session, context).run(document, dry_run=False)
    assert (second.created, second.updated, second.errors) == (0, 0, 0)
    assert {action.detail for action in second.actions} == {"unchanged"}


def test_preview_lists_creates_updates_and_skips_and_changes_nothing(
    configured: SignedInClient, context: AppContext
) -> None:
    document = configured.get("/api/v1/config/export").json()
    document["queues"][0]["batch_size"] = 9
    document["instances"].append(
        {"name": "Radarr", "app": "radarr", "url": "http://192.168.1.52:7878", "api_key": REDACTED}
    )
    document["instances"].append(
        {"name": "Lidarr", "app": "lidarr", "url": "http://192.168.1.53:8686"}
    )
    document["secrets"] = {"instances": {"Lidarr": "1234567890abcdef1234567890abcdef"}}
    response = configured.post("/api/v1/config/import?dry_run=true", json=document)
    assert response.status_code == 200, response.text
    body = response.json()
    actions = {(row["kind"], row["name"]): row for row in body["actions"]}
    assert actions[("queue", "Steady")]["action"] == "update"
    assert actions[("queue", "Steady")]["fields"] == ["batch_size"]
    assert actions[("instance", "Lidarr")]["action"] == "create"
    radarr = actions[("instance", "Radarr")]
    assert radarr["action"] == "skip"
    assert "secrets.instances" in radarr["detail"]
    assert actions[("instance", "Sonarr")]["action"] == "skip"
    assert (body["created"], body["updated"], body["applied"]) == (1, 1, False)
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 2
        assert session.scalars(select(SearchQueue.batch_size)).one() == 5

    applied = configured.post("/api/v1/config/import?dry_run=false", json=document)
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied"] is True
    with context.database.session_scope() as session:
        names = set(session.scalars(select(Instance.name)))
        assert names == {"Sonarr", "Prowlarr", "Lidarr"}
        assert session.scalars(select(SearchQueue.batch_size)).one() == 9
        sonarr = session.scalars(select(Instance).where(Instance.name == "Sonarr")).one()
        key = api_key_box(context.secrets.master_secret).decrypt(sonarr.api_key_encrypted)
    assert key == SONARR_KEY  # an existing instance keeps its stored key


def test_one_bad_entry_makes_the_whole_import_change_nothing(
    configured: SignedInClient, context: AppContext
) -> None:
    document = configured.get("/api/v1/config/export").json()
    document["queues"][0]["batch_size"] = 3  # a valid change...
    document["instances"].append(
        {"name": "Lidarr", "app": "lidarr", "url": "http://192.168.1.53:8686"}
    )
    document["secrets"] = {"instances": {"Lidarr": "1234567890abcdef1234567890abcdef"}}
    document["queues"].append(  # ...and a queue with an unknown strategy
        {"name": "Broken", "instance": "Sonarr", "strategy": "everything", "order": "priority",
         "batch_size": 10}
    )  # fmt: skip
    response = configured.post("/api/v1/config/import?dry_run=false", json=document)
    assert response.status_code == 422
    assert any("Broken" in key for key in response.json()["fields"])
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 2
        assert session.scalars(select(SearchQueue.batch_size)).one() == 5
        assert session.scalar(select(func.count()).select_from(Exclusion)) == 1
    preview = configured.post("/api/v1/config/import", json=document).json()
    errors = [row for row in preview["actions"] if row["action"] == "error"]
    assert [row["name"] for row in errors] == ["Broken"]
    assert "strategy" in errors[0]["detail"]


def test_body_over_the_cap_is_refused_with_413(admin_client: SignedInClient) -> None:
    body = json.dumps({"settings": {"padding": "x" * (MAX_DOCUMENT_BYTES + 10)}})
    response = admin_client.post(
        "/api/v1/config/import", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"instances: []", "application/x-yaml", 415),
        (b"{not json", "application/json", 422),
        (b"[1, 2]", "application/json", 422),
        (b'{"format": "other"}', "application/json", 422),
        (b'{"instances": [{"name": "x"}]}', "application/json", 422),
    ],
)
def test_non_json_and_malformed_documents_are_refused(
    admin_client: SignedInClient,
    context: AppContext,
    content: bytes,
    content_type: str,
    status: int,
) -> None:
    response = admin_client.post(
        "/api/v1/config/import?dry_run=false", content=content,
        headers={"Content-Type": content_type},
    )  # fmt: skip
    assert response.status_code == status, response.text
    assert "detail" in response.json()
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 0


def test_viewers_cannot_export_or_import(
    viewer_client: SignedInClient, anon_client: TestClient
) -> None:
    assert viewer_client.get("/api/v1/config/export").status_code == 403
    assert viewer_client.post("/api/v1/config/import", json={}).status_code == 403
    assert anon_client.get("/api/v1/config/export").status_code == 401


def test_cli_export_and_preview(
    configured: SignedInClient, context: AppContext, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from typer.testing import CliRunner

    from vibe_quality_searcharr.cli import app as cli

    if context.settings.uses_postgres or context.database.engine.dialect.name != "sqlite":
        pytest.skip("the CLI test runs on the configured SQLite data directory")
    monkeypatch.setenv("VQS_DATA_DIR", str(context.settings.data_dir))
    out = tmp_path / "config.json"
    runner = CliRunner()
    exported = runner.invoke(cli, ["config", "export", "--to", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text()
    assert SONARR_KEY not in text
    assert "hook-secret-path" not in text
    preview = runner.invoke(cli, ["config", "import", str(out)])
    assert preview.exit_code == 0, preview.output
    assert "would apply: 0 created, 0 updated" in preview.output
