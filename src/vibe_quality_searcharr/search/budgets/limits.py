"""Pure budget arithmetic: an instance's own hourly/daily caps and its Prowlarr indexers' limits
become the planner's `BudgetLimit`s. No I/O and no clock: the callers pass what was spent and
`now`, so the same figures are checked by the planner (preview) and again by the executor just
before each command.

Everything is counted in indexer queries. One *arr search is one query on every indexer that
serves the instance, so "remaining queries" of any one limit is directly "searches allowed".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vibe_quality_searcharr.search.planner import BudgetLimit

__all__ = [
    "DAY",
    "HOUR",
    "IndexerView",
    "Spend",
    "cap_limits",
    "indexer_limit",
    "prowlarr_limits",
    "serves",
]

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Spend:
    """Queries spent at one moment (one search command: its cost)."""

    at: datetime
    queries: int


def _window(spent: Iterable[Spend], now: datetime, length: timedelta) -> list[Spend]:
    start = now - length
    return sorted((s for s in spent if start < s.at <= now), key=lambda s: s.at)


def _cap(
    name: str, cap: int, spent: Sequence[Spend], now: datetime, length: timedelta
) -> BudgetLimit:
    """A rolling-window cap. `resets_at` is when the oldest spend in the window ages out, which
    is when at least one more query becomes available (None when nothing was spent)."""
    recent = _window(spent, now, length)
    used = sum(s.queries for s in recent)
    resets_at = recent[0].at + length if recent else None
    return BudgetLimit(name, max(cap - used, 0), resets_at)


def cap_limits(
    hourly: int | None, daily: int | None, spent: Sequence[Spend], now: datetime
) -> tuple[BudgetLimit, ...]:
    """The instance's own caps (None: no cap) against what this program spent there."""
    limits: list[BudgetLimit] = []
    if hourly is not None:
        limits.append(_cap(f"hourly cap of {hourly}", hourly, spent, now, HOUR))
    if daily is not None:
        limits.append(_cap(f"daily cap of {daily}", daily, spent, now, DAY))
    return tuple(limits)


@dataclass(frozen=True, slots=True)
class IndexerView:
    """What Prowlarr says of one indexer: its limit, how much of it the rolling window already
    holds (searches and RSS of every app), and whether it is enabled or backing off."""

    id: int
    name: str
    enabled: bool
    tags: frozenset[int]
    query_limit: int | None
    unit: str  # "hour" or "day"
    used: int
    disabled_till: datetime | None = None

    def backing_off(self, now: datetime) -> bool:
        return self.disabled_till is not None and self.disabled_till > now


def serves(indexer: IndexerView, app_tags: frozenset[int] | None) -> bool:
    """Prowlarr syncs an indexer to an app when the indexer has no tags or shares one. Without
    a matched app (`None`) every indexer is assumed to serve it: the safe side."""
    if app_tags is None or not indexer.tags:
        return True
    return not indexer.tags.isdisjoint(app_tags)


def indexer_limit(indexer: IndexerView, headroom: float, now: datetime) -> BudgetLimit | None:
    """The queries this indexer may still take, keeping `headroom` (0.2 = 20 %) of its limit
    unused for the user's own searches and RSS. None when it has no limit."""
    if indexer.query_limit is None:
        return None
    usable = math.floor(indexer.query_limit * (1 - headroom))
    window = HOUR if indexer.unit == "hour" else DAY
    remaining = max(usable - indexer.used, 0)
    per = "hour" if indexer.unit == "hour" else "day"
    return BudgetLimit(
        f"indexer {indexer.name} ({indexer.query_limit}/{per}, {round(headroom * 100)}% headroom)",
        remaining,
        # Prowlarr's window rolls; without per-query times, a full window is the safe bound.
        now + window if remaining == 0 else None,
    )


def prowlarr_limits(
    indexers: Sequence[IndexerView],
    app_tags: frozenset[int] | None,
    headroom: float,
    now: datetime,
) -> tuple[BudgetLimit, ...]:
    """One limit per enabled indexer that serves the app and is not backing off (Prowlarr
    sends no query to an indexer it is backing off from, so it constrains nothing now)."""
    limits = (
        indexer_limit(indexer, headroom, now)
        for indexer in indexers
        if indexer.enabled and not indexer.backing_off(now) and serves(indexer, app_tags)
    )
    return tuple(limit for limit in limits if limit is not None)
