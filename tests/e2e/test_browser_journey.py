"""The user journey through the web UI in a real browser (Debian's Chromium via Playwright),
against a simulated Sonarr: setup wizard (admin, first instance with a connection test), the
instance on the dashboard, two-factor enrolment with a code computed from the key shown,
sign-out, and sign-in with a code. Every page on the way is checked with axe-core.

The search pages (queues, preview, runs, history, exclusions) extend this journey when they
land; see docs/ui.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pyotp
import pytest

from tests.e2e.browser import axe_violations, chromium, live_server, screenshots
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.instances.health import install_health_monitor
from vibe_quality_searcharr.simulator.testing import RunningSimulator

pytestmark = pytest.mark.browser

PASSWORD = "a journey tested passphrase"


def test_setup_instance_dashboard_two_factor_and_sign_in_again(
    request: pytest.FixtureRequest,
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    executable = chromium()
    from playwright.sync_api import expect, sync_playwright

    sonarr = simulator_factory("sonarr")
    clock = [utcnow()]
    app = create_app(context=context)
    app.state.clock = lambda: clock[0]
    problems: list[str] = []
    accessibility: dict[str, list[str]] = {}

    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(
            viewport={"width": 1280, "height": 900}, color_scheme="dark", reduced_motion="reduce"
        )
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type == "error" else None,
        )

        def check(label: str) -> None:
            page.wait_for_load_state()
            shots.take(page, label)
            found = axe_violations(page)
            if found:
                accessibility[label] = found

        try:
            with screenshots(request, page) as shots:
                # 1. Setup wizard: the admin account.
                page.goto(f"{base}/")
                expect(page).to_have_url(f"{base}/setup")
                check("setup account")
                page.get_by_label("Username").fill("admin")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Create admin and sign in").click()
                expect(page).to_have_url(f"{base}/setup/instance")
                check("setup instance")

                # 2. The first instance: a wrong key is caught by the test before saving.
                page.get_by_label("Name").fill("Living-room Sonarr")
                page.get_by_label("App").select_option("sonarr")
                page.get_by_label("URL").fill(sonarr.base_url)
                page.get_by_label("API key").fill("0" * 32)
                page.get_by_role("button", name="Test connection").click()
                expect(page.locator("#connection-result")).to_contain_text("failed")
                page.get_by_label("API key").fill(sonarr.api_key)
                page.get_by_role("button", name="Test connection").click()
                expect(page.locator("#connection-result")).to_contain_text("Connected to Sonarr")
                check("setup instance tested")
                page.get_by_role("button", name="Test and save").click()
                expect(page).to_have_url(f"{base}/setup/queue")
                expect(page.get_by_role("status").first).to_contain_text("Added Living-room Sonarr")
                # The first queue, from the preset, with its forecast of the backlog.
                # Nothing is synced yet, so the forecast says there is no backlog (not an error).
                expect(page.locator("#forecast")).to_contain_text("backlog")
                check("setup queue")
                page.get_by_role("button", name="Create queue").click()
                expect(page).to_have_url(f"{base}/setup/done")
                expect(page.get_by_role("status").first).to_contain_text("Created Steady missing")
                check("setup done")

                # 3. The dashboard shows it, with health once a check has run.
                monitor = install_health_monitor(context)
                with ThreadPoolExecutor(1) as pool:  # Playwright's loop owns this thread
                    pool.submit(asyncio.run, monitor.run_once()).result(timeout=30)
                page.get_by_role("button", name="Go to the dashboard").click()
                expect(page).to_have_url(f"{base}/")
                card = page.locator("article", has_text="Living-room Sonarr")
                expect(card).to_contain_text("Up")
                expect(card).to_contain_text("ms")
                check("dashboard")
                assert sonarr.api_key not in page.content()

                page.get_by_role("link", name="Instances", exact=True).click()
                expect(page.get_by_role("heading", name="Instances")).to_be_visible()
                check("instances")
                page.get_by_role("link", name="Living-room Sonarr", exact=True).click()
                expect(page.get_by_role("heading", name="Health history")).to_be_visible()
                check("instance detail")
                page.get_by_role("button", name="Edit", exact=True).click()
                expect(page.get_by_text("A key is set; leave blank to keep it.")).to_be_visible()
                assert sonarr.api_key not in page.content()
                check("instance edit")

                # 4. Two-factor enrolment: the key shown gives the code.
                page.get_by_role("link", name="Settings").click()
                check("settings account")
                page.get_by_role("link", name="Two-factor sign-in").click()
                check("settings 2fa")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Start").click()
                secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
                expect(page.get_by_role("img", name="QR code")).to_be_visible()
                check("2fa enrol")
                totp = pyotp.TOTP(secret)
                page.get_by_label("Six-digit code").fill(totp.at(clock[0]))
                page.get_by_role("button", name="Confirm and turn on").click()
                expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
                check("recovery codes")
                page.get_by_role("button", name="I have saved them").click()
                assert secret not in page.content()
                expect(
                    page.get_by_text("Signing in needs your password and a code")
                ).to_be_visible()

                for label, path in (
                    ("sessions", "/settings/sessions"),
                    ("tokens", "/settings/tokens"),
                    ("users", "/settings/users"),
                    ("logs", "/logs"),
                ):
                    page.goto(f"{base}{path}")
                    check(label)

                # 5. Sign out, and back in with a code from the next time step.
                page.get_by_role("button", name="Sign out").click()
                expect(page).to_have_url(f"{base}/login")
                check("login")
                clock[0] += timedelta(seconds=31)
                page.get_by_label("Username").fill("admin")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page).to_have_url(f"{base}/login/2fa?next=/")
                check("login code")
                page.get_by_label("Code", exact=True).fill(totp.at(clock[0]))
                page.get_by_role("button", name="Verify").click()
                expect(page).to_have_url(f"{base}/")
                expect(page.get_by_text("Signed in as admin")).to_be_visible()
                assert accessibility == {}, accessibility
        finally:
            browser.close()
    assert [p for p in problems if "Content Security Policy" in p] == []
