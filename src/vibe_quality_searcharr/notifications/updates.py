"""The daily update check behind the `update.available` notification (off unless a feed URL is
configured: a self-hosted service should not phone home by default).

The feed is any URL answering like GitHub's releases/latest API (`{"tag_name": "v1.2.3"}`). A
version is announced once: the last one announced is kept in the settings store, so neither a
restart nor the next day's check repeats it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import structlog

from vibe_quality_searcharr import __version__
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.settings_store import read_setting, write_setting
from vibe_quality_searcharr.scheduling.scheduler import Scheduler

__all__ = ["UPDATE_JOB_ID", "check_for_update", "install_update_check", "parse_version"]

log = structlog.get_logger(__name__)
UPDATE_JOB_ID = "update-check"
_ANNOUNCED = "updates.announced_version"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")
_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


async def check_for_update(
    context: AppContext,
    url: str,
    *,
    current: str = __version__,
    transport: httpx.AsyncBaseTransport | None = None,
) -> str | None:
    """The newer version just announced, or None (up to date, already announced, or the feed
    could not be read: that is logged and tried again tomorrow)."""
    try:
        async with httpx.AsyncClient(
            timeout=_TIMEOUT, follow_redirects=False, transport=transport
        ) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            tag = str(response.json().get("tag_name", ""))
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.warning("update_check_failed", error=type(exc).__name__)
        return None
    latest, running = parse_version(tag), parse_version(current)
    if latest is None or running is None or latest <= running:
        return None
    version = ".".join(map(str, latest))
    with context.database.session_scope() as session:
        if read_setting(session, _ANNOUNCED) == version:
            return None
        write_setting(session, _ANNOUNCED, version)
    context.events.publish("update.available", version=version, current_version=current)
    return version


def install_update_check(context: AppContext) -> bool:
    """Register the daily check when a feed is configured; False when it is off."""
    url = context.settings.update_check_url
    if url is None:
        return False

    async def job() -> None:
        await check_for_update(context, str(url))

    def register(scheduler: Scheduler) -> None:
        scheduler.aps.add_job(
            scheduler.leader_only(job),
            "interval",
            hours=24,
            id=UPDATE_JOB_ID,
            name="Update check",
            replace_existing=True,
            next_run_time=utcnow() + timedelta(minutes=5),
        )

    context.scheduler.on_start(register)
    return True
