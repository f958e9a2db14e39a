"""How long a queue takes to get through its backlog: "N items, M per day, first full pass in
about D days". Pure arithmetic over what the caller measured (backlog, schedule, budget), shown
when a queue is created and in the API.

A run searches at most its batch; a day holds as many runs as the schedule gives (inside its
windows); the daily budget caps the sum. Season packs make one search cover several episodes,
so the backlog is counted in searches needed (`searches`), with the items they cover beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vibe_quality_searcharr.search.planner.texts import plural

__all__ = ["Forecast", "forecast"]


@dataclass(frozen=True, slots=True)
class Forecast:
    items: int
    searches: int
    per_day: float
    days_to_full_pass: float | None
    limited_by: str

    @property
    def text(self) -> str:
        if self.items == 0:
            return "nothing wanted: the queue has no backlog"
        if self.days_to_full_pass is None:
            return f"{plural(self.items, 'item')}, no searches per day ({self.limited_by})"
        days = self.days_to_full_pass
        when = "within a day" if days <= 1 else f"in about {days:g} days"
        per_day = round(self.per_day, 1) if self.per_day < 10 else round(self.per_day)
        return (
            f"{plural(self.items, 'item')}, {per_day:g} searches per day "
            f"(limited by {self.limited_by}); first full pass {when}"
        )


def forecast(
    *,
    items: int,
    searches: int,
    batch_size: int,
    runs_per_day: float,
    daily_budget: int | None,
) -> Forecast:
    """`items` wanted and eligible, needing `searches` searches (fewer when packs cover
    several); `daily_budget` is the tightest per-day query allowance (None: unlimited)."""
    by_schedule = batch_size * runs_per_day
    if daily_budget is not None and daily_budget < by_schedule:
        per_day, limited_by = float(daily_budget), "the daily budget"
    else:
        per_day, limited_by = by_schedule, "batch size and schedule"
    # Rounded up to a tenth (then whole days past ten): a forecast should not promise early.
    days = None
    if per_day > 0 and searches:
        exact = searches / per_day
        days = math.ceil(exact * 10) / 10 if exact < 10 else float(math.ceil(exact))
    if searches == 0:
        days = 0.0
    return Forecast(items, searches, per_day, days, limited_by)
