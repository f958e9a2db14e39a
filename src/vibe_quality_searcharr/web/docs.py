"""/api/docs: the OpenAPI explorer, for signed-in users only (the authentication layer sees to it).

FastAPI's own docs page loads Swagger UI from a CDN with an inline script, which our CSP forbids;
this page serves a vendored copy and starts it from an external script instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, _user: CurrentUser) -> HTMLResponse:
    return render(request, "api_docs.html")
