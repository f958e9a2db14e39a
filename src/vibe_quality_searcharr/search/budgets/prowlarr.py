"""Reads what Prowlarr knows of the indexers behind an *arr instance: limits, recent usage,
back-off, and which indexers serve that instance.

Prowlarr names the apps it syncs to by their base URL, which often differs from the URL this
program uses (a Docker service name against a LAN address). Matching is therefore: same
normalised URL first; else the only application of the same app type; else no match, and then
every enabled indexer is taken to serve the instance, the safe assumption for the indexers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from vibe_quality_searcharr.arr.clients.prowlarr import ProwlarrClient
from vibe_quality_searcharr.arr.schemas.prowlarr import Application, IndexerStatistics
from vibe_quality_searcharr.search.budgets.limits import DAY, HOUR, IndexerView

__all__ = ["ProwlarrView", "match_application", "normalise_url", "read_prowlarr"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Prowlarr's application implementations by our app names.
_IMPLEMENTATIONS = {
    "sonarr": "sonarr",
    "radarr": "radarr",
    "lidarr": "lidarr",
    "readarr": "readarr",
    "whisparr": "whisparr",
    "whisparr_v3": "whisparr",
}


@dataclass(frozen=True, slots=True)
class ProwlarrView:
    indexers: tuple[IndexerView, ...]
    # The matched application's tags, or None when no application matched the instance.
    app_tags: frozenset[int] | None
    application: str | None


def normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme)
    host = (parts.hostname or "").lower()
    return f"{scheme}://{host}:{port}{parts.path.rstrip('/')}"


def match_application(
    applications: Sequence[Application], app: str, url: str
) -> Application | None:
    wanted = normalise_url(url)
    for application in applications:
        if application.base_url and normalise_url(application.base_url) == wanted:
            return application
    implementation = _IMPLEMENTATIONS.get(app)
    same_kind = [
        application
        for application in applications
        if (application.implementation or "").lower() == implementation
    ]
    return same_kind[0] if len(same_kind) == 1 else None


def _used(stats: Sequence[IndexerStatistics]) -> dict[int, int]:
    return {row.indexer_id: row.number_of_queries + row.number_of_rss_queries for row in stats}


async def read_prowlarr(client: ProwlarrClient, app: str, url: str, now: datetime) -> ProwlarrView:
    """Five reads: indexers, their status, applications, and usage over the last hour and day
    (each indexer is charged in the window of its own limit)."""
    indexers = await client.indexers()
    statuses = {status.indexer_id: status for status in await client.indexer_status()}
    application = match_application(await client.applications(), app, url)
    last_hour = _used((await client.indexer_stats(now - HOUR, now)).indexers)
    last_day = _used((await client.indexer_stats(now - DAY, now)).indexers)
    views = []
    for indexer in indexers:
        limits = indexer.limits
        used = last_hour if limits.unit == "hour" else last_day
        status = statuses.get(indexer.id)
        views.append(
            IndexerView(
                id=indexer.id,
                name=indexer.name,
                enabled=indexer.enable,
                tags=frozenset(indexer.tags),
                query_limit=limits.query_limit,
                unit=limits.unit,
                used=used.get(indexer.id, 0),
                disabled_till=status.disabled_till if status else None,
            )
        )
    return ProwlarrView(
        tuple(views),
        frozenset(application.tags) if application else None,
        application.name if application else None,
    )
