"""A cheap answer to "has anything been committed to the database since?": the key of the
per-process caches of sessions and pages (`security.session_cache`, `web.page_cache`).

SQLite keeps, per connection, a `PRAGMA data_version` that changes whenever another connection
commits: any connection of this process's pool, a `vqs` command in another process, a restore.
One dedicated connection that never writes therefore sees every commit, for about 15 µs a
read of the WAL index (no page is read or decrypted). `current()` turns it into a counter that
only grows, so a cached value is valid exactly while the counter it was stored with is current.

Read the stamp *before* the data it guards: a commit in between then leaves a value newer than
its stamp (a wasted miss later), never an older one under a newer stamp (a stale hit).

PostgreSQL has no such counter that is both cheap and transactional (replicas commit on other
machines), so there `current()` is None and the caches stay off: correctness over speed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["DataStamp"]


class DataStamp:
    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._connection: Any = None
        self._lock = threading.Lock()
        self._seen: int | None = None
        self._counter = 0
        self._closed = False

    def current(self) -> int | None:
        """The counter now; None when it cannot be read (then nothing may be cached)."""
        with self._lock:
            if self._closed:
                return None
            try:
                if self._connection is None:
                    self._connection = self._connect()
                version = int(self._connection.execute("PRAGMA data_version").fetchone()[0])
            except Exception:
                self._drop()
                return None
            if version != self._seen:
                self._seen = version
                self._counter += 1
            return self._counter

    def bump(self) -> None:
        """Invalidate everything now (a change this counter could not see, or a test)."""
        with self._lock:
            self._counter += 1

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self._connection.close()
        self._connection = None
        self._seen = None
        self._counter += 1  # whatever was cached under the old connection is suspect

    def close(self) -> None:
        with self._lock:
            self._drop()
            self._closed = True
