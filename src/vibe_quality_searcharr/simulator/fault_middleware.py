"""The ASGI layer that applies fault rules, outermost so it can cut the connection itself.

Dropping a connection without any response, or mid-body, needs the transport: uvicorn's `send`
is a bound method of its request cycle, which holds it. Elsewhere (an in-memory test client)
the same faults raise instead, which a client sees as a broken connection too.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.faults import FaultRule
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["ConnectionDropped", "FaultMiddleware"]


class ConnectionDropped(Exception):
    """Raised when the transport cannot be cut directly."""


def _transport(send: Send) -> Any:
    return getattr(getattr(send, "__self__", None), "transport", None)


async def _drop(send: Send) -> None:
    transport = _transport(send)
    if transport is None:
        raise ConnectionDropped("simulated dropped connection")
    transport.abort()
    for _ in range(3):
        await asyncio.sleep(0)


async def _plain(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class FaultMiddleware:
    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/__sim") or path.rstrip("/") == "/ping":
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "POST" and path.rstrip("/").endswith("/command"):
            with self.state.lock:
                self.state.stats.command_posts += 1
        for rule in self.state.faults.pick(path):
            if await self._apply(rule, send):
                return
        await self.app(scope, receive, send)

    async def _apply(self, rule: FaultRule, send: Send) -> bool:
        """Apply one fault; True when it produced the whole outcome of the request."""
        kind = rule.kind
        if kind == "latency":
            await asyncio.sleep(rule.latency_ms / 1000)
            return False
        if kind == "refuse_key":
            self.state.key_refused = True
            return False
        if kind == "error":
            text = {
                500: b'{"message":"Simulated failure"}',
                502: b"Bad Gateway",
                503: b"Service Unavailable",
            }
            media = b"application/json" if rule.status == 500 else b"text/plain"
            await _plain(send, rule.status, text[rule.status], [(b"content-type", media)])
            return True
        if kind == "rate_limit":
            await _plain(send, 429, b"", [(b"retry-after", str(rule.retry_after).encode())])
            return True
        if kind == "malformed":
            await _plain(
                send,
                200,
                b'{"page":1,"records":[{"id":1,',
                [(b"content-type", b"application/json")],
            )
            return True
        if kind == "truncated":
            head = b'{"page":1,"pageSize":10,"sortKey":"id","records":['
            headers = [(b"content-type", b"application/json"), (b"content-length", b"65536")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": head, "more_body": True})
            await _drop(send)
            return True
        if kind == "hang":
            deadline = time.monotonic() + rule.hang_seconds
            # The shutdown signal is a threading.Event set from another thread: poll it.
            while time.monotonic() < deadline and not self.state.shutdown_event.is_set():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            await _drop(send)
            return True
        if kind == "drop":
            await _drop(send)
            return True
        return False
