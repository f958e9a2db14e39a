"""The opt-in update check: a newer release is announced once, through the bus."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.notifications.updates import (
    check_for_update,
    install_update_check,
    parse_version,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Feed:
    def __init__(self) -> None:
        self.body: object = {"tag_name": "v0.1.0"}
        self.status = 200
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                payload = json.dumps(feed.body).encode()
                self.send_response(feed.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: object) -> None:
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/releases/latest"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def feed() -> Iterator[Feed]:
    served = Feed()
    yield served
    served.server.shutdown()


def _published(context: AppContext) -> list[Event]:
    seen: list[Event] = []
    context.events.add_listener(lambda event: seen.append(event))
    return seen


async def test_a_newer_release_is_announced_once(context: AppContext, feed: Feed) -> None:
    seen = _published(context)
    feed.body = {"tag_name": "v0.3.1", "name": "0.3.1"}
    assert await check_for_update(context, feed.url, current="0.1.0") == "0.3.1"
    assert await check_for_update(context, feed.url, current="0.1.0") is None  # already said
    updates = [event for event in seen if event.kind == "update.available"]
    assert [event.data for event in updates] == [{"version": "0.3.1", "current_version": "0.1.0"}]


async def test_same_or_older_versions_and_broken_feeds_announce_nothing(
    context: AppContext, feed: Feed
) -> None:
    seen = _published(context)
    feed.body = {"tag_name": "v0.1.0"}
    assert await check_for_update(context, feed.url, current="0.1.0") is None
    feed.body = ["not", "an", "object"]
    assert await check_for_update(context, feed.url, current="0.1.0") is None
    feed.status = 500
    assert await check_for_update(context, feed.url, current="0.1.0") is None
    assert not [event for event in seen if event.kind == "update.available"]


def test_it_is_off_unless_a_feed_is_configured(context: AppContext) -> None:
    assert context.settings.update_check_url is None
    assert install_update_check(context) is False


def test_versions_parse_with_or_without_the_v() -> None:
    assert parse_version("v1.2.3") == (1, 2, 3)
    assert parse_version("1.10") == (1, 10, 0)
    assert parse_version("nightly") is None
