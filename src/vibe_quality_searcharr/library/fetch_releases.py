"""Lidarr (albums of artists) and Readarr (books of authors).

Calls: system/status, qualityprofile, tag, the parent list (artist / author), then
wanted/missing (monitored and unmonitored) and wanted/cutoff in pages of 1000. Parents come
from their own list, so the pages are read without `includeArtist`/`includeAuthor` (which
would repeat the parent in every record). No format candidates: these apps' track and book
files are not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from vibe_quality_searcharr.arr.schemas.common import Page
from vibe_quality_searcharr.library.fetching import FetchContext, read_profiles_and_tags
from vibe_quality_searcharr.library.snapshot import clip, item_row, tag_text
from vibe_quality_searcharr.library.wire import (
    ALBUM_PAGE,
    ARTISTS,
    AUTHORS,
    BOOK_PAGE,
    SyncArtist,
    SyncAuthor,
    poster,
)

__all__ = ["fetch_albums", "fetch_books"]


@dataclass(frozen=True)
class _Parent:
    monitored: bool
    profile_id: int | None
    status: str | None
    tags: str


def _stat(statistics: dict[str, Any] | None, name: str) -> int:
    value = (statistics or {}).get(name)
    return int(value) if isinstance(value, int | float) else 0


async def _wanted(
    ctx: FetchContext,
    adapter: TypeAdapter[Page[Any]],
    parents: dict[int, _Parent],
    parent_of: str,
) -> None:
    snapshot = ctx.snapshot
    for kind, monitored in (("missing", True), ("missing", False), ("cutoff", True)):
        phase = f"wanted/{kind}" + ("" if monitored else " (unmonitored)")
        async for records in ctx.pages(f"wanted/{kind}", adapter, {"monitored": monitored}, phase):
            for record in records:
                parent_id = getattr(record, parent_of)
                parent = parents.get(parent_id)
                released = record.release_date
                snapshot.add_item(
                    record.id,
                    item_row(
                        parent_id=parent_id,
                        season_number=None,
                        episode_number=None,
                        title=record.title,
                        released_at=released,
                        monitored=record.monitored,
                        parent_monitored=parent.monitored if parent else True,
                        has_file=kind == "cutoff",
                        missing=kind == "missing",
                        cutoff_unmet=kind == "cutoff",
                        format_score=None,
                        quality_profile_id=parent.profile_id if parent else None,
                        year=released.year if released else None,
                        status=parent.status if parent else None,
                        tags=parent.tags if parent else "",
                        arr_last_search=getattr(record, "last_search_time", None),
                    ),
                )


def _add_parent(
    ctx: FetchContext,
    parent: SyncArtist | SyncAuthor,
    kind: str,
    name: str,
    counts: tuple[str, str],
) -> _Parent:
    tags = tag_text(parent.tags)
    stats = parent.statistics
    ctx.snapshot.parents[parent.id] = (
        kind, clip(name, 500), clip(parent.sort_name or name, 500), clip(parent.status, 50) or None,
        None, bool(parent.monitored), parent.quality_profile_id, tags, poster(parent.images),
        _stat(stats, counts[0]), _stat(stats, counts[1]), "",
    )  # fmt: skip
    return _Parent(parent.monitored, parent.quality_profile_id, parent.status, tags)


async def fetch_albums(ctx: FetchContext) -> None:
    await ctx.server()
    await read_profiles_and_tags(ctx)
    ctx.progress("artists", 0, None)
    parents = {
        artist.id: _add_parent(
            ctx, artist, "artist", artist.artist_name, ("totalTrackCount", "trackFileCount")
        )
        for artist in await ctx.get("artist", ARTISTS)
    }
    await _wanted(ctx, ALBUM_PAGE, parents, "artist_id")


async def fetch_books(ctx: FetchContext) -> None:
    await ctx.server()
    await read_profiles_and_tags(ctx)
    ctx.progress("authors", 0, None)
    parents = {
        author.id: _add_parent(
            ctx, author, "author", author.author_name, ("totalBookCount", "bookFileCount")
        )
        for author in await ctx.get("author", AUTHORS)
    }
    await _wanted(ctx, BOOK_PAGE, parents, "author_id")
