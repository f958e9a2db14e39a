"""Answers to the heaviest reads (dashboard, history, library pages and the history API),
kept per process and replayed while nothing they were drawn from can have changed.

An answer is reused only when all of these are the same as when it was made:

- the request, byte for byte where it matters: path, query, every header but a few hop-by-hop
  ones (so the session cookie, htmx headers, theme and flash cookies are part of the key, and
  one user's page is never shown to another), the principal;
- the database's commit stamp (`db.stamp`), read before the page reads anything: any commit
  (a new run or history row, an exclusion, a sync, a sign-out) makes every answer stale at once;
- the in-process inputs that are not in the database: the Prowlarr views' generation and the
  dashboard caches' (emptied when a run ends);
- the app clock's `BUCKET_SECONDS` slot: what depends on time alone (next runs, rolling budget
  windows, an exclusion expiring) lags by at most that, or twice that for the requests that
  arrive while the one that came first in a new slot is making its answer (they get the last
  slot's answer instead of all waiting: same data, only the clock moved).

Only complete 200 answers without Set-Cookie are kept; without a stamp (PostgreSQL) nothing is.
Requests arriving while the same answer is being made after a commit wait for it instead of
making it again, so a stamp change under load costs one rendering, not one per client.

It sits inside the authentication layer: a request reaches it only once its principal is known
(a revoked session is refused before any cached page could be replayed).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vibe_quality_searcharr.security.clock import app_clock

__all__ = ["BUCKET_SECONDS", "CACHED_PATHS", "PageCacheMiddleware"]

BUCKET_SECONDS = 5
MAX_BODY = 2 * 1024 * 1024
MAX_BYTES = 32 * 1024 * 1024  # all answers together
CACHED_PATHS = re.compile(r"^(/|/history|/api/v1/history|/library/\d+|/library/\d+/items)$")
_GENERATIONS = (
    ("prowlarr_views", "generation"),
    ("chart_cache", "_generation"),
    ("budget_cache", "_generation"),
)
# (commit stamp, sum of the in-process generations, clock slot)
Version = tuple[int, int, int]
_IGNORED_HEADERS = frozenset({b"connection", b"keep-alive", b"x-request-id", b"te", b"upgrade"})


@dataclass(frozen=True, slots=True)
class _Answer:
    version: Version
    start: Message
    body: bytes


def _key(scope: Scope, principal: Any) -> str:
    parts = [scope["method"], scope["scheme"], scope["path"], scope.get("query_string", b"")]
    headers = sorted(
        (name, value) for name, value in scope["headers"] if name not in _IGNORED_HEADERS
    )
    identity = (principal.user_id, principal.role, principal.method, principal.scope)
    digest = hashlib.sha256(repr((parts, headers, identity)).encode())
    return digest.hexdigest()


class PageCacheMiddleware:
    def __init__(self, app: ASGIApp, size: int = 256) -> None:
        self.app = app
        self._size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[str, _Answer] = OrderedDict()
        self._bytes = 0
        self._making: dict[tuple[str, Version], asyncio.Event] = {}

    def _version(self, scope: Scope) -> Version | None:
        application = scope["app"]
        stamp = application.state.context.database.data_stamp()
        if stamp is None:
            return None
        # In-process inputs that change without a commit: each counts its own changes.
        generation = sum(
            int(getattr(getattr(application.state, name, None), attribute, 0))
            for name, attribute in _GENERATIONS
        )
        bucket = int(app_clock(application)().timestamp() // BUCKET_SECONDS)
        return (stamp, generation, bucket)

    def _found(self, key: str, version: Version) -> _Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None or answer.version != version:
                return None
            self._answers.move_to_end(key)
            return answer

    def _keep(self, key: str, answer: _Answer) -> None:
        with self._lock:
            replaced = self._answers.pop(key, None)
            self._bytes -= len(replaced.body) if replaced is not None else 0
            self._answers[key] = answer
            self._bytes += len(answer.body)
            while len(self._answers) > self._size or self._bytes > MAX_BYTES:
                _, evicted = self._answers.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal") if scope["type"] == "http" else None
        if (
            principal is None
            or scope["method"] != "GET"
            or not CACHED_PATHS.match(scope["path"])
            or (version := self._version(scope)) is None
        ):
            await self.app(scope, receive, send)
            return
        key = _key(scope, principal)
        answer = self._found(key, version)
        making = self._making.get((key, version))
        if answer is None and making is not None:
            # Only the clock slot moved and the new answer is on its way: the last one will do.
            answer = self._found(key, (version[0], version[1], version[2] - 1))
            if answer is None:
                await making.wait()
                answer = self._found(key, version)
        if answer is not None:
            # A copy each time: the outer middlewares add their headers to the message in place.
            await send({**answer.start, "headers": list(answer.start["headers"])})
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self._make(scope, receive, send, key, version)

    async def _make(
        self, scope: Scope, receive: Receive, send: Send, key: str, version: Version
    ) -> None:
        done = asyncio.Event()
        self._making[(key, version)] = done
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = {
                    "type": "http.response.start",
                    "status": message["status"],
                    "headers": list(message.get("headers", [])),
                }
                names = {name.lower() for name, _ in message.get("headers", [])}
                keep = message["status"] == 200 and b"set-cookie" not in names
            elif message["type"] == "http.response.body" and keep:
                chunk = message.get("body", b"")
                size += len(chunk)
                keep = size <= MAX_BODY
                chunks.append(chunk)
                if keep and start is not None and not message.get("more_body", False):
                    self._keep(key, _Answer(version, start, b"".join(chunks)))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self._making.pop((key, version), None)
            done.set()
