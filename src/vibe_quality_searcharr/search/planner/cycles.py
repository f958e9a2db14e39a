"""Cycle mode: every eligible item is searched once before any is searched again.

A cycle remembers the ids it has searched. Items it has done are skipped until every eligible
item is done; then the next cycle starts, but never sooner than the minimum cycle time after the
current one started (so a small backlog is not hammered every run). Items that become wanted
mid-cycle simply join the current cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress

from vibe_quality_searcharr.search.planner.cooldowns import Searched
from vibe_quality_searcharr.search.planner.enums import HoldCode, SkipCode
from vibe_quality_searcharr.search.planner.inputs import CycleState, Item
from vibe_quality_searcharr.search.planner.results import Hold, Skip, new_skip
from vibe_quality_searcharr.search.planner.settings import CycleSettings
from vibe_quality_searcharr.search.planner.texts import at, plural

__all__ = ["CycleSplit", "advance", "split_by_cycle"]


@dataclass(slots=True)
class CycleSplit:
    eligible: list[Item]
    searched: list[Searched]
    current: CycleState
    skipped: list[Skip] = field(default_factory=list)
    hold: Hold | None = None


def split_by_cycle(
    eligible: list[Item],
    searched: list[Searched],
    cycle: CycleState | None,
    settings: CycleSettings,
    now: datetime,
) -> CycleSplit:
    if cycle is None:
        return CycleSplit(eligible, searched, CycleState(1, now))
    done = cycle.done
    if not done:
        return CycleSplit(eligible, searched, cycle)
    keep = [item.id not in done for item in eligible]
    fresh = list(compress(eligible, keep))
    fresh_searched = list(compress(searched, keep))
    already = [item for item, kept in zip(eligible, keep, strict=True) if not kept]
    if fresh or not already:
        return CycleSplit(fresh, fresh_searched, cycle, _skips(already, cycle))
    next_at = cycle.started_at + settings.min_duration
    if now >= next_at:
        return CycleSplit(eligible, searched, CycleState(cycle.number + 1, now))
    hold = Hold(
        HoldCode.CYCLE_COMPLETE,
        f"cycle {cycle.number} complete ({plural(len(done), 'item')} searched); "
        f"next cycle at {at(next_at)}",
        next_at,
    )
    return CycleSplit([], [], cycle, _skips(already, cycle), hold)


def _skips(items: list[Item], cycle: CycleState) -> list[Skip]:
    code, started = SkipCode.SEARCHED_THIS_CYCLE, cycle.started_at
    return [new_skip((item.id, code, None, started, "", 0)) for item in items]


def advance(
    previous: CycleState | None, current: CycleState, planned: frozenset[int]
) -> CycleState | None:
    """The cycle state to store once the plan is sent: unchanged when nothing is planned (a
    cycle only starts when it searches something)."""
    if not planned:
        return previous
    return CycleState(current.number, current.started_at, current.done | planned)
