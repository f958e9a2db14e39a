"""Answers to the heaviest reads (dashboard, history, library pages and the history API),
kept per process and replayed while nothing they were drawn from can have changed.

An answer is reused only for the same request, and only while it is as new as all of these:

- the request, byte for byte where it matters: path, query, every header but a few hop-by-hop
  ones (so the session cookie, htmx headers, theme and flash cookies are part of the key, and
  one user's page is never shown to another), the principal;
- the database's commit stamp (`db.stamp`), read before the page reads anything: any commit
  (a new run or history row, an exclusion, a sync, a sign-out) makes every older answer stale;
- the in-process inputs that are not in the database: the Prowlarr views' generation and the
  dashboard caches' (emptied when a run ends);
- the app clock's `BUCKET_SECONDS` slot: what depends on time alone (next runs, rolling budget
  windows, an exclusion expiring) lags by at most that, or twice that for the requests that
  arrive while the next answer is being made (they get the last slot's answer instead of all
  waiting: same data, only the clock moved).

All three only grow, so "as new as" is a comparison: a request is answered only with an answer
whose version (read before that answer was made) is at least the version the request read on
arrival. A user who committed a change (a POST, then the redirect) reads a newer stamp than
any answer made before the commit, so they always see their change; a commit from another
process or replica moves the same stamp.

Single flight: at most one answer per key is being made at a time. Requests that miss while one
is being made wait for it (up to `WAIT_SECONDS`, then make their own) and take it when it is as
new as they need; when it is not (a commit came after it started), the first of them makes the
next one for all the others, its version read when it starts. Under N clients and a commit
every 100 ms a page therefore costs about one rendering per commit, not N, and a request waits
at most for the rendering under way plus its own.

Only complete 200 answers without Set-Cookie are kept; without a stamp (PostgreSQL) nothing is.
When the answer being made turns out not to be kept (an error page, too big), the requests
waiting for it make their own at once, side by side, as without a cache.

It sits inside the authentication layer: a request reaches it only once its principal is known
(a revoked session is refused before any cached page could be replayed).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vibe_quality_searcharr.security.clock import app_clock

__all__ = ["BUCKET_SECONDS", "CACHED_PATHS", "WAIT_SECONDS", "PageCacheMiddleware", "covers"]

BUCKET_SECONDS = 5
WAIT_SECONDS = 5.0  # for another request's answer; then a request makes its own
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


@dataclass(slots=True)
class _Making:
    """An answer under way: its version (read before it started) and whether it was kept."""

    version: Version
    done: asyncio.Event = field(default_factory=asyncio.Event)
    kept: bool = False


def covers(made: Version, wanted: Version) -> bool:
    """An answer made at `made` is as new as a request that read `wanted` needs."""
    return made[0] >= wanted[0] and made[1] >= wanted[1] and made[2] >= wanted[2]


def _only_clock_moved(made: Version, wanted: Version) -> bool:
    return made[0] >= wanted[0] and made[1] >= wanted[1] and made[2] >= wanted[2] - 1


def _key(scope: Scope, principal: Any) -> str:
    parts = [scope["method"], scope["scheme"], scope["path"], scope.get("query_string", b"")]
    headers = sorted(
        (name, value) for name, value in scope["headers"] if name not in _IGNORED_HEADERS
    )
    identity = (principal.user_id, principal.role, principal.method, principal.scope)
    digest = hashlib.sha256(repr((parts, headers, identity)).encode())
    return digest.hexdigest()


class PageCacheMiddleware:
    def __init__(self, app: ASGIApp, size: int = 256, wait_seconds: float = WAIT_SECONDS) -> None:
        self.app = app
        self._size = size
        self._wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._answers: OrderedDict[str, _Answer] = OrderedDict()
        self._bytes = 0
        # Touched only from the event loop: no lock, no await between a look and a change.
        self._making: dict[str, _Making] = {}

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

    def _found(self, key: str, wanted: Version, *, last_slot: bool = False) -> _Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                return None
            fresh = _only_clock_moved if last_slot else covers
            if not fresh(answer.version, wanted):
                return None
            self._answers.move_to_end(key)
            return answer

    def _keep(self, key: str, answer: _Answer) -> None:
        with self._lock:
            replaced = self._answers.get(key)
            if replaced is not None and covers(replaced.version, answer.version):
                return  # a side-by-side answer as new or newer is there already
            self._answers.pop(key, None)
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
            or (wanted := self._version(scope)) is None
        ):
            await self.app(scope, receive, send)
            return
        key = _key(scope, principal)
        answer, alone = await self._wait_for_answer(key, wanted)
        if answer is not None:
            # A copy each time: the outer middlewares add their headers to the message in place.
            await send({**answer.start, "headers": list(answer.start["headers"])})
            await send({"type": "http.response.body", "body": answer.body})
            return
        if alone:
            await self.app(scope, receive, send)
            return
        # Read again now: every request that waited read its version before this one.
        version = self._version(scope)
        if version is None:
            await self.app(scope, receive, send)
            return
        await self._make(scope, receive, send, key, version)

    async def _wait_for_answer(self, key: str, wanted: Version) -> tuple[_Answer | None, bool]:
        """An answer as new as `wanted`, or None: then the caller makes one, as the single
        maker of `key` (False) or side by side with others (True: the wait timed out or the
        awaited answer was not kept)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait_seconds
        while True:
            answer = self._found(key, wanted)
            making = self._making.get(key)
            if answer is None and making is not None and covers(making.version, wanted):
                # Only the clock slot moved and the new answer is on its way: the last one will do.
                answer = self._found(key, wanted, last_slot=True)
            if answer is not None:
                return answer, False
            if making is None:
                return None, False
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None, True
            try:
                await asyncio.wait_for(making.done.wait(), remaining)
            except TimeoutError:
                return None, True
            if not making.kept and covers(making.version, wanted):
                return None, True

    async def _make(
        self, scope: Scope, receive: Receive, send: Send, key: str, version: Version
    ) -> None:
        making = _Making(version)
        self._making[key] = making
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
                    making.kept = True
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if self._making.get(key) is making:
                del self._making[key]
            making.done.set()
