"""Every limit of an instance as figures (used, limit, remaining, resets_at), for the budget
API, the budget metrics and the `budget.low` event.

`BudgetWatch` is called by the executor when it reads the budget and after every command it
sends. It sets the `vqs_budget_*` gauges and publishes `budget.low` when usage crosses 80 % of
a limit's usable share, once per limit window: a limit that stays low is not announced again
at every check, only after its window has rolled over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.search.budgets.limits import (
    DAY,
    HOUR,
    IndexerView,
    Spend,
    indexer_limit,
    serves,
)
from vibe_quality_searcharr.search.budgets.snapshot import BudgetSnapshot

__all__ = ["LOW_RATIO", "BudgetWatch", "LimitUsage", "limit_usage"]

LOW_RATIO = 0.8


class _Metrics(Protocol):
    def set_budget_used(self, indexer: str, limit: str, used: int, maximum: int | None) -> None: ...


@dataclass(frozen=True, slots=True)
class LimitUsage:
    name: str
    kind: str  # "instance" (this program's own cap) or "indexer" (a Prowlarr indexer)
    subject: str  # the instance's or the indexer's name
    window: str  # "hour" or "day"
    used: int
    limit: int | None  # the configured limit (an indexer's full queryLimit)
    usable: int | None  # what this program may use of it (after the headroom)
    remaining: int
    resets_at: datetime | None

    @property
    def ratio(self) -> float | None:
        return self.used / self.usable if self.usable else None


def _spent(spends: list[Spend], now: datetime, length: timedelta) -> tuple[int, datetime | None]:
    recent = sorted((s for s in spends if now - length < s.at <= now), key=lambda s: s.at)
    return sum(s.queries for s in recent), (recent[0].at + length if recent else None)


def limit_usage(snapshot: BudgetSnapshot, now: datetime, instance: str) -> list[LimitUsage]:
    """The instance's caps, then each Prowlarr indexer that serves it (enabled, not backing
    off), with what this run spent since the snapshot was read."""
    usages: list[LimitUsage] = []
    spends = [*snapshot.spent, *snapshot.since_read]
    for window, cap, length in (
        ("hour", snapshot.hourly_cap, HOUR),
        ("day", snapshot.daily_cap, DAY),
    ):
        if cap is None:
            continue
        used, resets_at = _spent(spends, now, length)
        usages.append(
            LimitUsage(
                f"{'hourly' if window == 'hour' else 'daily'} cap of {cap}",
                "instance",
                instance,
                window,
                used,
                cap,
                cap,
                max(cap - used, 0),
                resets_at,
            )
        )
    view = snapshot.prowlarr
    if view is None:
        return usages
    extra = sum(spend.queries for spend in snapshot.since_read)
    for indexer in view.indexers:
        if not indexer.enabled or indexer.backing_off(now) or not serves(indexer, view.app_tags):
            continue
        current: IndexerView = replace(indexer, used=indexer.used + extra)
        limit = indexer_limit(current, snapshot.headroom, now)
        if limit is None or indexer.query_limit is None:
            continue
        usages.append(
            LimitUsage(
                limit.name,
                "indexer",
                indexer.name,
                "hour" if indexer.unit == "hour" else "day",
                current.used,
                indexer.query_limit,
                math.floor(indexer.query_limit * (1 - snapshot.headroom)),
                limit.remaining,
                limit.resets_at,
            )
        )
    return usages


@dataclass
class BudgetWatch:
    events: EventBus
    metrics: _Metrics | None = None
    # (instance id, limit name) -> end of the window in which budget.low was already published
    _announced: dict[tuple[int, str], datetime] = field(default_factory=dict)

    def observe(
        self, instance_id: int, instance: str, snapshot: BudgetSnapshot, now: datetime
    ) -> list[LimitUsage]:
        usages = limit_usage(snapshot, now, instance)
        for usage in usages:
            if self.metrics is not None:
                self.metrics.set_budget_used(usage.subject, usage.window, usage.used, usage.usable)
            self._maybe_announce(instance_id, instance, usage, now)
        return usages

    def _maybe_announce(
        self, instance_id: int, instance: str, usage: LimitUsage, now: datetime
    ) -> None:
        ratio = usage.ratio
        key = (instance_id, usage.name)
        if ratio is None or ratio < LOW_RATIO:
            return
        until = self._announced.get(key)
        if until is not None and until > now:
            return
        length = HOUR if usage.window == "hour" else DAY
        self._announced[key] = now + length
        self.events.publish(
            "budget.low",
            instance_id=instance_id,
            instance=instance,
            # `name`, `used` and `limit` are what the notification text reads.
            name=f"{instance}: {usage.name}" if usage.kind == "instance" else usage.name,
            limit_kind=usage.kind,
            subject=usage.subject,
            used=usage.used,
            limit=usage.usable,
            remaining=usage.remaining,
            percent=round((ratio or 0) * 100),
            resets_at=usage.resets_at.isoformat() if usage.resets_at else None,
        )
