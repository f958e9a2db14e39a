"""Errors met while browsing pages are pages too, not JSON problems.

`errors.py` renders every error as a problem; for a browser asking for a page (GET, not under
/api/, accepting HTML) it asks this module instead, so a viewer who follows a link to an
admin page, or a stale link to a deleted instance, sees the layout and a way back.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.web.templating import render

__all__ = ["render_error_page", "wants_page"]

_HEADINGS = {403: "Not allowed", 404: "Not found", 409: "Conflict", 422: "Invalid request"}


def wants_page(request: Request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.url.path.startswith("/api/")
        and "text/html" in request.headers.get("accept", "")
    )


def render_error_page(request: Request, status_code: int, detail: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status_code,
        heading=_HEADINGS.get(status_code, "Something went wrong"),
        detail=detail,
    )
