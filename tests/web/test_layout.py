"""The shared layout: every page in both modes, navigation by role, error pages, flash messages,
theme, and the rules every page keeps (no inline code, CSRF on posts, no key in a page)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SignedInClient
from tests.instances.conftest import API_KEY, make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.security.principal import Principal
from vibe_quality_searcharr.web.flash import FLASH_COOKIE
from vibe_quality_searcharr.web.navigation import NAVIGATION, links_for

ADMIN_PAGES = {
    "/": "Dashboard",
    "/instances": "Instances",
    "/instances/new": "Add an instance",
    "/instances/1": "Health history",
    "/instances/1/edit": "Edit Sonarr",
    "/instances/1/delete": "Delete Sonarr?",
    "/setup/instance": "Connect your first *arr",
    "/setup/done": "You are set up",
    "/settings/account": "Change password",
    "/settings/2fa": "Two-factor sign-in",
    "/settings/sessions": "Signed-in browsers",
    "/settings/tokens": "API tokens",
    "/settings/users": "Add a user",
    "/logs": "Lowest level",
}
ADMIN_ONLY = [
    "/instances/new",
    "/instances/1/edit",
    "/instances/1/delete",
    "/setup/instance",
    "/settings/users",
    "/logs",
]


@pytest.fixture
def one_instance(context: AppContext) -> int:
    with context.database.session_scope() as session:
        return make_instance(session, context).id


@pytest.mark.usefixtures("one_instance")
@pytest.mark.parametrize("path", sorted(ADMIN_PAGES))
def test_every_page_renders_whole_and_as_a_fragment(
    admin_client: SignedInClient, mode: Mode, path: str
) -> None:
    text = mode.page(mode.get(admin_client, path))
    assert ADMIN_PAGES[path] in text
    assert API_KEY not in text
    assert "<h1" in text or "<h2" in text


@pytest.mark.usefixtures("one_instance")
@pytest.mark.parametrize("path", ADMIN_ONLY)
def test_viewers_get_a_403_page_for_admin_pages(
    viewer_client: SignedInClient, mode: Mode, path: str
) -> None:
    text = mode.page(mode.get(viewer_client, path), 403)
    assert "Not allowed" in text


def test_a_missing_page_is_a_404_page(admin_client: SignedInClient, mode: Mode) -> None:
    assert "Not found" in mode.page(mode.get(admin_client, "/instances/999"), 404)
    assert "There is no such page" in mode.page(mode.get(admin_client, "/no-such-page"), 404)


def test_api_errors_stay_json(admin_client: SignedInClient) -> None:
    response = admin_client.get("/api/v1/instances/999", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_full_pages_have_landmarks_and_mark_the_current_section(
    admin_client: SignedInClient,
) -> None:
    text = Mode(htmx=False).page(
        admin_client.get("/settings/tokens", headers={"Accept": "text/html"})
    )
    assert '<header class="site-header">' in text
    assert "<footer" in text
    assert '<nav class="container-fluid" aria-label="Main">' in text
    assert '<a href="/settings" aria-current="page">Settings</a>' in text
    assert '<a href="/settings/tokens" aria-current="page">API tokens</a>' in text
    assert '<html lang="en">' in text


def test_boosted_navigation_gets_the_whole_page(admin_client: SignedInClient) -> None:
    response = admin_client.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.text


def test_navigation_shows_only_ready_pages_and_logs_to_admins_only() -> None:
    admin = Principal(1, "a", "admin", "session")
    viewer = Principal(2, "v", "viewer", "session")
    admin_paths = [link.path for link in links_for(admin, "/")]
    assert admin_paths == [item.path for item in NAVIGATION if item.ready]
    hidden = [item.path for item in NAVIGATION if not item.ready]
    assert not set(hidden) & set(admin_paths)  # not built yet: hidden, not a dead link
    assert {"/queues", "/history", "/exclusions"} <= set(admin_paths)
    assert "/logs" in admin_paths
    assert "/logs" not in [link.path for link in links_for(viewer, "/")]
    assert [link.path for link in links_for(admin, "/instances/3") if link.current] == [
        "/instances"
    ]
    assert links_for(None, "/") == []


def test_sign_in_pages_run_no_script(anon_client: TestClient) -> None:
    page = anon_client.get("/setup")
    assert "<script" not in page.text
    assert "Create the admin account" in page.text


def test_a_flash_message_shows_once_after_the_redirect(
    admin_client: SignedInClient, mode: Mode
) -> None:
    response = mode.post(admin_client, "/settings/tokens/999/revoke")
    assert response.status_code == 404  # no such token: nothing flashed
    created = admin_client.post("/api/v1/tokens", json={"name": "ci", "scope": "read"}).json()
    done = mode.post(admin_client, f"/settings/tokens/{created['id']}/revoke")
    assert mode.redirected_to(done) == "/settings/tokens"
    assert FLASH_COOKIE in done.cookies
    shown = mode.page(mode.get(admin_client, "/settings/tokens"))
    assert "Token revoked; it stops working at once." in shown
    assert 'role="status"' in shown
    again = mode.page(mode.get(admin_client, "/settings/tokens"))
    assert "Token revoked" not in again


def test_a_forged_flash_cookie_is_ignored(admin_client: SignedInClient) -> None:
    body = json.dumps({"t": int(time.time()), "m": [["error", "Call 555-0100 now"]]}).encode()
    forged = f"{base64.urlsafe_b64encode(body).decode()}.{'0' * 64}"
    admin_client.cookies.set(FLASH_COOKIE, forged)
    assert "555-0100" not in admin_client.get("/").text


def test_theme_choice_is_remembered_and_viewers_may_choose(
    viewer_client: SignedInClient, mode: Mode
) -> None:
    response = mode.post(
        viewer_client, "/settings/theme", data={"theme": "dark", "next": "/instances"}
    )
    assert mode.redirected_to(response) == "/instances"
    assert '<html lang="en" data-theme="dark">' in viewer_client.get("/").text
    mode.post(viewer_client, "/settings/theme", data={"theme": "auto", "next": "//evil.example"})
    assert "data-theme" not in viewer_client.get("/").text.split("<head>")[0]


def test_posting_a_form_without_the_csrf_token_is_refused(
    admin_client: SignedInClient, one_instance: int
) -> None:
    admin_client.csrf_token = None
    for path in (
        f"/instances/{one_instance}/delete",
        "/settings/tokens",
        "/settings/theme",
        "/settings/users",
    ):
        response = admin_client.post(path, data={"name": "x", "theme": "dark"})
        assert response.status_code == 403, path
    assert admin_client.get(f"/instances/{one_instance}").status_code == 200
