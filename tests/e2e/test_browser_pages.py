"""Every page in a real browser on a phone-sized screen in the light theme (the journey test
covers the dark one at desktop size): no serious or critical axe-core finding, nothing wider
than the screen, and the theme toggle switching without a reload under the CSP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import make_user
from tests.e2e.browser import axe_violations, chromium, live_server, screenshots
from tests.instances.conftest import make_instance
from tests.search.conftest import make_queue
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.backups.service import create_backup
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.service import url_box
from vibe_quality_searcharr.users.keys import AuthKeys

pytestmark = pytest.mark.browser

PASSWORD = "a phone tested passphrase"
TAKEN = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
BACKUP = "vqs-backup-20260310T030000Z.db"
PAGES = [
    "/",
    "/instances",
    "/instances/new",
    "/instances/1",
    "/instances/1/edit",
    "/instances/1/delete",
    "/setup/instance",
    "/setup/queue",
    "/queues",
    "/queues/new",
    "/queues/1",
    "/queues/1/edit",
    "/queues/1/delete",
    "/history",
    "/exclusions",
    "/setup/done",
    "/settings/account",
    "/settings/2fa",
    "/settings/sessions",
    "/settings/tokens",
    "/settings/users",
    "/settings/database",
    "/settings/general",
    "/settings/notifications",
    "/settings/notifications/new",
    "/settings/notifications/1/edit",
    "/settings/notifications/1/delete",
    "/settings/backups",
    f"/settings/backups/{BACKUP}/restore",
    f"/settings/backups/{BACKUP}/delete",
    "/settings/configuration",
    "/logs",
    "/library",
    "/library/1",
    "/library/1/items",
    "/no-such-page",
]


def test_pages_on_a_phone_in_the_light_theme(
    request: pytest.FixtureRequest, context: AppContext
) -> None:
    executable = chromium()
    from playwright.sync_api import expect, sync_playwright

    with context.database.session_scope() as session:
        make_user(
            session,
            username="admin",
            role="admin",
            password=PASSWORD,
            keys=AuthKeys.from_secrets(context.secrets),
        )
        instance = make_instance(session, context, name="Sonarr")
        make_queue(session, instance.id, name="Missing episodes")
        session.add(
            NotificationTarget(
                name="Discord #media",
                url_encrypted=url_box(context.secrets.master_secret).encrypt(
                    "json://127.0.0.1:9/x"
                ),
                scheme="json",
                service="JSON",
                events=["run_grabs", "instance_down"],
            )
        )
    pages = PAGES
    if context.database.sqlite_path is not None:
        create_backup(context.settings, context.secrets.database_key, now=TAKEN)
    else:  # PostgreSQL: no file backups to confirm a restore or delete of
        pages = [path for path in PAGES if BACKUP not in path]
    app = create_app(context=context)
    csp: list[str] = []
    found: dict[str, list[str]] = {}
    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(
            viewport={"width": 390, "height": 844},
            color_scheme="light",
            is_mobile=True,
            reduced_motion="reduce",  # axe must not judge colours mid-transition
        )
        page.on(
            "console",
            lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
        )
        try:
            with screenshots(request, page) as shots:
                page.goto(f"{base}/login")
                shots.take(page, "login")
                if violations := axe_violations(page):
                    found["/login"] = violations
                page.get_by_label("Username").fill("admin")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page).to_have_url(f"{base}/")
                for path in pages:
                    page.goto(f"{base}{path}")
                    page.wait_for_load_state()
                    shots.take(page, path)
                    if violations := axe_violations(page):
                        found[path] = violations
                    width = page.evaluate("() => document.documentElement.scrollWidth")
                    wide = page.evaluate(
                        """() => [...document.querySelectorAll('body *')]
                            .filter(e => e.getBoundingClientRect().right > 392)
                            .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
                    )
                    assert width <= 390 + 1, (path, width, wide)

                # The toggle: system -> dark -> light, remembered by the server.
                toggle = page.get_by_role("button", name="Theme: system")
                toggle.click()
                expect(page.locator("html")).to_have_attribute("data-theme", "dark")
                page.reload()
                expect(page.locator("html")).to_have_attribute("data-theme", "dark")
                shots.take(page, "dark after reload")
                if violations := axe_violations(page):
                    found["dark"] = violations
                page.get_by_role("button", name="Theme: dark").click()
                expect(page.locator("html")).to_have_attribute("data-theme", "light")
                if violations := axe_violations(page):
                    found["forced light"] = violations
                assert found == {}, found
        finally:
            browser.close()
    assert csp == []
