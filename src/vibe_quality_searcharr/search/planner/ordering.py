"""Orders: rank the candidate units (single items and season packs) and keep the best k.

Every unit gets a sort key `(primary, kind, id, season, index)`: `primary` is what the order is
about, the rest breaks ties by id so the same inputs always give the same plan, whatever order
the library rows came in. Only the top k is needed (k is the batch, usually 10 of 50,000), so
`heapq.nsmallest` does the work of a full sort at a fraction of the cost, with identical results.

`random` is seeded: each unit's rank is a hash of (seed, unit id), so a preview and the run with
the same seed agree, and an item's place does not depend on which other items exist.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from vibe_quality_searcharr.search.planner.cooldowns import Searched
from vibe_quality_searcharr.search.planner.enums import Order
from vibe_quality_searcharr.search.planner.inputs import Item, QualityProfile
from vibe_quality_searcharr.search.planner.scoring import (
    GAP_MISSING,
    gap_points,
    raw_score,
    score_items,
)
from vibe_quality_searcharr.search.planner.seasons import Pack

__all__ = ["Ranked", "pack_raw_score", "rank", "seeded_hash"]

ITEM, PACK = 0, 1
_MASK = (1 << 64) - 1
_DAY = 86400.0


class Ranked(NamedTuple):
    """A chosen unit: `kind` ITEM (`position` in the eligible items) or PACK (in the packs)."""

    kind: int
    position: int
    raw_score: float | None


def seeded_hash(seed: int, value: int) -> int:
    """splitmix64 of (seed, value): cheap, well mixed, the same on every platform."""
    z = (value + (seed & _MASK) * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def pack_raw_score(
    pack: Pack,
    items: Sequence[Item],
    profiles: Mapping[int, QualityProfile],
    now: datetime,
    missing_only: bool = False,
) -> float:
    age_days = (now - pack.newest).total_seconds() / _DAY
    facts = pack.facts
    since_days = None if facts is None else (now - facts.last_searched_at).total_seconds() / _DAY
    if missing_only or any(not items[index].has_file for index in pack.indexes):
        gap = GAP_MISSING
    else:
        gap = max(gap_points(items[index], profiles) for index in pack.indexes)
    return raw_score(age_days, facts.attempts if facts is not None else 0, since_days, gap)


def _pack_search_ts(pack: Pack, searched: Sequence[Searched]) -> float:
    """A pack was last searched when the season or any of its episodes last was."""
    moments = [
        facts.last_searched_at
        for facts in (*(searched[index] for index in pack.indexes), pack.facts)
        if facts is not None
    ]
    return max(moments).timestamp() if moments else float("-inf")


def _last_ts(facts: Searched) -> float:
    return facts.last_searched_at.timestamp() if facts is not None else float("-inf")


def _released_ts(item: Item) -> float:
    released = item.released_at
    return released.timestamp() if released is not None else float("inf")


def rank(
    order: Order,
    k: int,
    items: Sequence[Item],
    searched: Sequence[Searched],
    singles: Sequence[int],
    packs: Sequence[Pack],
    profiles: Mapping[int, QualityProfile],
    seed: int,
    now: datetime,
    missing_only: bool = False,
) -> list[Ranked]:
    """The best k units. `missing_only` says every item lacks a file (the missing and recent
    strategies), which spares looking at each episode of every pack for its gap."""
    if k <= 0:
        return []
    keys: list[tuple[float, int, int, int, int]]
    if order is Order.PRIORITY:
        scores = score_items(items, searched, singles, profiles, now)
        keys = [
            (-score, ITEM, items[index].id, 0, index)
            for score, index in zip(scores, singles, strict=True)
        ]
        keys += [
            (-pack_raw_score(pack, items, profiles, now, missing_only), PACK, *pack.key, position)
            for position, pack in enumerate(packs)
        ]
    elif order is Order.RANDOM:
        keys = [
            (seeded_hash(seed, items[index].id), ITEM, items[index].id, 0, index)
            for index in singles
        ]
        keys += [
            (
                seeded_hash(seed, seeded_hash(pack.key.series_id, pack.key.season_number)),
                PACK,
                *pack.key,
                position,
            )
            for position, pack in enumerate(packs)
        ]
    elif order is Order.OLDEST or order is Order.NEWEST:
        sign = 1.0 if order is Order.OLDEST else -1.0
        keys = [
            (sign * _released_ts(items[index]), ITEM, items[index].id, 0, index)
            for index in singles
        ]
        keys += [
            (
                sign * min(_released_ts(items[index]) for index in pack.indexes)
                if order is Order.OLDEST
                else sign * pack.newest.timestamp(),
                PACK,
                *pack.key,
                position,
            )
            for position, pack in enumerate(packs)
        ]
    else:
        keys = [(_last_ts(searched[index]), ITEM, items[index].id, 0, index) for index in singles]
        keys += [
            (_pack_search_ts(pack, searched), PACK, *pack.key, position)
            for position, pack in enumerate(packs)
        ]
    chosen = heapq.nsmallest(k, keys) if k < len(keys) else sorted(keys)
    if order is Order.PRIORITY:
        return [Ranked(kind, index, -primary) for primary, kind, _, _, index in chosen]
    return [Ranked(kind, index, None) for _, kind, _, _, index in chosen]
