"""Radarr and Whisparr v3, its fork: movies and MoviesSearch.

Radarr before 5.6 has no wanted endpoints; the client then reads the movie list once and keeps
what the wanted lists would hold, so callers never need to know the version.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic import TypeAdapter

from vibe_quality_searcharr.arr.clients.base import MediaClient, WantedKind
from vibe_quality_searcharr.arr.paging import DEFAULT_PAGE_SIZE
from vibe_quality_searcharr.arr.schemas.common import Command, Page
from vibe_quality_searcharr.arr.schemas.media import Movie
from vibe_quality_searcharr.arr.versions import ArrApp

__all__ = ["RadarrClient", "WhisparrV3Client"]

_MOVIE_PAGE = TypeAdapter(Page[Movie])
_MOVIES = TypeAdapter(list[Movie])


class RadarrClient(MediaClient[Movie]):
    app = ArrApp.RADARR

    def _page_adapter(self) -> TypeAdapter[Page[Movie]]:
        return _MOVIE_PAGE

    async def movies(self) -> list[Movie]:
        return await self.http.get("movie", _MOVIES)

    async def wanted(
        self,
        kind: WantedKind,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        monitored: bool = True,
        include_parent: bool = False,
    ) -> list[Movie]:
        if await self._has_wanted_endpoints():
            return await super().wanted(kind, page_size=page_size, monitored=monitored)
        return _filter_wanted(await self.movies(), kind)

    async def iter_wanted(
        self,
        kind: WantedKind,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        monitored: bool = True,
        include_parent: bool = False,
    ) -> AsyncIterator[Page[Movie]]:
        if await self._has_wanted_endpoints():
            async for page in super().iter_wanted(kind, page_size=page_size, monitored=monitored):
                yield page
            return
        records = _filter_wanted(await self.movies(), kind)
        yield Page[Movie](
            page=1, page_size=len(records), total_records=len(records), records=records
        )

    async def _has_wanted_endpoints(self) -> bool:
        return (await self.server_info()).has_wanted_endpoints

    async def search_items(self, item_ids: list[int]) -> Command:
        return await self.search_movies(item_ids)

    async def search_movies(self, movie_ids: list[int]) -> Command:
        return await self.send_command("MoviesSearch", movieIds=list(movie_ids))


def _filter_wanted(movies: list[Movie], kind: WantedKind) -> list[Movie]:
    """What Radarr 5.6+ would list (monitored items only), computed from the movie list."""
    if kind == "missing":
        return [movie for movie in movies if movie.is_missing]
    return [movie for movie in movies if movie.is_cutoff_unmet]


class WhisparrV3Client(RadarrClient):
    """Whisparr v3 is a Radarr fork; its wanted endpoints exist at runtime."""

    app = ArrApp.WHISPARR_V3
