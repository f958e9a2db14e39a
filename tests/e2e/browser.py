"""Helpers for the real-browser tests: Chromium, a live server on loopback, screenshots, axe.

Chromium is Debian's (`/usr/bin/chromium`); without it the tests skip, unless
VQS_REQUIRE_BROWSER=1 (CI) makes that a failure. Each page a test visits is screenshotted in
memory and written under `test-artifacts/<test>/` when the test fails (or always with
VQS_TEST_SCREENSHOTS=1, to look at the pages while working on them).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from vibe_quality_searcharr.context import AppContext

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_SCRIPT = "/static/vendor/axe-core/axe.min.js"
# What "accessibility basics" means here: no serious or critical axe finding, contrast included.
BLOCKING_IMPACTS = ("serious", "critical")


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("VQS_REQUIRE_BROWSER") == "1":
            pytest.fail("VQS_REQUIRE_BROWSER=1 but Chromium is not installed")
        pytest.skip("Chromium not installed")
    return path


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on")
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


def until_subscribed(context: AppContext, count: int = 1, deadline_s: float = 20.0) -> None:
    """A page's EventSource is connected once the bus has that many subscribers (a bounded
    readiness wait, like the live server's: the stream starts after its headers are sent, so
    the browser's "open" alone does not say the server is listening yet)."""
    limit = time.monotonic() + deadline_s
    while len(context.events._subscribers) < count:
        if time.monotonic() > limit:
            pytest.fail("the page never opened its event stream")
        time.sleep(0.02)


@dataclass
class Shots:
    """Screenshots of the pages a test saw, kept until we know whether it failed. `watch`
    adds a page (a second tab) to those screenshotted at the failure."""

    name: str
    taken: list[tuple[str, bytes]] = field(default_factory=list)
    pages: list[Any] = field(default_factory=list)

    def take(self, page: Any, label: str) -> None:
        self.taken.append((label, page.screenshot(full_page=True)))

    def watch(self, page: Any) -> None:
        self.pages.append(page)

    def save(self) -> Path:
        folder = ARTEFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name)
        shutil.rmtree(folder, ignore_errors=True)  # only this run's pages, numbered in order
        folder.mkdir(parents=True)
        for number, (label, png) in enumerate(self.taken, start=1):
            (folder / f"{number:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}.png").write_bytes(
                png
            )
        return folder


@contextmanager
def screenshots(request: pytest.FixtureRequest, page: Any) -> Iterator[Shots]:
    shots = Shots(request.node.name, pages=[page])
    try:
        yield shots
    except BaseException:
        for number, seen in enumerate(shots.pages, start=1):
            with suppress(Exception):  # the page may be gone; keep what we have
                shots.take(seen, "at-failure" if number == 1 else f"at-failure-tab-{number}")
        shots.save()
        raise
    if os.environ.get("VQS_TEST_SCREENSHOTS") == "1":
        shots.save()


def axe_violations(page: Any) -> list[str]:
    """Run axe-core (served from our own static files, so the CSP allows it) on the page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_SCRIPT)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))
            }));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
        for v in found
        if v["impact"] in BLOCKING_IMPACTS
    ]
