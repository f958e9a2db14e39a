"""What the planner returns: ordered commands with their items, score and reason; skipped items
with a reason code and text; a summary the UI, the run record and notifications can show as is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import NamedTuple, cast

from vibe_quality_searcharr.search.planner.enums import (
    App,
    CommandKind,
    HoldCode,
    Order,
    SkipCode,
    Strategy,
)
from vibe_quality_searcharr.search.planner.inputs import CycleState, SeasonKey
from vibe_quality_searcharr.search.planner.texts import at, plural

__all__ = [
    "BudgetEffect",
    "Command",
    "Hold",
    "Plan",
    "PlannedItem",
    "Skip",
    "SkipFields",
    "Summary",
    "new_skip",
]


@dataclass(frozen=True, slots=True)
class PlannedItem:
    item_id: int
    score: int
    reason: str


@dataclass(frozen=True, slots=True)
class Command:
    """One *arr command. `ids` are the item ids it covers (the episodes of a season pack too);
    `payload()` is the body for POST /command."""

    kind: CommandKind
    ids: tuple[int, ...]
    items: tuple[PlannedItem, ...]
    score: int
    reason: str
    ids_field: str = ""
    season: SeasonKey | None = None

    @property
    def cost(self) -> int:
        """Indexer queries this command spends on each indexer: the *arr searches every id of a
        batched command separately, while a season search is a single query."""
        return 1 if self.kind is CommandKind.SEASON_SEARCH else len(self.ids)

    def payload(self) -> dict[str, object]:
        if self.season is not None:
            return {
                "name": self.kind.value,
                "seriesId": self.season.series_id,
                "seasonNumber": self.season.season_number,
            }
        return {"name": self.kind.value, self.ids_field: list(self.ids)}


class Skip(NamedTuple):
    """A wanted item left out, with the facts behind the reason; `text` renders them on demand
    (a preview of 50,000 skipped items must not format 50,000 strings nobody reads)."""

    item_id: int
    code: SkipCode
    until: datetime | None = None
    since: datetime | None = None
    detail: str = ""
    fruitless: int = 0

    @property
    def text(self) -> str:
        return _SKIP_TEXTS[self.code](self)


def _unmonitored(skip: Skip) -> str:
    return f"{skip.detail or 'item'} is unmonitored"


def _excluded(skip: Skip) -> str:
    scope = skip.detail or "item"
    if scope.startswith("tag "):
        return f"{scope} is excluded by this queue"
    until = f"until {at(skip.until)}" if skip.until else "permanently"
    return f"{scope} excluded {until}"


def _not_released(skip: Skip) -> str:
    if skip.until is None:
        return "release date not announced"
    return f"not {skip.detail or 'released'} yet ({at(skip.until)})"


def _grace(skip: Skip) -> str:
    assert skip.until is not None
    since = f" {at(skip.since)}" if skip.since else " recently"
    return f"{skip.detail or 'released'}{since}; grace period until {at(skip.until)}"


def _queued(skip: Skip) -> str:
    return "already in the download queue"


def _cooldown(skip: Skip) -> str:
    assert skip.until is not None
    subject = f"{skip.detail} searched" if skip.detail else "searched"
    when = f" {at(skip.since)}" if skip.since else ""
    fruitless = f", {plural(skip.fruitless, 'search')} found nothing" if skip.fruitless else ""
    return f"{subject}{when}{fruitless}; cooldown until {at(skip.until)}"


def _cycle(skip: Skip) -> str:
    started = f" (started {at(skip.since)})" if skip.since else ""
    return f"already searched in this cycle{started}"


_SKIP_TEXTS = {
    SkipCode.UNMONITORED: _unmonitored,
    SkipCode.EXCLUDED: _excluded,
    SkipCode.NOT_RELEASED: _not_released,
    SkipCode.GRACE_PERIOD: _grace,
    SkipCode.IN_DOWNLOAD_QUEUE: _queued,
    SkipCode.COOLDOWN: _cooldown,
    SkipCode.SEARCHED_THIS_CYCLE: _cycle,
}


SkipFields = tuple[int, SkipCode, datetime | None, datetime | None, str, int]

new_skip = cast(Callable[[SkipFields], Skip], partial(tuple.__new__, Skip))
"""Build a `Skip` from all six fields at C speed: the NamedTuple constructor costs twice as much,
and a large library skips tens of thousands of items in every plan."""


@dataclass(frozen=True, slots=True)
class Hold:
    """Why the plan has no commands (or none at all could be sent)."""

    code: HoldCode
    text: str
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class BudgetEffect:
    """`wanted` searches the batch asked for, `allowed` what the tightest limit let through."""

    wanted: int
    allowed: int
    limited_by: str | None = None

    @property
    def dropped(self) -> int:
        return max(self.wanted - self.allowed, 0)

    @property
    def text(self) -> str:
        if self.limited_by is None or self.dropped == 0:
            return "within budget"
        return (
            f"budget allows {plural(self.allowed, 'search')} of {self.wanted} "
            f"({self.limited_by}); batch shrunk by {self.dropped}"
        )


@dataclass(frozen=True, slots=True)
class Summary:
    considered: int
    in_scope: int
    eligible: int
    planned_items: int
    planned_commands: int
    searches: int
    batch_size: int
    skipped: Mapping[SkipCode, int]
    budget: BudgetEffect
    hold: Hold | None = None

    @property
    def text(self) -> str:
        head = (
            f"{self.eligible} eligible of {self.in_scope} wanted; "
            f"{plural(self.planned_items, 'item')} planned in "
            f"{plural(self.planned_commands, 'command')} ({plural(self.searches, 'search')})"
        )
        parts = [head]
        if self.budget.dropped:
            parts.append(self.budget.text)
        if self.hold is not None:
            parts.append(self.hold.text)
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Plan:
    """The planner's answer. `cycle` is the queue's cycle state once these commands are sent
    (None when cycles are off); the executor stores it with the run."""

    app: App
    strategy: Strategy
    order: Order
    now: datetime
    seed: int
    commands: tuple[Command, ...]
    skipped: tuple[Skip, ...]
    summary: Summary
    cycle: CycleState | None = None

    @property
    def planned_item_ids(self) -> frozenset[int]:
        return frozenset(item_id for command in self.commands for item_id in command.ids)

    @property
    def searches(self) -> int:
        return sum(command.cost for command in self.commands)
