"""How much of each instance's search budget is used now: the dashboard's budget bars.

Per media instance: this program's indexer queries in the last hour and day against the
instance caps (the cost of `snapshot.recent_spend`, summed in SQL; `snapshot.instance_limits`),
and, when a Prowlarr view of the instance is at hand (the latest one kept by `budgets.latest`:
the dashboard never calls Prowlarr itself), each serving indexer's rolling-window use against
its query limit, and whether Prowlarr has it disabled or backing off. Takes a session, never
commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.search.budgets.latest import LatestProwlarr
from vibe_quality_searcharr.search.budgets.limits import DAY, HOUR, IndexerView, serves
from vibe_quality_searcharr.search.budgets.prowlarr import ProwlarrView
from vibe_quality_searcharr.search.budgets.snapshot import instance_limits
from vibe_quality_searcharr.search.models import CommandStatus, SearchCommand
from vibe_quality_searcharr.search.planner import CommandKind

__all__ = ["CapUse", "InstanceBudgetStatus", "budget_status", "indexer_uses"]


@dataclass(frozen=True)
class CapUse:
    """`used` of `limit` (None: no limit) for one cap or indexer."""

    label: str
    used: int
    limit: int | None
    # For an indexer: "disabled" (in Prowlarr) or "backing_off" (until `until`), else None.
    state: str | None = None
    until: datetime | None = None

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
    # When the indexers were read from Prowlarr (None: never), and why the last read failed.
    prowlarr_read_at: datetime | None = None
    prowlarr_error: str | None = None


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


def _indexer_use(indexer: IndexerView, now: datetime) -> CapUse:
    label = f"{indexer.name} (per {indexer.unit})"
    if not indexer.enabled:
        return CapUse(label, indexer.used, indexer.query_limit, "disabled")
    if indexer.backing_off(now):
        return CapUse(
            label, indexer.used, indexer.query_limit, "backing_off", indexer.disabled_till
        )
    return CapUse(label, indexer.used, indexer.query_limit)


def indexer_uses(view: ProwlarrView, now: datetime) -> tuple[CapUse, ...]:
    """The indexers serving the instance that have a query limit (one without a limit has no
    bar to draw), with their state."""
    return tuple(
        _indexer_use(indexer, now)
        for indexer in view.indexers
        if indexer.query_limit is not None and serves(indexer, view.app_tags)
    )


def budget_status(
    session: Session,
    now: datetime,
    *,
    prowlarr: Mapping[int, LatestProwlarr] | None = None,
) -> list[InstanceBudgetStatus]:
    """Every enabled media instance's cap use, by name. `prowlarr` maps an instance id to its
    latest Prowlarr read (`ProwlarrViews.snapshot()`)."""
    instances = session.execute(
        select(Instance.id, Instance.name, Instance.app)
        .where(Instance.enabled.is_(True), Instance.app != "prowlarr")
        .order_by(Instance.name)
    ).all()
    statuses: list[InstanceBudgetStatus] = []
    for instance_id, name, app in instances:
        limits = instance_limits(session, instance_id)
        hour, day = _spent(session, instance_id, now)
        latest = (prowlarr or {}).get(instance_id)
        view = latest.view if latest is not None else None
        indexers = indexer_uses(view, now) if view is not None else ()
        statuses.append(
            InstanceBudgetStatus(
                instance_id=instance_id,
                name=name,
                app=app,
                hourly=CapUse("Last hour", hour, limits.hourly_cap),
                daily=CapUse("Last 24 hours", day, limits.daily_cap),
                indexers=indexers,
                prowlarr_read_at=latest.read_at if latest is not None else None,
                prowlarr_error=latest.error if latest is not None else None,
            )
        )
    return statuses
