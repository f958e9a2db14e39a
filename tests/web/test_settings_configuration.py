"""Settings > Configuration: the export downloads without a secret; an upload is previewed
(nothing changes) or imported (atomically); a bad file is a clear error that changes nothing."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tests.conftest import SignedInClient
from tests.instances.conftest import API_KEY, make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.settings_store import read_setting
from vibe_quality_searcharr.instances.models import Instance

PAGE = "/settings/configuration"
NEW_KEY = "feedfacefeedfacefeedfacefeedface"
DOCUMENT: dict[str, Any] = {
    "format": "vqs-config",
    "version": 1,
    "instances": [{"name": "Radarr", "app": "radarr", "url": "http://192.168.1.9:7878"}],
    "settings": {"general.time_zone": "Europe/Berlin"},
    "secrets": {"instances": {"Radarr": NEW_KEY}},
}


def _upload(client: SignedInClient, mode: Mode, body: bytes, action: str) -> Any:
    return mode.post(
        client,
        f"{PAGE}/import",
        files={"file": ("mine.json", body, "application/json")},
        data={"action": action},
    )


def _state(context: AppContext) -> tuple[list[str], object]:
    with context.database.session_scope() as session:
        names = sorted(session.scalars(select(Instance.name)))
        return names, read_setting(session, "general.time_zone")


def test_export_downloads_the_configuration_without_secrets(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    with context.database.session_scope() as session:
        make_instance(session, context, name="Sonarr")
    page = mode.page(mode.get(admin_client, PAGE))
    assert 'href="/settings/configuration/export"' in page
    response = admin_client.get(f"{PAGE}/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="vqs-config-')
    document = response.json()
    assert [i["name"] for i in document["instances"]] == ["Sonarr"]
    assert API_KEY not in response.text


def test_preview_changes_nothing_and_import_applies(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    body = json.dumps(DOCUMENT).encode()
    preview = mode.page(_upload(admin_client, mode, body, "preview"))
    assert "Preview of mine.json" in preview
    assert "2 to create" in preview
    assert "Radarr" in preview
    assert NEW_KEY not in preview
    assert _state(context) == ([], None)

    imported = mode.page(_upload(admin_client, mode, body, "import"))
    assert "Imported mine.json" in imported
    assert NEW_KEY not in imported
    assert _state(context) == (["Radarr"], "Europe/Berlin")


def test_bad_files_are_refused_and_change_nothing(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    for body, message in (
        (b"", "Choose a file"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "is a JSON object"),
        (json.dumps({"instances": [{"name": ""}]}).encode(), "instances.0"),
    ):
        page = mode.page(_upload(admin_client, mode, body, "import"), 422)
        assert 'id="file-error"' in page, body
        assert message in page, (body, message)
    broken = dict(
        DOCUMENT,
        queues=[
            {
                "name": "Lost",
                "instance": "Radarr",
                "strategy": "nonsense",
                "order": "priority",
                "batch_size": 5,
            }
        ],
    )
    refused = mode.page(_upload(admin_client, mode, json.dumps(broken).encode(), "import"), 422)
    assert "Nothing was imported from mine.json" in refused
    assert "badge-bad" in refused
    assert _state(context) == ([], None)


def test_viewers_cannot_export_or_import(viewer_client: SignedInClient, mode: Mode) -> None:
    assert mode.get(viewer_client, PAGE).status_code == 403
    assert viewer_client.get(f"{PAGE}/export").status_code == 403
    assert _upload(viewer_client, mode, json.dumps(DOCUMENT).encode(), "import").status_code == 403
