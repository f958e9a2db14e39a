"""The whole user journey through the web UI in a real browser (Debian's Chromium via
Playwright), against a simulated Sonarr and Radarr sharing one simulated clock (the app's too):

1. the setup wizard: admin, first instance (a wrong key caught by the connection test), first
   queue from a preset, done; the dashboard with health. That tab stays on the dashboard, its
   event stream connected, and watches the rest happen live;
2. in a second tab: the instance pages, then a second instance, whose library sync after adding
   shows up on the dashboard tab;
3. a queue from a preset on it, its preview, "Run now": the run page's progress bar reaches the
   end by itself (htmx polling), and so does the dashboard tab's (SSE);
4. the history rows, and the dashboard's charts showing the run once it is reloaded;
5. an item of the run excluded from its history row, and the next preview lists it as skipped
   because it is excluded;
6. two-factor enrolment with a code computed from the key shown, sign-out, sign-in with a code.

Every page on the way is checked with axe-core (labels, headings, contrast...).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest

from tests.e2e.browser import (
    Shots,
    axe_violations,
    chromium,
    live_server,
    screenshots,
    until_subscribed,
)
from tests.search.harness import sim_sleeper
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.health import install_health_monitor
from vibe_quality_searcharr.simulator.testing import RunningSimulator

pytestmark = pytest.mark.browser

PASSWORD = "a journey tested passphrase"
LONG = 30_000  # ms: the most a background step (sync, run) may take before the test fails


@dataclass
class Journey:
    """What every step needs: where the app is, the screenshots, and what axe found."""

    base: str
    shots: Shots
    accessibility: dict[str, list[str]] = field(default_factory=dict)

    def check(self, page: Any, label: str) -> None:
        page.wait_for_load_state()
        self.shots.take(page, label)
        if found := axe_violations(page):
            self.accessibility[label] = found


def nav(page: Any, name: str) -> None:
    """Follow a link of the main navigation (breadcrumbs repeat some of the names)."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def test_the_whole_journey_from_setup_to_a_search_and_two_factor_sign_in(
    request: pytest.FixtureRequest,
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    sonarr = simulator_factory("sonarr")
    radarr = simulator_factory("radarr", size=30, clock=sonarr.clock)
    clock = sonarr.clock
    app = create_app(context=context)
    app.state.clock = clock.now
    app.state.search_sleep = sim_sleeper(radarr)  # the run's waits move the shared clock
    problems: list[str] = []

    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        tabs = browser.new_context(
            viewport={"width": 1280, "height": 900}, color_scheme="dark", reduced_motion="reduce"
        )
        tabs.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        dashboard = tabs.new_page()
        try:
            with screenshots(request, dashboard) as shots:
                journey = Journey(base, shots)
                _setup_wizard(journey, dashboard, sonarr)
                _dashboard(journey, dashboard, context)
                work = tabs.new_page()
                shots.watch(work)
                _instances(journey, work, dashboard, sonarr, radarr, app, clock.now)
                queue = _queue_from_preset(journey, work)
                label = _preview_and_run(journey, work, dashboard, queue)
                _exclude_and_preview_again(journey, work, queue, label)
                dashboard.close()
                _two_factor_and_sign_in_again(journey, work, clock)
                assert journey.accessibility == {}, journey.accessibility
        finally:
            browser.close()
    assert [p for p in problems if "Content Security Policy" in p] == []


def _setup_wizard(journey: Journey, page: Any, sonarr: RunningSimulator) -> None:
    from playwright.sync_api import expect

    base, check = journey.base, journey.check
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/setup")
    check(page, "setup account")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create admin and sign in").click()
    expect(page).to_have_url(f"{base}/setup/instance")
    check(page, "setup instance")

    # The first instance: a wrong key is caught by the test before saving.
    page.get_by_label("Name").fill("Living-room Sonarr")
    page.get_by_label("App").select_option("sonarr")
    page.get_by_label("URL").fill(sonarr.base_url)
    page.get_by_label("API key").fill("0" * 32)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#connection-result")).to_contain_text("failed")
    page.get_by_label("API key").fill(sonarr.api_key)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#connection-result")).to_contain_text("Connected to Sonarr")
    check(page, "setup instance tested")
    page.get_by_role("button", name="Test and save").click()
    expect(page).to_have_url(f"{base}/setup/queue")
    expect(page.get_by_role("status").first).to_contain_text("Added Living-room Sonarr")
    # The first queue, from the preset, with its forecast of the backlog.
    # Nothing is synced yet, so the forecast says there is no backlog (not an error).
    expect(page.locator("#forecast")).to_contain_text("backlog")
    check(page, "setup queue")
    page.get_by_role("button", name="Create queue").click()
    expect(page).to_have_url(f"{base}/setup/done")
    expect(page.get_by_role("status").first).to_contain_text("Created Steady missing")
    check(page, "setup done")


