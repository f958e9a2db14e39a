from __future__ import annotations

from fastapi.testclient import TestClient

from tests.instances.conftest import API_KEY, make_instance
from vibe_quality_searcharr.context import AppContext


def test_home_lists_instances_without_their_keys(
    admin_client: TestClient, context: AppContext
) -> None:
    with context.database.session_scope() as session:
        make_instance(session, context, name="Living-room Sonarr")
    response = admin_client.get("/")
    assert response.status_code == 200
    assert "Living-room Sonarr" in response.text
    assert "not checked yet" in response.text
    assert API_KEY not in response.text


def test_home_guides_when_there_is_no_instance(viewer_client: TestClient) -> None:
    response = viewer_client.get("/")
    assert response.status_code == 200
    assert "No instance yet" in response.text


def test_home_sends_anonymous_browsers_to_sign_in(anon_client: TestClient) -> None:
    response = anon_client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
