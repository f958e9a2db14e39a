"""How much of each instance's search budget is used now: the dashboard's budget bars.

Per media instance: this program's indexer queries in the last hour and day against the
instance caps (the cost of `snapshot.recent_spend`, summed in SQL; `snapshot.instance_limits`), and, when a Prowlarr view
of the instance is at hand (a cached one: the dashboard never calls Prowlarr itself), each
indexer's rolling-window use against its query limit. Takes a session, never commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.search.budgets.limits import DAY, HOUR
from vibe_quality_searcharr.search.budgets.prowlarr import ProwlarrView
from vibe_quality_searcharr.search.budgets.snapshot import instance_limits
from vibe_quality_searcharr.search.models import CommandStatus, SearchCommand
from vibe_quality_searcharr.search.planner import CommandKind

__all__ = ["CapUse", "InstanceBudgetStatus", "budget_status"]


@dataclass(frozen=True)
class CapUse:
    """`used` of `limit` (None: no limit) for one cap or indexer."""

    label: str
    used: int
    limit: int | None

    @property
    def percent(self) -> int:
        if not self.limit:
            return 0 if self.limit is None else 100
        return min(100, round(100 * self.used / self.limit))

    @property
    def level(self) -> str:
        """ "ok", "high" (80 % or more) or "full": words for the badge, not just a colour."""
        if self.limit is not None and self.used >= self.limit:
            return "full"
        return "high" if self.percent >= 80 else "ok"


@dataclass(frozen=True)
class InstanceBudgetStatus:
    instance_id: int
    name: str
    app: str
    hourly: CapUse
    daily: CapUse
    indexers: tuple[CapUse, ...] = ()


def _spent(session: Session, instance_id: int, now: datetime) -> tuple[int, int]:
    """Queries in the last hour and day, summed in SQL with the same cost as
    `snapshot.recent_spend` (a season search costs one query, any other command one per item,
    at least one; `not_sent` nothing): a busy day is thousands of rows, which the page should
    not decode one by one."""
    length = func.coalesce(func.json_array_length(SearchCommand.item_ids), 0)
    cost = case(
        (SearchCommand.kind == CommandKind.SEASON_SEARCH.value, 1),
        (length < 1, 1),
        else_=length,
    )
    hour, day = session.execute(
        select(
            func.coalesce(func.sum(case((SearchCommand.intent_at > now - HOUR, cost), else_=0)), 0),
            func.coalesce(func.sum(cost), 0),
        )
        .where(SearchCommand.instance_id == instance_id)
        .where(SearchCommand.intent_at > now - DAY)
        .where(SearchCommand.status != CommandStatus.NOT_SENT)
    ).one()
    return int(hour), int(day)


def budget_status(
    session: Session,
    now: datetime,
    *,
    prowlarr: Mapping[int, ProwlarrView] | None = None,
) -> list[InstanceBudgetStatus]:
    """Every enabled media instance's cap use, by name. `prowlarr` maps an instance id to its
    last Prowlarr view (what a run or a cache read); indexers without a limit are left out."""
    instances = session.execute(
        select(Instance.id, Instance.name, Instance.app)
        .where(Instance.enabled.is_(True), Instance.app != "prowlarr")
        .order_by(Instance.name)
    ).all()
    statuses: list[InstanceBudgetStatus] = []
    for instance_id, name, app in instances:
        limits = instance_limits(session, instance_id)
        hour, day = _spent(session, instance_id, now)
        view = (prowlarr or {}).get(instance_id)
        indexers: tuple[CapUse, ...] = ()
        if view is not None:
            indexers = tuple(
                CapUse(f"{indexer.name} (per {indexer.unit})", indexer.used, indexer.query_limit)
                for indexer in view.indexers
                if indexer.enabled and indexer.query_limit is not None
            )
        statuses.append(
            InstanceBudgetStatus(
                instance_id=instance_id,
                name=name,
                app=app,
                hourly=CapUse("Last hour", hour, limits.hourly_cap),
                daily=CapUse("Last 24 hours", day, limits.daily_cap),
                indexers=indexers,
            )
        )
    return statuses
