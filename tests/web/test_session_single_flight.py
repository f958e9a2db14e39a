"""After a commit every signed-in browser's next request misses the session cache at once;
the misses of one cookie share one database lookup, and a revocation still refuses every one
of them (the shared lookup began after the commit, never before it)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, event
from starlette.types import Message, Receive, Scope, Send

from tests.conftest import SignedInClient
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE, AuthenticationMiddleware
from vibe_quality_searcharr.users.models import UserSession

sqlite_only = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@contextmanager
def _statements(context: AppContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(context.database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(context.database.engine, "before_cursor_execute", record)


class _Who:
    """The page behind the layer: it answers with who the request was for."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope["state"]["principal"]
        body = (principal.username if principal is not None else "nobody").encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


async def _requests(
    layer: AuthenticationMiddleware, app: FastAPI, cookie: str, count: int
) -> list[tuple[int, str]]:
    async def one() -> tuple[int, str]:
        messages: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            messages.append(message)

        scope: Scope = {
            "type": "http", "method": "GET", "scheme": "http", "path": "/history",
            "query_string": b"", "client": ("127.0.0.1", 5000), "app": app,
            "headers": [(b"host", b"test"), (b"cookie", f"{SESSION_COOKIE}={cookie}".encode())],
        }  # fmt: skip
        await layer(scope, receive, send)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        return messages[0]["status"], body.decode()

    return list(await asyncio.gather(*(one() for _ in range(count))))


@sqlite_only
def test_concurrent_misses_of_one_cookie_share_one_lookup_and_see_a_revocation(
    app: FastAPI, context: AppContext, admin_client: SignedInClient
) -> None:
    cookie = admin_client.cookies.get(SESSION_COOKIE)
    assert cookie
    layer = AuthenticationMiddleware(_Who())
    assert context.database.stamp is not None
    with _statements(context) as alone:
        assert asyncio.run(_requests(layer, app, cookie, 1)) == [(200, "admin")]
    assert alone  # the first request looked the session up
    context.database.stamp.bump()  # as any commit does
    with _statements(context) as together:
        assert asyncio.run(_requests(layer, app, cookie, 8)) == [(200, "admin")] * 8
    assert len(together) == len(alone)  # one lookup for all eight, not eight
    with _statements(context) as cached:
        assert asyncio.run(_requests(layer, app, cookie, 3)) == [(200, "admin")] * 3
    assert cached == []
    with context.database.session_scope() as session:
        session.execute(delete(UserSession))  # signed out everywhere
    refused = asyncio.run(_requests(layer, app, cookie, 8))
    assert all(body == "nobody" or status == 401 for status, body in refused), refused
