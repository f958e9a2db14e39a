"""Prowlarr: the indexers behind the *arr apps, their query limits, usage and back-off state.

The budget code reads this to keep every indexer under its own limit: one *arr search costs one
query on each enabled indexer synced to that app.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from vibe_quality_searcharr.arr.clients.base import ArrClient
from vibe_quality_searcharr.arr.schemas.prowlarr import (
    Application,
    Indexer,
    IndexerStats,
    IndexerStatus,
)
from vibe_quality_searcharr.arr.transport import Params
from vibe_quality_searcharr.arr.versions import ArrApp

__all__ = ["ProwlarrClient"]

_INDEXERS = TypeAdapter(list[Indexer])
_STATS = TypeAdapter(IndexerStats)
_STATUSES = TypeAdapter(list[IndexerStatus])
_APPLICATIONS = TypeAdapter(list[Application])


class ProwlarrClient(ArrClient):
    app = ArrApp.PROWLARR

    async def indexers(self) -> list[Indexer]:
        """Every indexer with its `limits` (query/grab limit per day or hour)."""
        return await self.http.get("indexer", _INDEXERS)

    async def indexer_stats(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> IndexerStats:
        """Queries, grabs and failures per indexer between `start` and `end`."""
        params: Params = {
            "startDate": start.isoformat() if start else None,
            "endDate": end.isoformat() if end else None,
        }
        return await self.http.get("indexerstats", _STATS, params)

    async def indexer_status(self) -> list[IndexerStatus]:
        """Indexers Prowlarr is backing off from (`disabledTill` in the future)."""
        return await self.http.get("indexerstatus", _STATUSES)

    async def applications(self) -> list[Application]:
        """The *arr apps Prowlarr syncs indexers to (match by tags)."""
        return await self.http.get("applications", _APPLICATIONS)
