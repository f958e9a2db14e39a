"""Sonarr (v3 and v4) and Whisparr v2, its fork: episodes, series and their search commands."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from vibe_quality_searcharr.arr.clients.base import MediaClient
from vibe_quality_searcharr.arr.schemas.common import Command, Page
from vibe_quality_searcharr.arr.schemas.media import Episode, EpisodeFile, Series
from vibe_quality_searcharr.arr.transport import Params
from vibe_quality_searcharr.arr.versions import ArrApp

__all__ = ["SonarrClient", "WhisparrClient"]

_EPISODE_PAGE = TypeAdapter(Page[Episode])
_EPISODES = TypeAdapter(list[Episode])
_EPISODE_FILES = TypeAdapter(list[EpisodeFile])
_SERIES = TypeAdapter(list[Series])


class SonarrClient(MediaClient[Episode]):
    """Wanted lists hold episodes. Searches: episodes, one season, one series."""

    app = ArrApp.SONARR
    parent_include = "includeSeries"

    def _page_adapter(self) -> TypeAdapter[Page[Episode]]:
        return _EPISODE_PAGE

    async def _wanted_sort(self) -> dict[str, str]:
        # Sonarr 3 knows the key unprefixed; 4 (and Whisparr 2) want the table prefix.
        server = await self.server_info()
        key = "airDateUtc" if server.is_sonarr_v3 else "episodes.airDateUtc"
        return {"sortKey": key, "sortDirection": "ascending"}

    async def series(self) -> list[Series]:
        return await self.http.get("series", _SERIES)

    async def episodes(
        self, *, series_id: int | None = None, episode_ids: list[int] | None = None
    ) -> list[Episode]:
        """Episodes of one series, or the given ids (the app refuses a call with neither)."""
        if series_id is None and not episode_ids:
            raise ValueError("give series_id or episode_ids")
        params: Params = {"seriesId": series_id, "episodeIds": episode_ids or None}
        return await self.http.get("episode", _EPISODES, params)

    async def episode_files(self, series_id: int) -> list[EpisodeFile]:
        """Files of one series, with `customFormatScore` (what cutoff lists ignore)."""
        return await self.http.get("episodefile", _EPISODE_FILES, {"seriesId": series_id})

    async def search_items(self, item_ids: list[int]) -> Command:
        return await self.search_episodes(item_ids)

    async def search_episodes(self, episode_ids: list[int]) -> Command:
        return await self._search("EpisodeSearch", episodeIds=list(episode_ids))

    async def search_season(self, series_id: int, season_number: int) -> Command:
        return await self._search("SeasonSearch", seriesId=series_id, seasonNumber=season_number)

    async def search_series(self, series_id: int) -> Command:
        return await self._search("SeriesSearch", seriesId=series_id)

    async def _search(self, name: str, **body: Any) -> Command:
        return await self.send_command(name, **body)


class WhisparrClient(SonarrClient):
    """Whisparr v2 is a Sonarr fork with the same wanted endpoints and commands."""

    app = ArrApp.WHISPARR
