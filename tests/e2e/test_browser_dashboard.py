"""The dashboard in a real browser: a run started while the page is open shows its progress
and results through the SSE stream, without a reload, to the end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.conftest import make_user
from tests.e2e.browser import (
    axe_violations,
    chromium,
    live_server,
    screenshots,
    until_subscribed,
)
from tests.instances.conftest import make_instance
from tests.search.harness import make_queue, sim_sleeper, sync_mirror
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.simulator.testing import RunningSimulator
from vibe_quality_searcharr.users.keys import AuthKeys

pytestmark = pytest.mark.browser

PASSWORD = "a dashboard tested passphrase"


def test_the_dashboard_shows_a_run_live_to_its_end(
    request: pytest.FixtureRequest,
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    executable = chromium()
    from playwright.sync_api import expect, sync_playwright

    sim = simulator_factory("sonarr", size=60)
    with context.database.session_scope() as session:
        make_user(session, username="admin", role="admin", password=PASSWORD,
                  keys=AuthKeys.from_secrets(context.secrets))  # fmt: skip
        instance = make_instance(session, context, name="Sonarr", url=sim.base_url,
                                 api_key=sim.api_key)  # fmt: skip
        instance_id = instance.id
    sync_mirror(context, instance_id, sim)
    queue_id = make_queue(context, instance_id, name="Missing episodes", batch_size=3)
    app = create_app(context=context)
    app.state.clock = sim.clock.now
    app.state.search_sleep = sim_sleeper(sim)
    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
        try:
            with screenshots(request, page) as shots:
                page.goto(f"{base}/login")
                page.get_by_label("Username").fill("admin")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page).to_have_url(f"{base}/")
                running = page.locator("#running-live")
                expect(running).to_contain_text("Nothing is running")
                until_subscribed(context)
                loop = context.events._loop
                assert loop is not None
                started = asyncio.run_coroutine_threadsafe(
                    registry_of(app).start(queue_id), loop
                ).result(timeout=30)
                expect(running).to_contain_text("Missing episodes", timeout=30_000)
                expect(running.locator("progress")).to_have_attribute(
                    "value", "100", timeout=30_000
                )
                expect(running).to_contain_text("Completed")
                expect(running).to_contain_text("3 of 3 searches done")
                activity = page.locator("#live-activity")
                expect(activity.locator("li", has_text="Searched")).to_have_count(3)
                expect(activity).to_contain_text("Run of Missing episodes completed")
                shots.take(page, "dashboard-after-run")
                assert started.run_id >= 1
                assert not axe_violations(page)
        finally:
            browser.close()
