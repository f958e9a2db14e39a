"""Single flight in the page cache: requests that miss together get one rendering, and nobody
ever gets an answer made before a commit they could have seen (their own change included).

The pages under test stand in for the real ones: each reads a value from the real (SQLCipher)
database in a worker thread, then holds on a gate the test opens, so the test decides exactly
which rendering is still under way when a commit lands. Nothing waits on the wall clock: the
event loop is only let run until every request has reached its next wait.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import anyio.to_thread
import pytest
from sqlalchemy import text
from starlette.types import Message, Receive, Scope, Send

from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.security.principal import Principal
from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.web.page_cache import PageCacheMiddleware, covers

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ADMIN = Principal(user_id=1, username="admin", role="admin", method="session")

# The commit stamp exists on SQLite only; on PostgreSQL nothing is cached at all.
sqlite_only = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@dataclass
class _Rendering:
    """One rendering of the page: the value it read, and the gate that lets it finish."""

    read: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)
    value: str = ""


class GatedPage:
    """An ASGI page that reads `app_setting.shown` from the database, then waits for its gate."""

    def __init__(self, database: Database, status: int = 200) -> None:
        self.database = database
        self.status = status
        self.renderings: list[_Rendering] = []

    def _read(self, rendering: _Rendering) -> None:
        with self.database.session_scope() as session:
            rendering.value = session.execute(
                text("SELECT value FROM app_setting WHERE key = 'shown'")
            ).scalar_one()
        rendering.read.set()
        rendering.gate.wait()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rendering = _Rendering()
        self.renderings.append(rendering)
        await anyio.to_thread.run_sync(self._read, rendering)
        body = f"shown={rendering.value}".encode()
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _scope(database: Database, path: str = "/history") -> Scope:
    application = SimpleNamespace(
        state=SimpleNamespace(context=SimpleNamespace(database=database), clock=lambda: NOW)
    )
    return {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"cookie", b"vqs_session=abc")],
        "state": {"principal": ADMIN},
        "app": application,
    }


async def _get(cache: PageCacheMiddleware, database: Database) -> tuple[int, str]:
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    await cache(_scope(database), receive, send)
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return messages[0]["status"], body.decode()


async def _settle() -> None:
    """Let every task run until it waits on something the test controls (no wall clock)."""
    for _ in range(50):
        await asyncio.sleep(0)


async def _until(event: threading.Event) -> None:
    await anyio.to_thread.run_sync(event.wait)


def _commit(database: Database, value: str) -> None:
    with database.session_scope() as session:
        session.execute(
            text("UPDATE app_setting SET value = :value WHERE key = 'shown'"), {"value": value}
        )


@pytest.fixture
def shown(database: Database) -> Database:
    assert database.data_stamp() is not None
    with database.session_scope() as session:
        session.execute(text("INSERT INTO app_setting (key, value) VALUES ('shown', 'first')"))
    return database


@sqlite_only
def test_requests_that_miss_together_get_one_rendering(shown: Database) -> None:
    page = GatedPage(shown)
    cache = PageCacheMiddleware(page)

    async def scenario() -> list[tuple[int, str]]:
        requests = [asyncio.create_task(_get(cache, shown)) for _ in range(6)]
        await _settle()
        assert len(page.renderings) == 1  # the other five wait for it
        page.renderings[0].gate.set()
        return await asyncio.gather(*requests)

    assert asyncio.run(scenario()) == [(200, "shown=first")] * 6
    assert len(page.renderings) == 1
    assert asyncio.run(_get(cache, shown)) == (200, "shown=first")  # replayed
    assert len(page.renderings) == 1


@sqlite_only
def test_a_request_after_a_commit_never_gets_the_rendering_begun_before_it(
    shown: Database,
) -> None:
    page = GatedPage(shown)
    cache = PageCacheMiddleware(page)

    async def scenario() -> tuple[tuple[int, str], ...]:
        before = asyncio.create_task(_get(cache, shown))
        await _settle()
        await _until(page.renderings[0].read)  # it has read "first" and is still rendering
        _commit(shown, "second")  # e.g. the user's own POST, before its redirect
        after = [asyncio.create_task(_get(cache, shown)) for _ in range(4)]
        await _settle()
        assert len(page.renderings) == 1  # they wait: one rendering at a time per page
        page.renderings[0].gate.set()
        first = await before
        await _settle()
        assert len(page.renderings) == 2  # the next rendering, made once for all four
        await _until(page.renderings[1].read)
        page.renderings[1].gate.set()
        return (first, *await asyncio.gather(*after))

    first, *after = asyncio.run(scenario())
    assert first == (200, "shown=first")  # it arrived before the commit
    assert after == [(200, "shown=second")] * 4
    assert len(page.renderings) == 2


@sqlite_only
def test_a_commit_from_another_process_is_seen_by_the_next_request(
    shown: Database, settings: Settings
) -> None:
    page = GatedPage(shown)
    cache = PageCacheMiddleware(page)

    async def once() -> tuple[int, str]:
        request = asyncio.create_task(_get(cache, shown))
        await _settle()
        page.renderings[-1].gate.set()
        return await request

    assert asyncio.run(once()) == (200, "shown=first")
    assert shown.sqlite_path is not None
    other = open_sqlcipher(shown.sqlite_path, ensure_secrets(settings).database_key)
    try:
        _commit(other, "from elsewhere")
    finally:
        other.dispose()
    assert asyncio.run(once()) == (200, "shown=from elsewhere")
    assert len(page.renderings) == 2


@sqlite_only
def test_waiting_is_bounded_then_a_request_renders_its_own(shown: Database) -> None:
    page = GatedPage(shown)
    cache = PageCacheMiddleware(page, wait_seconds=0)  # the bound, already reached

    async def scenario() -> list[tuple[int, str]]:
        first = asyncio.create_task(_get(cache, shown))
        await _settle()
        second = asyncio.create_task(_get(cache, shown))
        await _settle()
        assert len(page.renderings) == 2  # it did not wait for the one under way
        for rendering in page.renderings:
            rendering.gate.set()
        return list(await asyncio.gather(first, second))

    assert asyncio.run(scenario()) == [(200, "shown=first")] * 2


@sqlite_only
def test_an_answer_that_is_not_kept_lets_the_waiting_requests_render_their_own(
    shown: Database,
) -> None:
    page = GatedPage(shown, status=422)  # an error page is never replayed
    cache = PageCacheMiddleware(page)

    async def scenario() -> list[tuple[int, str]]:
        requests = [asyncio.create_task(_get(cache, shown)) for _ in range(3)]
        await _settle()
        assert len(page.renderings) == 1
        page.renderings[0].gate.set()
        await asyncio.wait(requests, return_when=asyncio.FIRST_COMPLETED)
        await _settle()
        assert len(page.renderings) == 3  # side by side, not one after another
        for rendering in page.renderings[1:]:
            rendering.gate.set()
        return await asyncio.gather(*requests)

    assert asyncio.run(scenario()) == [(422, "shown=first")] * 3


def test_an_answer_covers_a_request_only_when_it_is_as_new_in_every_part() -> None:
    assert covers((5, 2, 100), (5, 2, 100))
    assert covers((6, 2, 100), (5, 2, 100))  # made after a later commit: newer still
    assert not covers((4, 2, 100), (5, 2, 100))  # made before a commit the request saw
    assert not covers((6, 1, 100), (5, 2, 100))  # an in-process cache emptied since
    assert not covers((6, 2, 99), (5, 2, 100))  # the clock slot moved on
