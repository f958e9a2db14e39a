"""Light or dark: follows the system (`prefers-color-scheme`) until the user picks one.

The choice lives in a plain cookie so the server can put `data-theme` on <html> before the
first paint (no inline script may do it under the CSP). `static/js/theme.js` flips it without
a reload; without JavaScript the same button posts this form.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from vibe_quality_searcharr.security.principal import CurrentUser

__all__ = ["THEME_COOKIE", "Theme", "router", "theme_of"]

THEME_COOKIE = "vqs_theme"
Theme = Literal["dark", "light"]
_ONE_YEAR = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


def theme_of(request: Request) -> Theme | None:
    value = request.cookies.get(THEME_COOKIE)
    if value == "dark":
        return "dark"
    if value == "light":
        return "light"
    return None


@router.post("/settings/theme")
def choose_theme(
    request: Request,
    _user: CurrentUser,
    theme: Annotated[Literal["dark", "light", "auto"], Form()],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    from vibe_quality_searcharr.users.views import safe_next
    from vibe_quality_searcharr.web.templating import redirect

    response = redirect(request, safe_next(next))
    if theme == "auto":
        response.delete_cookie(THEME_COOKIE, path="/")
    else:
        response.set_cookie(THEME_COOKIE, theme, max_age=_ONE_YEAR, samesite="lax", path="/")
    return response
