"""How much of each instance's search budget is used now: the dashboard's budget bars.

Per media instance: this program's indexer queries in the last hour and day against the
instance caps (`snapshot.recent_spend`, `snapshot.instance_limits`), and, when a Prowlarr view
of the instance is at hand (a cached one: the dashboard never calls Prowlarr itself), each
indexer's rolling-window use against its query limit. Takes a session, never commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.search.budgets.limits import HOUR
from vibe_quality_searcharr.search.budgets.prowlarr import ProwlarrView
from vibe_quality_searcharr.search.budgets.snapshot import instance_limits, recent_spend

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
        spent = recent_spend(session, instance_id, now)
        hour = sum(spend.queries for spend in spent if spend.at > now - HOUR)
        day = sum(spend.queries for spend in spent)
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