def _dashboard(journey: Journey, page: Any, context: AppContext) -> None:
    """Health once a check has run; no chart before the first search; the live stream open."""
    from playwright.sync_api import expect

    monitor = install_health_monitor(context)
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop owns this thread
        pool.submit(asyncio.run, monitor.run_once()).result(timeout=30)
    page.get_by_role("button", name="Go to the dashboard").click()
    expect(page).to_have_url(f"{journey.base}/")
    card = page.locator("article", has_text="Living-room Sonarr")
    expect(card).to_contain_text("Up")
    expect(card).to_contain_text("ms")
    expect(page.locator("#region-charts")).to_contain_text("drawn from the search history")
    expect(page.locator("#region-charts figure")).to_have_count(0)
    journey.check(page, "dashboard")
    until_subscribed(context)


def _instances(
    journey: Journey,
    page: Any,
    dashboard: Any,
    sonarr: RunningSimulator,
    radarr: RunningSimulator,
    app: Any,
    now: Callable[..., Any],
) -> None:
    """The instance pages, then a second instance; its library syncs once it is added."""
    from playwright.sync_api import expect

    base, check = journey.base, journey.check
    page.goto(f"{base}/instances")
    expect(page.get_by_role("heading", name="Instances")).to_be_visible()
    check(page, "instances")
    page.get_by_role("link", name="Living-room Sonarr", exact=True).click()
    expect(page.get_by_role("heading", name="Health history")).to_be_visible()
    check(page, "instance detail")
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_text("A key is set; leave blank to keep it.")).to_be_visible()
    assert sonarr.api_key not in page.content()
    check(page, "instance edit")

    # The tests' settings turn the scheduler (and with it the sync after adding) off.
    syncer = app.state.library_sync
    syncer.sync_new_instances = True
    syncer.clock = now
    nav(page, "Instances")
    page.get_by_role("button", name="Add instance").click()
    expect(page).to_have_url(f"{base}/instances/new")
    check(page, "instance new")
    page.get_by_label("Name").fill("Den Radarr")
    page.get_by_label("App").select_option("radarr")
    page.get_by_label("URL").fill(radarr.base_url)
    page.get_by_label("API key").fill(radarr.api_key)
    page.get_by_role("button", name="Test and save").click()
    expect(page.get_by_role("heading", name="Den Radarr")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Added Den Radarr")
    assert radarr.api_key not in page.content()
    check(page, "second instance")
    expect(dashboard.locator("#live-activity")).to_contain_text(
        "Library of Den Radarr synced", timeout=LONG
    )
    nav(page, "Library")
    expect(page.locator("article", has_text="Den Radarr")).to_contain_text("wanted items, synced")
    check(page, "library")


def _queue_from_preset(journey: Journey, page: Any) -> str:
    """A queue on the new instance from the "Steady missing" preset; returns its page."""
    from playwright.sync_api import expect

    base, check = journey.base, journey.check
    nav(page, "Queues")
    expect(page.get_by_role("heading", name="Queues", exact=True)).to_be_visible()
    check(page, "queues")
    page.get_by_role("button", name="New queue").click()
    page.get_by_label("Start from a preset").select_option("steady_missing")
    page.get_by_role("button", name="Start from it").click()
    expect(page).to_have_url(f"{base}/queues/new?preset=steady_missing")
    expect(page.get_by_text("works through the backlog without flooding")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Den movies")
    page.get_by_label("Instance", exact=True).select_option(label="Den Radarr (Radarr)")
    page.get_by_role("button", name="Update forecast").click()
    expect(page.locator("#forecast")).to_contain_text("first full pass")
    check(page, "queue new")
    page.get_by_role("button", name="Create queue").click()
    expect(page.get_by_role("heading", name="Den movies")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Created Den movies")
    check(page, "queue detail")
    return str(page.url)


def _preview_and_run(journey: Journey, page: Any, dashboard: Any, queue: str) -> str:
    """Preview, run, watch it end on the run page and on the dashboard; history and charts.
    Returns the label of the first item searched."""
    from playwright.sync_api import expect

    check = journey.check
    page.get_by_role("button", name="Preview").click()
    expect(page).to_have_url(f"{queue}/preview")
    expect(page.get_by_role("heading", name="Preview: Den movies")).to_be_visible()
    # Radarr searches the preset's batch of 10 movies in one command.
    plan = page.get_by_role("region", name="Planned commands").locator("tbody tr")
    expect(plan).to_have_count(1)
    expect(plan.locator("li")).to_have_count(10)
    check(page, "preview")

    page.get_by_role("button", name="Run now").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text("Started a run of Den movies")
    live = page.locator("#run-live")
    expect(live).to_contain_text("Completed", timeout=LONG)
    expect(live.locator("progress")).to_have_attribute("value", "1")
    expect(live.locator("progress")).to_have_attribute("max", "1")
    expect(live).to_contain_text("1 of 1 commands")
    expect(live.locator("tbody tr li")).to_have_count(10)
    check(page, "run")

    running = dashboard.locator("#running-live")
    expect(running.locator("progress")).to_have_attribute("value", "100", timeout=LONG)
    expect(running).to_contain_text("Den movies on Den Radarr")
    expect(running).to_contain_text("Completed")
    expect(running).to_contain_text("1 of 1 searches done")
    expect(running.get_by_role("list", name="Results of Den movies")).to_contain_text(
        "and 9 more: completed"
    )
    activity = dashboard.locator("#live-activity")
    expect(activity.locator("li", has_text="Searched")).to_have_count(1)
    expect(activity).to_contain_text("Run of Den movies completed")
    journey.check(dashboard, "dashboard live")

    nav(page, "History")
    table = page.get_by_role("region", name="Search history")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr li")).to_have_count(10)
    expect(table).to_contain_text("1 command, newest first.")
    check(page, "history")

    dashboard.reload()
    charts = dashboard.locator("#region-charts")
    expect(charts.locator("figure")).to_have_count(2)
    # One search command of ten movies: ten items searched, whatever it grabbed of them.
    expect(charts.locator("#figure-7d figcaption")).to_contain_text(
        re.compile(r"last 7 days: 10 items searched, \d+ grabbed")
    )
    check(dashboard, "dashboard after the run")
    label: str = table.locator("tbody tr").first.locator("th ul li a").first.inner_text()
    return label


def _exclude_and_preview_again(journey: Journey, page: Any, queue: str, label: str) -> None:
    from playwright.sync_api import expect

    base, check = journey.base, journey.check
    page.get_by_role("link", name=f"Exclude {label}", exact=True).first.click()
    expect(page.get_by_text(f"Excluding: {label}")).to_be_visible()
    check(page, "exclusion new")
    page.get_by_label("Reason").fill("wrong release every time")
    page.get_by_role("button", name="Exclude", exact=True).click()
    expect(page).to_have_url(f"{base}/exclusions")
    expect(page.get_by_role("status").first).to_contain_text("no queue searches it now")
    row = page.get_by_role("region", name="Exclusions").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Den Radarr")  # the title is the library's, without the year
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("wrong release every time")
    check(page, "exclusions")

    page.goto(f"{queue}/preview")
    skipped = page.get_by_role("region", name="Skipped items")
    expect(page.locator("#skipped-title + ul")).to_contain_text("Excluded: 1")
    expect(skipped.locator("tr", has_text=label)).to_contain_text("movie excluded until")
    # The items searched are resting, and this hour's budget is spent: nothing is planned.
    expect(page.locator("section[aria-labelledby=plan-title]")).not_to_contain_text(label)
    check(page, "preview with the exclusion")


def _two_factor_and_sign_in_again(journey: Journey, page: Any, clock: Any) -> None:
    from playwright.sync_api import expect

    base, check = journey.base, journey.check
    nav(page, "Settings")
    check(page, "settings account")
    page.get_by_role("link", name="Two-factor sign-in").click()
    check(page, "settings 2fa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Start").click()
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    check(page, "2fa enrol")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Six-digit code").fill(totp.at(clock.now()))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    check(page, "recovery codes")
    page.get_by_role("button", name="I have saved them").click()
    assert secret not in page.content()
    expect(page.get_by_text("Signing in needs your password and a code")).to_be_visible()

    for label, path in (
        ("sessions", "/settings/sessions"),
        ("tokens", "/settings/tokens"),
        ("users", "/settings/users"),
        ("logs", "/logs"),
    ):
        page.goto(f"{base}{path}")
        check(page, label)

    # Sign out, and back in with a code from the next time step (a code is good only once).
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/login")
    check(page, "login")
    clock.advance(31)
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/login/2fa?next=/")
    check(page, "login code")
    page.get_by_label("Code", exact=True).fill(totp.at(clock.now()))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text("Signed in as admin")).to_be_visible()
