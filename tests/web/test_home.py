from __future__ import annotations

from fastapi.testclient import TestClient
from markupsafe import escape

from tests.instances.conftest import API_KEY, make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import InstanceHealth
from vibe_quality_searcharr.web.home import DASHBOARD_REGIONS


def test_dashboard_shows_instance_health_without_keys(
    admin_client: TestClient, context: AppContext, mode: Mode
) -> None:
    with context.database.session_scope() as session:
        up = make_instance(session, context, name="Living-room Sonarr")
        make_instance(session, context, name="Radarr 4K", app="radarr")
        session.add(
            InstanceHealth(
                instance_id=up.id,
                status="healthy",
                latency_ms=42,
                version="4.0.14.2939",
                free_space_bytes=3 * 1024**4,
            )
        )
    text = mode.page(mode.get(admin_client, "/"))
    assert "Living-room Sonarr" in text
    assert "Radarr 4K" in text
    assert ">Up<" in text
    assert "Not checked yet" in text
    assert "42 ms" in text
    assert "4.0.14.2939" in text
    assert "3.0 TiB" in text
    assert "1 up of 2" in text
    assert API_KEY not in text


def test_dashboard_regions_say_what_will_appear_there(admin_client: TestClient, mode: Mode) -> None:
    text = mode.page(mode.get(admin_client, "/"))
    for region in DASHBOARD_REGIONS:
        assert f'id="region-{region.key}"' in text
        assert str(escape(region.empty)) in text
    assert "TODO" not in text


def test_dashboard_guides_an_admin_to_add_an_instance(admin_client: TestClient, mode: Mode) -> None:
    text = mode.page(mode.get(admin_client, "/"))
    assert "No instance yet" in text
    assert 'href="/instances/new"' in text


def test_dashboard_tells_a_viewer_to_ask_an_admin(viewer_client: TestClient, mode: Mode) -> None:
    text = mode.page(mode.get(viewer_client, "/"))
    assert "No instance yet" in text
    assert "Ask an admin" in text
    assert 'href="/instances/new"' not in text


def test_dashboard_sends_anonymous_browsers_to_sign_in(anon_client: TestClient) -> None:
    response = anon_client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
