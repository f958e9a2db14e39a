"""The database settings page: size, schema and an integrity check, for admins only."""

from __future__ import annotations

from tests.conftest import SignedInClient
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext


def test_admins_see_size_schema_and_a_quick_check(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    text = mode.page(mode.get(admin_client, "/settings/database"))
    assert "MiB" in text
    assert "up to date" in text
    if context.database.sqlite_path is not None:
        assert "Encrypted SQLite" in text
        assert "quick_check" in text
        assert "Run the full integrity check" in text
    else:
        assert "PostgreSQL checks its own pages" in text


def test_the_full_check_runs_on_request(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    text = mode.page(mode.get(admin_client, "/settings/database?full=true"))
    if context.database.sqlite_path is not None:
        assert "integrity_check" in text
        assert "Run the full integrity check" not in text


def test_viewers_may_not_see_it(viewer_client: SignedInClient) -> None:
    response = viewer_client.get("/settings/database", follow_redirects=False)
    assert response.status_code == 403
    assert "Database" not in viewer_client.get("/settings/account").text.split("<main")[1]
