"""The user's time zone (Settings > General), which decides what "a day" is on the pages.

Stored as an app setting (`general.time_zone`, an IANA name); stored times stay UTC. A missing
or unknown name falls back to UTC rather than breaking the dashboard.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.settings_store import read_setting

__all__ = ["TIME_ZONE_SETTING", "user_zone", "zone_named"]

TIME_ZONE_SETTING = "general.time_zone"
_UTC = ZoneInfo("UTC")


def zone_named(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name.strip():
        return _UTC
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return _UTC


def user_zone(session: Session) -> ZoneInfo:
    return zone_named(read_setting(session, TIME_ZONE_SETTING))
