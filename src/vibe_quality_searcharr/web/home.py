"""The dashboard (`/`): instance health, then running now, next runs, budgets, charts, activity.

Each region is one `DashboardRegion` with its template; a region whose data is empty says what
will appear there. The health region refreshes itself through htmx (`hx-select` on this same
page); "Running now" and the activity list are kept live by the SSE stream (`web.sse`), and
without JavaScript the page shows the state at load with a link to each run.

The per-day totals behind the charts are the one aggregate over the history: counted in days
of the user's time zone, the days before today are cached per process for `CHART_TTL` (a late
status change there may lag by that) and today is counted on every rendering (a search made
now is in the chart at once). The budget bars are kept for `BUDGET_TTL`, or until a new
Prowlarr read arrives (`search.budgets.latest`: the page never calls Prowlarr itself). A run
that ends in this process empties both (`install_dashboard`), so the page loaded after it
shows it: the lag is left to what other replicas search. These caches are not keyed on the
commit stamp on purpose: during a run every few seconds bring a commit, and recounting 30 days
each time would cost far more than it shows. The whole page is also kept by `web.page_cache`
until the next commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from vibe_quality_searcharr.deps import DbSession
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.search.budgets.latest import ProwlarrViews
from vibe_quality_searcharr.search.budgets.status import InstanceBudgetStatus, budget_status
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.web import dashboard_data as data
from vibe_quality_searcharr.web.charts import DayTotals, bar_chart_svg, grab_rate
from vibe_quality_searcharr.web.templating import render
from vibe_quality_searcharr.web.time_zone import user_zone

__all__ = [
    "BUDGET_TTL",
    "CHART_TTL",
    "DASHBOARD_REGIONS",
    "BudgetCache",
    "ChartCache",
    "DashboardRegion",
    "install_dashboard",
    "router",
]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 100
CHART_TTL = 30.0
BUDGET_TTL = 10.0
RUN_PAGE = "/runs/{run_id}"


@dataclass(frozen=True)
class DashboardRegion:
    """One box of the dashboard. `template` None: show `empty` (what will appear here)."""

    key: str
    title: str
    empty: str
    template: str | None = None


DASHBOARD_REGIONS: tuple[DashboardRegion, ...] = (
    DashboardRegion(
        "running",
        "Running now",
        "When a search queue runs, its progress bar, the item being searched and the results "
        "as they arrive appear here.",
        "dashboard/_running.html",
    ),
    DashboardRegion(
        "next-runs",
        "Next runs",
        "Once you have queues, the next scheduled run of each is listed here.",
        "dashboard/_next_runs.html",
    ),
    DashboardRegion(
        "budgets",
        "Indexer budgets",
        "How much of each indexer's and instance's search limit is used today, so no queue "
        "gets you banned.",
        "dashboard/_budgets.html",
    ),
    DashboardRegion(
        "charts",
        "Last 7 and 30 days",
        "Items searched, items grabbed and the grab rate (the share of the items searched that "
        "were grabbed) per day, drawn from the search history.",
        "dashboard/_charts.html",
    ),
    DashboardRegion(
        "activity",
        "Recent activity",
        "The latest searches, grabs and skipped items, newest first.",
        "dashboard/_activity.html",
    ),
)


@dataclass
class ChartCache:
    """The 29 days before today, reused for `ttl` seconds of `monotonic` time; today is counted
    on every use (a range scan of one day), so a search made now is in the chart at once."""

    ttl: float = CHART_TTL
    monotonic: Callable[[], float] = time.monotonic
    _value: tuple[tuple[date, str], float, list[DayTotals]] | None = field(default=None, repr=False)
    _generation: int = field(default=0, repr=False)

    def clear(self) -> None:
        """Forget the totals; one being counted meanwhile is not kept (it may predate this)."""
        self._value = None
        self._generation += 1

    def totals(
        self, session: Session, today: date, zone: ZoneInfo | None = None
    ) -> list[DayTotals]:
        """`today` is a date in `zone`, whose days are counted (a new zone is a new key)."""
        key = (today, zone.key if zone is not None else "UTC")
        cached = self._value
        moment = self.monotonic()
        if cached is not None and cached[0] == key and moment - cached[1] < self.ttl:
            past = cached[2]
        else:
            generation = self._generation
            past = data.daily_totals(session, today - timedelta(days=1), 29, zone)
            if generation == self._generation:
                self._value = (key, moment, past)
        return [*past, *data.daily_totals(session, today, 1, zone)]


@dataclass
class BudgetCache:
    """The budget bars, reused for `ttl` seconds: one aggregate per instance per load adds up
    on a busy history, and a bar a few seconds old misleads nobody."""

    ttl: float = BUDGET_TTL
    monotonic: Callable[[], float] = time.monotonic
    _value: tuple[object, float, list[InstanceBudgetStatus]] | None = field(
        default=None, repr=False
    )
    _generation: int = field(default=0, repr=False)

    def clear(self) -> None:
        self._value = None
        self._generation += 1

    def get(
        self, key: object, compute: Callable[[], list[InstanceBudgetStatus]]
    ) -> list[InstanceBudgetStatus]:
        """`key` changes when the inputs do (a new Prowlarr read): then nothing is reused."""
        moment = self.monotonic()
        cached = self._value
        if cached is not None and cached[0] == key and moment - cached[1] < self.ttl:
            return cached[2]
        generation = self._generation
        value = compute()
        if generation == self._generation:
            self._value = (key, moment, value)
        return value


def install_dashboard(app: FastAPI, events: EventBus) -> None:
    """The dashboard's caches, emptied when a run of this process ends (its searches and grabs
    are in the history by then) so the next load counts them."""
    charts, budgets = ChartCache(), BudgetCache()
    app.state.chart_cache, app.state.budget_cache = charts, budgets

    def on_event(event: Event) -> None:
        if event.kind == "run.finished":
            charts.clear()
            budgets.clear()

    events.add_listener(on_event)


def _budget_cache(request: Request) -> BudgetCache:
    cache: BudgetCache | None = getattr(request.app.state, "budget_cache", None)
    if cache is None:
        cache = BudgetCache()
        request.app.state.budget_cache = cache
    return cache


def _chart_cache(request: Request) -> ChartCache:
    cache: ChartCache | None = getattr(request.app.state, "chart_cache", None)
    if cache is None:
        cache = ChartCache()
        request.app.state.chart_cache = cache
    return cache


def _chart(points: list[DayTotals], key: str, title: str) -> dict[str, object]:
    searched = sum(p.searched for p in points)
    grabbed = sum(p.grabbed for p in points)
    return {
        "key": key,
        "title": title,
        "svg": bar_chart_svg(points, chart_id=f"chart-{key}", title=title),
        "points": points,
        "searched": searched,
        "grabbed": grabbed,
        "rate": grab_rate(searched, grabbed),
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, _user: CurrentUser, session: DbSession, now: Now) -> HTMLResponse:
    instances, total = InstanceRepository(session).page(0, _PAGE_SIZE)
    up = sum(1 for i in instances if i.health is not None and i.health.status == "healthy")
    down = sum(1 for i in instances if i.health is not None and i.health.status == "unhealthy")
    zone = user_zone(session)
    month = _chart_cache(request).totals(session, now.astimezone(zone).date(), zone)
    views: ProwlarrViews | None = getattr(request.app.state, "prowlarr_views", None)
    latest = views.snapshot() if views is not None else {}
    generation = views.generation if views is not None else 0
    budgets = _budget_cache(request).get(
        generation, lambda: budget_status(session, now, prowlarr=latest)
    )
    return render(
        request,
        "home.html",
        instances=instances,
        total=total,
        up=up,
        down=down,
        regions=DASHBOARD_REGIONS,
        running=data.running_runs(session),
        run_page=RUN_PAGE,
        next_runs=data.queue_next_runs(session, now),
        budgets=budgets,
        charts=[
            _chart(month[-7:], "7d", "Items searched and grabbed, last 7 days"),
            _chart(month, "30d", "Items searched and grabbed, last 30 days"),
        ],
        recent_runs=data.recent_runs(session),
        recent_commands=data.recent_commands(session),
        zone=zone,
    )
