"""The signed-in landing page: the configured instances and their health at a glance.

The full dashboard (live runs, budgets, charts) arrives with the web UI; until then this page
is where sign-in lands, so it shows what is already real rather than a placeholder.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.deps import DbSession
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 100


@router.get("/", response_class=HTMLResponse)
def home(request: Request, _user: CurrentUser, session: DbSession) -> HTMLResponse:
    instances, total = InstanceRepository(session).page(0, _PAGE_SIZE)
    return render(request, "home.html", instances=instances, total=total)
