"""Who a session cookie belongs to, remembered between requests of this process.

Resolving a cookie costs a worker thread, a database session and two lookups on every request,
a good part of a page's time under load. The answer is kept here, keyed by the cookie's digest,
and reused only while both hold:

- nothing at all has been committed to the database since the stamp read before it was
  looked up (`db.stamp`: a sign-out, a revoked session, a disabled user or a changed password
  anywhere, in this process or in a `vqs` command beside it, moves the stamp, so a revocation
  takes effect on the very next request, never after a delay);
- the session's own deadlines have not come (`sessions.good_until`: absolute expiry, idle
  expiry, and the next `last_seen_at` touch, which must go to the database).

Only successful session-cookie answers are kept (a wrong cookie always goes to the database, so
guessing fills nothing), and without a stamp (PostgreSQL) nothing is kept at all. Concurrent
misses of one cookie share one lookup (`security.authentication`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from vibe_quality_searcharr.security.tokens import digest
from vibe_quality_searcharr.users.resolver import Resolution

__all__ = ["SessionCache"]


@dataclass(frozen=True, slots=True)
class _Entry:
    stamp: int
    resolution: Resolution
    good_until: datetime


class SessionCache:
    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, cookie: str, stamp: int | None, now: datetime) -> Resolution | None:
        if stamp is None:
            return None
        key = digest(cookie)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            # An entry read at a newer stamp than this request's is as fresh as it needs.
            if entry.stamp < stamp or now >= entry.good_until:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.resolution

    def put(self, cookie: str, stamp: int | None, resolution: Resolution) -> None:
        """`stamp` must have been read before the resolution was."""
        if stamp is None or resolution.principal is None or resolution.good_until is None:
            return
        key = digest(cookie)
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None and kept.stamp > stamp:
                return  # a lookup begun later finished first
            self._entries[key] = _Entry(stamp, resolution, resolution.good_until)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
