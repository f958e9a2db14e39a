"""The latest Prowlarr view of each media instance, kept in this process for the dashboard.

The dashboard must never call Prowlarr while a page is being answered (five reads per instance,
each up to a timeout), so the budget bars show what was last read: by a run or a preview
(`read_prowlarr_into`), by the budget API, or by the periodic refresh (`budgets.jobs`). Each
replica keeps its own copy; nothing here is shared or persisted, a restart starts empty until
the first refresh. `generation` grows with every change, so a cache of anything drawn from
these views can key on it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from vibe_quality_searcharr.search.budgets.prowlarr import ProwlarrView

__all__ = ["LatestProwlarr", "ProwlarrViews"]


@dataclass(frozen=True, slots=True)
class LatestProwlarr:
    """The last good view (None until one succeeds) and, when the newest read failed, why."""

    view: ProwlarrView | None
    read_at: datetime | None
    error: str | None = None
    failed_at: datetime | None = None


class ProwlarrViews:
    """Instance id -> `LatestProwlarr`. Written from the event loop and read from page threads:
    each write swaps one immutable entry under a lock, so a reader sees an old or a new entry,
    never half of one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[int, LatestProwlarr] = {}
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    def record(self, instance_id: int, view: ProwlarrView, read_at: datetime) -> None:
        with self._lock:
            current = self._latest.get(instance_id)
            if current is not None and current.read_at is not None and current.read_at > read_at:
                return  # an older read finishing late never replaces a newer one
            self._latest[instance_id] = LatestProwlarr(view, read_at)
            self._generation += 1

    def record_error(self, instance_id: int, error: str, at: datetime) -> None:
        """Keep the last good view (its figures are still the best known) and say it is stale."""
        with self._lock:
            current = self._latest.get(instance_id)
            if current is not None and current.read_at is not None and current.read_at > at:
                return
            view, read_at = (current.view, current.read_at) if current else (None, None)
            self._latest[instance_id] = LatestProwlarr(view, read_at, error, at)
            self._generation += 1

    def forget(self, keep: set[int]) -> None:
        """Drop the instances no longer served (deleted, disabled, unlinked)."""
        with self._lock:
            gone = set(self._latest) - keep
            for instance_id in gone:
                del self._latest[instance_id]
            if gone:
                self._generation += 1

    def snapshot(self) -> dict[int, LatestProwlarr]:
        with self._lock:
            return dict(self._latest)
