"""The Jinja2 environment every page renders with (autoescaping on, no inline script or style)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "render", "templates"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("principal", getattr(request.state, "principal", None))
    values.setdefault("csrf_token", getattr(request.state, "csrf_token", None))
    return templates.TemplateResponse(request, name, values, status_code=status_code)
