"""A loopback receiver for Apprise's json:// posts, and a dispatcher with a hand-driven clock."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.notifications.dispatch import NotificationDispatcher
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.sender import AppriseSender
from vibe_quality_searcharr.notifications.service import url_box

TOKEN = "s3cr3tWebhookToken9f2c"


@dataclass
class Received:
    path: str
    body: dict[str, Any]


@dataclass
class Receiver:
    """What a notification service would get: every POST body, parsed."""

    port: int
    posts: list[Received] = field(default_factory=list)
    status: int = 200

    def url(self, path: str = f"/hooks/{TOKEN}") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    @property
    def titles(self) -> list[str]:
        return [post.body["title"] for post in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            recv = box["r"]
            recv.posts.append(Received(self.path, body))
            self.send_response(recv.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box["r"] = Receiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box["r"]
    server.shutdown()
    server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dispatcher(context: AppContext, clock: Clock) -> Iterator[NotificationDispatcher]:
    """Synchronous: tests publish on the bus, then call `process_pending()` / `flush_due()`."""
    sender = AppriseSender(timeout=10)
    made = NotificationDispatcher(
        context.database,
        url_box(context.secrets.master_secret),
        sender=sender,
        clock=clock,
        threaded=False,
    )
    context.events.add_listener(made.listen)
    yield made
    made.close()


def make_target(context: AppContext, url: str, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "name": "Home",
        "url_encrypted": url_box(context.secrets.master_secret).encrypt(url),
        "scheme": url.split("://")[0],
        "service": "JSON",
        "events": ["run_grabs", "queue_failed", "instance_down", "instance_up", "sync_finished"],
        "enabled": True,
    }
    values.update(overrides)
    with context.database.session_scope() as session:
        target = NotificationTarget(**values)
        session.add(target)
        session.flush()
        return target.id


def target_row(context: AppContext, target_id: int) -> dict[str, Any]:
    with context.database.session_scope() as session:
        row = session.get(NotificationTarget, target_id)
        assert row is not None
        return {
            "last_sent_at": row.last_sent_at,
            "last_error": row.last_error,
            "failures": row.failures,
            "sent_count": row.sent_count,
        }
