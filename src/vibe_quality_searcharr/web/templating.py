"""The Jinja2 environment and the two helpers every page answers with: `render` and `redirect`.

A page is a full document for a normal request and only its `content` block for htmx
(`HX-Request` without `HX-Boosted`: a boosted link is a full navigation, so it gets the whole
page). Redirects after a form post are a 303 for browsers and an `HX-Redirect` header for htmx.
Both carry the flash messages queued on the request (see `web.flash`). Autoescaping is on, and
no template has inline script or style: the CSP forbids both.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from vibe_quality_searcharr.web import flash as flashes
from vibe_quality_searcharr.web.navigation import links_for
from vibe_quality_searcharr.web.theme import theme_of

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "is_fragment", "redirect", "render", "templates"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def _filesize(value: int | None) -> str:
    if value is None:
        return "unknown"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"  # pragma: no cover


def _local_time(value: datetime, zone: object = None) -> str:
    """A stored (UTC) time as the user reads it: in `zone` when a page passes one, else UTC."""
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    local = moment.astimezone(zone) if isinstance(zone, tzinfo) else moment.astimezone(UTC)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or 'UTC'}"


templates.env.filters["filesize"] = _filesize
templates.env.filters["local_time"] = _local_time


def is_fragment(request: Request) -> bool:
    """True when htmx asked for a piece of a page rather than a navigation."""
    headers = request.headers
    return (
        "hx-request" in headers
        and "hx-boosted" not in headers
        and "hx-history-restore-request" not in headers
    )


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render a page (or its fragment for htmx) with the layout's values and the flash messages."""
    principal = getattr(request.state, "principal", None)
    messages = flashes.incoming(request) + flashes.outgoing(request)
    values.setdefault("principal", principal)
    values.setdefault("csrf_token", getattr(request.state, "csrf_token", None))
    values.setdefault("fragment", is_fragment(request))
    values.setdefault("nav", links_for(principal, request.url.path))
    values.setdefault("theme", theme_of(request))
    values.setdefault("flashes", messages)
    values.setdefault("errors", {})
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    flashes.clear_cookie(request, response)
    return response


def redirect(request: Request, url: str) -> Response:
    """After a successful post: see the result at `url`, with the queued flash messages."""
    response: Response
    if is_fragment(request):
        response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    flashes.write_cookie(request, response, flashes.outgoing(request))
    return response
