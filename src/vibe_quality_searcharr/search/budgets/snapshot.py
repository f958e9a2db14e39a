"""An instance's budget at one moment, and as it shrinks while a run spends it.

A run reads Prowlarr once (five calls) and this program's own recent searches once, then asks
for the budget again before every command with what it has sent since: Prowlarr's counts plus
our own spend since the read is the indexer's true usage, without five more calls per command.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.search.budgets.limits import (
    DAY,
    IndexerView,
    Spend,
    cap_limits,
    prowlarr_limits,
)
from vibe_quality_searcharr.search.budgets.models import (
    DEFAULT_DAILY_CAP,
    DEFAULT_HEADROOM_PERCENT,
    DEFAULT_HOURLY_CAP,
    InstanceLimits,
)
from vibe_quality_searcharr.search.budgets.prowlarr import ProwlarrView
from vibe_quality_searcharr.search.models import CommandStatus, SearchCommand
from vibe_quality_searcharr.search.planner import Budget, BudgetLimit, CommandKind

__all__ = ["BudgetSnapshot", "command_queries", "instance_limits", "recent_spend"]


def command_queries(kind: str, item_ids: Sequence[int]) -> int:
    """Indexer queries a stored command cost on each indexer (see `planner.Command.cost`)."""
    return 1 if kind == CommandKind.SEASON_SEARCH.value else max(len(item_ids), 1)


def recent_spend(session: Session, instance_id: int, now: datetime) -> list[Spend]:
    """This program's searches on the instance in the last day. Commands that never left
    (`not_sent`) cost nothing; everything else, including `unknown` after a crash, is counted:
    the indexers may have seen it."""
    rows = session.execute(
        select(SearchCommand.intent_at, SearchCommand.kind, SearchCommand.item_ids)
        .where(SearchCommand.instance_id == instance_id)
        .where(SearchCommand.intent_at > now - DAY)
        .where(SearchCommand.status != CommandStatus.NOT_SENT)
    )
    return [Spend(at, command_queries(kind, ids or [])) for at, kind, ids in rows]


def instance_limits(session: Session, instance_id: int) -> InstanceLimits:
    """The instance's limits row, or one with the defaults (not added to the session)."""
    return session.get(InstanceLimits, instance_id) or InstanceLimits(
        instance_id=instance_id,
        hourly_cap=DEFAULT_HOURLY_CAP,
        daily_cap=DEFAULT_DAILY_CAP,
        headroom_percent=DEFAULT_HEADROOM_PERCENT,
        prowlarr_id=None,
    )


@dataclass
class BudgetSnapshot:
    hourly_cap: int | None
    daily_cap: int | None
    spent: list[Spend]
    read_at: datetime
    prowlarr: ProwlarrView | None = None
    headroom: float = 0.2
    since_read: list[Spend] = field(default_factory=list)
    # Set when Prowlarr should have been read and could not be: nothing is sent then, since
    # the indexers' usage is unknown.
    prowlarr_error: str | None = None

    def spend(self, at: datetime, queries: int) -> None:
        """Record a command this run just sent (it counts against every limit from now on)."""
        self.since_read.append(Spend(at, queries))

    def budget(self, now: datetime) -> Budget:
        limits = cap_limits(self.hourly_cap, self.daily_cap, [*self.spent, *self.since_read], now)
        if self.prowlarr is not None:
            extra = sum(spend.queries for spend in self.since_read)
            indexers = [_with_extra(view, extra) for view in self.prowlarr.indexers]
            limits += prowlarr_limits(indexers, self.prowlarr.app_tags, self.headroom, now)
        if self.prowlarr_error is not None:
            limits += (BudgetLimit(f"Prowlarr unreachable ({self.prowlarr_error})", 0),)
        return Budget(limits)


def _with_extra(view: IndexerView, extra: int) -> IndexerView:
    return replace(view, used=view.used + extra) if extra else view
