"""The dashboard (`/`): instance health now, and the regions the search engine fills in.

Each region is one `DashboardRegion`; the search UI gives a region its template (running now,
next runs, budgets, charts, recent activity) and its data, and until then the region says what
will appear there once queues exist. The health region refreshes itself through htmx
(`hx-select` on this same page), so there is no second endpoint to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.deps import DbSession
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.web.templating import render

__all__ = ["DASHBOARD_REGIONS", "DashboardRegion", "router"]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 100


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
    ),
    DashboardRegion(
        "next-runs",
        "Next runs",
        "Once you have queues, the next scheduled run of each is listed here.",
    ),
    DashboardRegion(
        "budgets",
        "Indexer budgets",
        "How much of each indexer's and instance's search limit is used today, so no queue "
        "gets you banned.",
    ),
    DashboardRegion(
        "charts",
        "Last 7 and 30 days",
        "Searches, grabs and grab rate per day, drawn from the search history.",
    ),
    DashboardRegion(
        "activity",
        "Recent activity",
        "The latest searches, grabs and skipped items, newest first.",
    ),
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, _user: CurrentUser, session: DbSession) -> HTMLResponse:
    instances, total = InstanceRepository(session).page(0, _PAGE_SIZE)
    up = sum(1 for i in instances if i.health is not None and i.health.status == "healthy")
    down = sum(1 for i in instances if i.health is not None and i.health.status == "unhealthy")
    return render(
        request,
        "home.html",
        instances=instances,
        total=total,
        up=up,
        down=down,
        regions=DASHBOARD_REGIONS,
    )
