"""The priority score (0-100) and the reason text that explains it.

    score = recency (0-35) + fewer attempts (0-25) + time since last search (0-20) + gap (0-20)

- recency: 35 x (1 - log10(1 + age in days) / log10(1 + 3650)), floored at 0: new releases are
  the likeliest to be on indexers; a ten-year-old item scores nothing here.
- attempts: 25 x 0.5^attempts: every search that found nothing halves the hope for the next.
- since last search: 20 if never searched, else 20 x min(1, days since / 30).
- gap: missing 20, cutoff unmet 12, custom-format upgrade 4 + 8 x min(1, gap / |cutoff score|).

A season pack scores as its newest episode with the season's own search record and the largest
gap among its episodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from math import log10

from vibe_quality_searcharr.search.planner.cooldowns import Searched
from vibe_quality_searcharr.search.planner.inputs import Item, QualityProfile
from vibe_quality_searcharr.search.planner.scope import format_gap
from vibe_quality_searcharr.search.planner.texts import ago, plural

__all__ = [
    "display_score",
    "gap_points",
    "raw_score",
    "score_items",
    "search_phrase",
    "want_phrase",
]

RECENCY_MAX = 35.0
ATTEMPTS_MAX = 25.0
SINCE_MAX = 20.0
SINCE_FULL_DAYS = 30.0
GAP_MISSING = 20.0
GAP_CUTOFF = 12.0
GAP_FORMAT_BASE = 4.0
GAP_FORMAT_SPAN = 8.0
_LOG_HORIZON = log10(1 + 3650)
_DAY = 86400.0


def gap_points(item: Item, profiles: Mapping[int, QualityProfile]) -> float:
    if not item.has_file:
        return GAP_MISSING
    if item.cutoff_unmet:
        return GAP_CUTOFF
    gap = format_gap(item, profiles)
    if gap is None:
        return GAP_FORMAT_BASE
    score, cutoff = gap
    return GAP_FORMAT_BASE + GAP_FORMAT_SPAN * min(1.0, (cutoff - score) / max(abs(cutoff), 1))


def raw_score(age_days: float, attempts: int, since_days: float | None, gap: float) -> float:
    recency = RECENCY_MAX * max(0.0, 1.0 - log10(1.0 + max(age_days, 0.0)) / _LOG_HORIZON)
    tries = ATTEMPTS_MAX * 0.5**attempts
    since = SINCE_MAX if since_days is None else SINCE_MAX * min(1.0, since_days / SINCE_FULL_DAYS)
    return recency + tries + since + gap


def display_score(raw: float) -> int:
    return max(0, min(100, round(raw)))


def score_items(
    items: Sequence[Item],
    searched: Sequence[Searched],
    indexes: Sequence[int],
    profiles: Mapping[int, QualityProfile],
    now: datetime,
) -> list[float]:
    """Raw scores of `items[i]` for i in `indexes` (the hot loop of the priority order)."""
    now_ts = now.timestamp()
    scores: list[float] = []
    append = scores.append
    for index in indexes:
        item = items[index]
        facts = searched[index]
        released = item.released_at
        age_days = (now_ts - released.timestamp()) / _DAY if released is not None else 3650.0
        gap = GAP_MISSING if not item.has_file else gap_points(item, profiles)
        if facts is None:
            append(raw_score(age_days, 0, None, gap))
        else:
            since_days = (now_ts - facts.last_searched_at.timestamp()) / _DAY
            append(raw_score(age_days, facts.attempts, since_days, gap))
    return scores


def search_phrase(facts: Searched, now: datetime) -> str:
    if facts is None:
        return "never searched"
    attempts = max(facts.attempts, 1)
    return f"searched {plural(attempts, 'time')} (last {ago(facts.last_searched_at, now)})"


def want_phrase(item: Item, profiles: Mapping[int, QualityProfile]) -> str:
    if not item.has_file:
        return "missing"
    if item.cutoff_unmet:
        return "cutoff unmet"
    gap = format_gap(item, profiles)
    if gap is None:
        return "upgrade wanted"
    return f"custom format score {gap[0]} below cutoff {gap[1]}"
