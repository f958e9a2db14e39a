"""Lidarr: wanted lists hold albums; searches are per album or per artist."""

from __future__ import annotations

from pydantic import TypeAdapter

from vibe_quality_searcharr.arr.clients.base import MediaClient
from vibe_quality_searcharr.arr.schemas.common import Command, Page
from vibe_quality_searcharr.arr.schemas.media import Album, Artist
from vibe_quality_searcharr.arr.versions import ArrApp

__all__ = ["LidarrClient"]

_ALBUM_PAGE = TypeAdapter(Page[Album])
_ALBUMS = TypeAdapter(list[Album])
_ARTISTS = TypeAdapter(list[Artist])


class LidarrClient(MediaClient[Album]):
    app = ArrApp.LIDARR
    parent_include = "includeArtist"

    def _page_adapter(self) -> TypeAdapter[Page[Album]]:
        return _ALBUM_PAGE

    async def artists(self) -> list[Artist]:
        return await self.http.get("artist", _ARTISTS)

    async def albums(self, *, artist_id: int | None = None) -> list[Album]:
        return await self.http.get("album", _ALBUMS, {"artistId": artist_id})

    async def search_items(self, item_ids: list[int]) -> Command:
        return await self.search_albums(item_ids)

    async def search_albums(self, album_ids: list[int]) -> Command:
        return await self.send_command("AlbumSearch", albumIds=list(album_ids))

    async def search_artist(self, artist_id: int) -> Command:
        return await self.send_command("ArtistSearch", artistId=artist_id)
