"""A real browser (Debian's Chromium through Playwright) against a live server on loopback:
setup, sign-out and sign-in forms pass the CSRF and origin checks under our CSP and
Referrer-Policy, a cross-site form post is refused, and the API docs run without CSP errors."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext

pytestmark = pytest.mark.browser

PASSWORD = "a browser tested passphrase"


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("VQS_REQUIRE_BROWSER") == "1":
            pytest.fail("VQS_REQUIRE_BROWSER=1 but Chromium is not installed")
        pytest.skip("Chromium not installed")
    return path


@pytest.fixture
def live_server(context: AppContext) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(context=context), host="127.0.0.1", port=0, log_config=None, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:  # readiness wait, not a timing assertion
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_sign_in_forms_work_in_a_real_browser(live_server: str) -> None:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    csp_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: (
                    csp_errors.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )

            page.goto(f"{live_server}/queues")  # anonymous, no users yet: sign-in, then setup
            assert page.url.endswith("/setup")
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Create admin and sign in").click()
            page.wait_for_load_state()
            assert any(
                cookie["name"] == "vqs_session" and cookie["httpOnly"]
                for cookie in page.context.cookies()
            )

            page.goto(f"{live_server}/setup")  # setup is over: a plain page with "Sign out"
            assert "Signed in as admin" in page.content()
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(f"{live_server}/login")
            assert page.get_by_role("heading", name="Sign in").is_visible()

            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            me = page.goto(f"{live_server}/api/v1/auth/me")
            assert me is not None
            assert me.status == 200
            assert '"username":"admin"' in page.content()

            # A form on another origin posting to us with the victim's cookie is refused.
            page.set_content(f'<form id="f" method="post" action="{live_server}/logout"></form>')
            with page.expect_navigation():
                page.eval_on_selector("#f", "form => form.submit()")
            assert "Cross-site request refused" in page.content() or "CSRF" in page.content()
            still = page.goto(f"{live_server}/api/v1/auth/me")
            assert still is not None
            assert still.status == 200

            page.goto(f"{live_server}/api/docs")
            page.wait_for_selector(".swagger-ui .info", timeout=15000)
            assert "Vibe-Quality-Searcharr" in page.inner_text(".swagger-ui .info")
        finally:
            browser.close()
    assert csp_errors == []
