"""Settings > General (admins): the time zone the pages count days and show times in.

The only setting of this page kept in the database today is `general.time_zone` (see
`web.time_zone`); everything else is configuration (`VQS_*`, docs/configuration.md). A name
must be one of the IANA zones this machine knows, else the form comes back with the reason
next to the field and nothing is stored.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.db.settings_store import read_setting, write_setting
from vibe_quality_searcharr.deps import DbSession
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser
from vibe_quality_searcharr.users.settings_views import render_settings
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.templating import redirect
from vibe_quality_searcharr.web.time_zone import TIME_ZONE_SETTING, user_zone, zone_named

__all__ = ["known_zones", "router"]

router = APIRouter(include_in_schema=False)

_PAGE = "/settings/general"


@cache
def known_zones() -> tuple[str, ...]:
    """The IANA names zoneinfo can load here, sorted; "localtime" and the like are left out."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def _page(
    request: Request, session: DbSession, now: Now, status_code: int = 200, **values: Any
) -> HTMLResponse:
    zone = user_zone(session)
    values.setdefault("form", {"time_zone": read_setting(session, TIME_ZONE_SETTING) or "UTC"})
    return render_settings(
        request,
        "settings/general.html",
        status_code,
        zones=known_zones(),
        zone=zone.key,
        local_now=now.astimezone(zone),
        **values,
    )


@router.get(_PAGE, response_class=HTMLResponse)
def general_page(request: Request, _admin: AdminUser, session: DbSession, now: Now) -> HTMLResponse:
    return _page(request, session, now)


@router.post(_PAGE, response_class=HTMLResponse)
def save_general(
    request: Request,
    _admin: WriteUser,
    session: DbSession,
    now: Now,
    time_zone: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    name = time_zone.strip()
    if name not in known_zones():
        message = (
            "Choose a time zone, e.g. Europe/Berlin or America/New_York."
            if not name
            else f"{name[:60]} is not a time zone this machine knows; pick one from the list "
            "(Region/City, e.g. Europe/Berlin)."
        )
        return _page(
            request, session, now, 422, form={"time_zone": time_zone}, errors={"time_zone": message}
        )
    write_setting(session, TIME_ZONE_SETTING, zone_named(name).key)
    flash(request, f"Time zone set to {name}: days and times on the pages now follow it.")
    return redirect(request, _PAGE)
