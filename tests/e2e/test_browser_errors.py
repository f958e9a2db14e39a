"""An htmx button that fails says so, in a real browser: the toast region (role="alert") shows
the sentence when the database refuses the write (another process holds its lock), and when the
server is gone altogether (htmx's sendError, caught by static/js/htmx-errors.js), or when a
proxy in front answers with its own error page.

Before, htmx dropped every 4xx/5xx answer and a request that got no answer at all: the user
clicked "Send test" and nothing happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_user
from tests.e2e.browser import AXE_SCRIPT, axe_violations, chromium, live_server, screenshots
from tests.reliability.dbfaults import locked_by_another_process, short_busy_database
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.service import url_box
from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.users.keys import AuthKeys

pytestmark = pytest.mark.browser

PASSWORD = "an error toast tested passphrase"
BUSY_MS = 300  # a write meeting the other process's lock gives up after this, not 10 s
LONG = 30_000  # ms: the most a request may take on a busy machine before the test fails


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """SQLCipher with a short busy timeout (the lock is a SQLite one)."""
    with short_busy_database(settings, BUSY_MS) as db:
        yield db


def _seed(context: AppContext) -> int:
    with context.database.session_scope() as session:
        make_user(session, username="admin", role="admin", password=PASSWORD,
                  keys=AuthKeys.from_secrets(context.secrets))  # fmt: skip
        target = NotificationTarget(
            name="Discord #media",
            url_encrypted=url_box(context.secrets.master_secret).encrypt("json://127.0.0.1:9/x"),
            scheme="json",
            service="JSON",
            events=["run_grabs"],
        )
        session.add(target)
        session.flush()
        return target.id


def _sign_in(page: Any, base: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def test_a_button_meeting_a_locked_database_shows_why_in_the_toast_region(
    request: pytest.FixtureRequest, context: AppContext, settings: Settings
) -> None:
    executable = chromium()
    from playwright.sync_api import expect, sync_playwright

    target_id = _seed(context)
    app = create_app(context=context)
    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            with screenshots(request, page) as shots:
                _sign_in(page, base)
                page.goto(f"{base}/settings/notifications/{target_id}/edit")
                toasts = page.locator("#toasts")
                expect(toasts).to_have_attribute("role", "alert")
                expect(toasts).to_be_empty()
                with locked_by_another_process(settings.sqlite_path, context.secrets.database_key):
                    page.get_by_role("button", name="Send test").click()
                    alert = page.get_by_role("alert").filter(has_text="Database unavailable")
                    expect(alert).to_contain_text("another process holds its lock", timeout=LONG)
                    expect(alert).to_contain_text("Nothing was changed")
                shots.take(page, "database-busy-toast")
                expect(page.locator("#send-result")).not_to_contain_text("Database")
                assert not axe_violations(page)
                # Dismissed, and the same button works again once the lock is gone.
                page.get_by_role("button", name="Dismiss this message").click()
                expect(toasts).to_be_empty()
                page.get_by_role("button", name="Send test").click()
                expect(page.locator("#send-result")).to_contain_text("failed", timeout=LONG)
                expect(toasts).to_be_empty()
        finally:
            browser.close()


def _bad_gateway(route: Any) -> None:
    if route.request.method != "POST":
        route.continue_()
        return
    route.fulfill(
        status=502,
        content_type="text/html",
        body="<!doctype html><html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>",
    )


def test_a_button_with_the_server_gone_says_no_answer_came(
    request: pytest.FixtureRequest, context: AppContext
) -> None:
    executable = chromium()
    from playwright.sync_api import expect, sync_playwright

    target_id = _seed(context)
    app = create_app(context=context)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            with screenshots(request, page) as shots:
                with live_server(app) as base:
                    _sign_in(page, base)
                    page.goto(f"{base}/settings/notifications/{target_id}/edit")
                    expect(page.locator("#toasts")).to_be_empty()
                    # A proxy in front answers instead: its error page stays out of the form.
                    page.route("**/edit", _bad_gateway)
                    page.get_by_role("button", name="Send test").click()
                    proxy = page.get_by_role("alert").filter(has_text="Error 502")
                    expect(proxy).to_contain_text("Nothing may have been saved", timeout=LONG)
                    expect(page.locator("#send-result")).not_to_contain_text("Bad Gateway")
                    page.unroute("**/edit")
                    page.add_script_tag(url=AXE_SCRIPT)  # for the check below, while it is up
                # The server has stopped; the page stays open, as after a crash or a restart.
                page.get_by_role("button", name="Send test").click()
                alert = page.get_by_role("alert").filter(has_text="Server unreachable")
                expect(alert).to_contain_text("No answer from the server", timeout=LONG)
                expect(alert).to_contain_text("Try again once it is back")
                shots.take(page, "server-gone-toast")
                # A second failure does not pile up a second message.
                page.get_by_role("button", name="Send test").click()
                expect(page.locator("#toasts [data-toast]")).to_have_count(1)
                assert not axe_violations(page)
        finally:
            browser.close()
