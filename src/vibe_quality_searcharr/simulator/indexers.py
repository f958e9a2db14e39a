"""Indexers with Prowlarr's limits, shared by a simulated Prowlarr and the *arr apps it syncs.

Prowlarr counts queries (searches and RSS) over a rolling window of the limit's unit (0 = day,
1 = hour). A query past `queryLimit` reaches no indexer: it finds nothing and is counted as
excess, which is what a polite client must never cause.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["Indexer", "IndexerPool", "QueryRecord", "default_indexers"]


@dataclass(slots=True)
class QueryRecord:
    id: int
    indexer_id: int
    date: datetime
    kind: str
    successful: bool
    app: str
    term: str


@dataclass
class Indexer:
    id: int
    name: str
    protocol: str = "torrent"
    privacy: str = "private"
    enable: bool = True
    priority: int = 25
    tags: list[int] = field(default_factory=list)
    query_limit: int | None = None
    grab_limit: int | None = None
    limits_unit: int = 0
    added: datetime | None = None
    disabled_till: datetime | None = None
    most_recent_failure: datetime | None = None
    initial_failure: datetime | None = None
    recent_queries: deque[datetime] = field(default_factory=deque)
    recent_grabs: deque[datetime] = field(default_factory=deque)
    total_queries: int = 0
    total_grabs: int = 0
    rss_queries: int = 0
    failed_queries: int = 0
    excess_queries: int = 0
    excess_grabs: int = 0

    @property
    def window(self) -> timedelta:
        return timedelta(hours=1) if self.limits_unit == 1 else timedelta(days=1)

    def _prune(self, now: datetime) -> None:
        horizon = now - self.window
        for log in (self.recent_queries, self.recent_grabs):
            while log and log[0] <= horizon:
                log.popleft()

    def in_window(self, now: datetime) -> int:
        self._prune(now)
        return len(self.recent_queries)

    def grabs_in_window(self, now: datetime) -> int:
        self._prune(now)
        return len(self.recent_grabs)

    def serves(self, app_tags: list[int]) -> bool:
        """Prowlarr's sync rule: untagged indexers serve everyone, tagged ones share a tag."""
        return self.enable and (not self.tags or bool(set(self.tags) & set(app_tags)))

    def backing_off(self, now: datetime) -> bool:
        return self.disabled_till is not None and self.disabled_till > now


def default_indexers(now: datetime) -> list[Indexer]:
    """Three indexers with different limits, so limit handling is visible from the start."""
    return [
        Indexer(1, "NZBgeek", protocol="usenet", query_limit=100, grab_limit=25, added=now),
        Indexer(2, "DrunkenSlug", protocol="usenet", query_limit=20, limits_unit=1, added=now),
        Indexer(3, "Nyaa", protocol="torrent", privacy="public", tags=[1], added=now),
    ]


class IndexerPool:
    """All indexers of one Prowlarr (or of a standalone *arr) and their query log."""

    def __init__(self, indexers: list[Indexer]) -> None:
        self.indexers = indexers
        self.log: list[QueryRecord] = []
        self.lock = threading.RLock()

    def reset_counters(self) -> None:
        """Forget every query and grab (limits and tags stay as configured)."""
        with self.lock:
            self.log.clear()
            for indexer in self.indexers:
                indexer.recent_queries.clear()
                indexer.recent_grabs.clear()
                indexer.total_queries = indexer.total_grabs = indexer.rss_queries = 0
                indexer.failed_queries = indexer.excess_queries = indexer.excess_grabs = 0

    def get(self, indexer_id: int) -> Indexer | None:
        return next((indexer for indexer in self.indexers if indexer.id == indexer_id), None)

    def for_app(self, app_tags: list[int]) -> list[Indexer]:
        return sorted(
            (indexer for indexer in self.indexers if indexer.serves(app_tags)),
            key=lambda indexer: (indexer.priority, indexer.id),
        )

    def query(self, indexer: Indexer, now: datetime, app: str, term: str) -> bool:
        """Count one search on an indexer; False when it is over its limit or backing off."""
        with self.lock:
            if indexer.backing_off(now):
                return False
            if indexer.query_limit is not None and indexer.in_window(now) >= indexer.query_limit:
                indexer.excess_queries += 1
                return False
            indexer.recent_queries.append(now)
            indexer.total_queries += 1
            self.log.append(
                QueryRecord(len(self.log) + 1, indexer.id, now, "indexerQuery", True, app, term)
            )
            return True

    def rss(self, indexer: Indexer, now: datetime, app: str) -> None:
        """An RSS sync: counted in the same rolling window as searches, as Prowlarr does."""
        with self.lock:
            if indexer.backing_off(now):
                return
            if indexer.query_limit is not None and indexer.in_window(now) >= indexer.query_limit:
                indexer.excess_queries += 1
                return
            indexer.recent_queries.append(now)
            indexer.rss_queries += 1
            self.log.append(
                QueryRecord(len(self.log) + 1, indexer.id, now, "indexerRss", True, app, "")
            )

    def grab(self, indexer: Indexer, now: datetime) -> bool:
        with self.lock:
            if (
                indexer.grab_limit is not None
                and indexer.grabs_in_window(now) >= indexer.grab_limit
            ):
                indexer.excess_grabs += 1
                return False
            indexer.recent_grabs.append(now)
            indexer.total_grabs += 1
            self.log.append(
                QueryRecord(len(self.log) + 1, indexer.id, now, "releaseGrabbed", True, "", "")
            )
            return True

    def window_counts(self, indexer: Indexer, now: datetime) -> list[dict[str, object]]:
        """Queries per unit-aligned window (hour or UTC day), oldest first."""
        buckets: dict[datetime, int] = {}
        for record in self.log:
            if record.indexer_id != indexer.id or record.kind != "indexerQuery":
                continue
            date = record.date
            start = (
                date.replace(minute=0, second=0, microsecond=0)
                if indexer.limits_unit == 1
                else date.replace(hour=0, minute=0, second=0, microsecond=0)
            )
            buckets[start] = buckets.get(start, 0) + 1
        return [
            {"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "queries": count}
            for start, count in sorted(buckets.items())
        ]
