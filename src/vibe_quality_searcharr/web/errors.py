"""Errors met while browsing pages are pages too, not JSON problems.

`errors.py` renders every error as a problem; for a browser asking for a page (GET, not under
/api/, accepting HTML) it asks this module instead, so a viewer who follows a link to an
admin page, or a stale link to a deleted instance, sees the layout and a way back.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.web.templating import render

__all__ = ["render_error_page", "wants_html", "wants_page"]

_HEADINGS = {
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Invalid request",
    503: "Temporarily unavailable",
}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def wants_page(request: Request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.url.path.startswith("/api/")
        and "text/html" in request.headers.get("accept", "")
    )


def wants_html(request: Request) -> bool:
    """A page, a form post or an htmx request: anything a browser shows, never under /api/.
    Errors that can strike any request (the database failing) answer these with HTML."""
    if request.url.path.startswith("/api/"):
        return False
    content_type = request.headers.get("content-type", "")
    return (
        wants_page(request)
        or content_type.startswith(_FORM_TYPES)
        or "hx-request" in request.headers
    )


def render_error_page(
    request: Request,
    status_code: int,
    detail: str,
    *,
    heading: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    response = render(
        request,
        "error.html",
        status_code,
        heading=heading or _HEADINGS.get(status_code, "Something went wrong"),
        detail=detail,
    )
    response.headers.update(headers or {})
    return response
