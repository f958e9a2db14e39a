"""Reason texts for planned commands: what the user reads under "why was this searched?".

They state the facts that drove the choice in plain words, e.g. "aired 3 days ago, never
searched, missing", prefixed by the order when it is not the priority score ("oldest first: ..."),
and mention the season pack or its fallback when that shaped the command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from vibe_quality_searcharr.search.planner.apps import FamilyTraits
from vibe_quality_searcharr.search.planner.cooldowns import Searched
from vibe_quality_searcharr.search.planner.enums import Order
from vibe_quality_searcharr.search.planner.inputs import Item, QualityProfile, SearchState
from vibe_quality_searcharr.search.planner.scoring import search_phrase, want_phrase
from vibe_quality_searcharr.search.planner.seasons import Pack
from vibe_quality_searcharr.search.planner.texts import ago, plural

__all__ = ["item_reason", "order_prefix", "pack_reason"]

_PREFIXES = {
    Order.PRIORITY: "",
    Order.OLDEST: "oldest first: ",
    Order.NEWEST: "newest first: ",
    Order.LEAST_RECENTLY_SEARCHED: "least recently searched first: ",
}


def order_prefix(order: Order, seed: int) -> str:
    if order is Order.RANDOM:
        return f"random pick (seed {seed}): "
    return _PREFIXES[order]


def item_reason(
    item: Item,
    facts: Searched,
    traits: FamilyTraits,
    profiles: Mapping[int, QualityProfile],
    now: datetime,
    pack_fallback: SearchState | None = None,
) -> str:
    released = item.released_at
    parts = []
    if pack_fallback is not None:
        parts.append(
            f"season {item.season_number} pack found nothing "
            f"{ago(pack_fallback.last_searched_at, now)}, searching episodes"
        )
    if released is not None:
        parts.append(f"{traits.released_verb} {ago(released, now)}")
    parts.append(search_phrase(facts, now))
    parts.append(want_phrase(item, profiles))
    return ", ".join(parts)


def pack_reason(
    pack: Pack,
    items: Sequence[Item],
    traits: FamilyTraits,
    profiles: Mapping[int, QualityProfile],
    now: datetime,
) -> str:
    covered = [items[index] for index in pack.indexes]
    wants = sorted({want_phrase(item, profiles) for item in covered})
    want = wants[0] if len(wants) == 1 else " or ".join(wants)
    search = f"pack {search_phrase(pack.facts, now)}"
    return (
        f"season {pack.key.season_number} pack: "
        f"{plural(len(covered), 'wanted episode')} of a fully aired season, "
        f"last {traits.released_verb} {ago(pack.newest, now)}, {search}, {want}"
    )
