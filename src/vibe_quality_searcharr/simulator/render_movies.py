"""Radarr and Whisparr v3 resources: movies and movie files.

Whisparr v3 is a Radarr fork without theatrical/digital/physical dates (one `releaseDate`) and
with a few fields of its own, so its movie is Radarr's filtered to the fields it has.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vibe_quality_searcharr.simulator.model import Item, MediaFile
from vibe_quality_searcharr.simulator.render_common import compact, iso, language, quality_model

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["movie_file_json", "movie_fragment", "movie_json", "movie_status"]

_EROS_MOVIE = frozenset(
    [
        "id",
        "title",
        "originalLanguage",
        "sortTitle",
        "sizeOnDisk",
        "status",
        "overview",
        "releaseDate",
        "images",
        "website",
        "year",
        "studioTitle",
        "path",
        "qualityProfileId",
        "hasFile",
        "monitored",
        "isAvailable",
        "folderName",
        "runtime",
        "cleanTitle",
        "tmdbId",
        "foreignId",
        "titleSlug",
        "rootFolderPath",
        "folder",
        "genres",
        "tags",
        "added",
        "ratings",
        "movieFile",
        "itemType",
        "statistics",
    ]
)


def movie_status(item: Item, now: datetime) -> str:
    movie = item.movie
    assert movie is not None
    if movie.in_cinemas is None and movie.digital is None and movie.physical is None:
        return "tba"
    if movie.in_cinemas is not None and movie.in_cinemas > now:
        return "announced"
    released = [d for d in (movie.digital, movie.physical) if d is not None]
    if released and min(released) <= now:
        return "released"
    return "inCinemas"


def movie_file_json(state: SimState, media: MediaFile) -> dict[str, Any]:
    library = state.library
    assert library is not None
    item = library.items[media.item_id]
    assert item.movie is not None
    profile = library.profile_by_id[item.movie.profile_id]
    return {
        "id": media.id,
        "movieId": media.item_id,
        "relativePath": media.relative_path,
        "path": f"{item.movie.path}/{media.relative_path}",
        "size": media.size,
        "dateAdded": iso(media.added),
        "releaseGroup": media.release_group,
        "languages": [language()],
        "quality": quality_model(library.quality_by_id[media.quality_id], "movie"),
        "customFormats": [],
        "customFormatScore": media.cf_score,
        "indexerFlags": 0,
        "qualityCutoffNotMet": profile.rank(media.quality_id) < profile.effective_cutoff_rank(),
    }


def movie_json(state: SimState, item: Item, now: datetime | None = None) -> dict[str, Any]:
    """The cached clock-independent part plus what depends on the clock (status, isAvailable)."""
    library = state.library
    assert library is not None
    now = now or state.now()
    base = library.movie_base.get(item.id)
    if base is None:
        base = library.movie_base[item.id] = _movie_static(state, item)
    when = library.available.get(item.id)
    return {
        **base,
        "status": movie_status(item, now),
        "isAvailable": when is not None and when <= now,
    }


def movie_fragment(state: SimState, item: Item, now: datetime) -> bytes:
    """The same record as JSON bytes, from a cached serialization of the static part: pages
    of 1000 movies stay cheap although status and availability move with the clock."""
    library = state.library
    assert library is not None
    base = library.movie_bytes.get(item.id)
    if base is None:
        static = library.movie_base.get(item.id) or _movie_static(state, item)
        base = library.movie_bytes[item.id] = json.dumps(
            static, ensure_ascii=False, separators=(",", ":")
        ).encode()[:-1]
    when = library.available.get(item.id)
    available = b"true" if when is not None and when <= now else b"false"
    status = movie_status(item, now).encode()
    return base + b',"status":"' + status + b'","isAvailable":' + available + b"}"


def _movie_static(state: SimState, item: Item) -> dict[str, Any]:
    library = state.library
    assert library is not None
    assert item.movie is not None
    movie = item.movie
    slug = f"{movie.sort_title.replace(' ', '-')}-{item.foreign_id}"
    media = library.files.get(item.file_id)
    data: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "originalTitle": item.title,
        "originalLanguage": language(),
        "sortTitle": movie.sort_title,
        "sizeOnDisk": media.size if media else 0,
        "overview": f"A simulated movie from {movie.year}.",
        "inCinemas": iso(movie.in_cinemas),
        "digitalRelease": iso(movie.digital),
        "physicalRelease": iso(movie.physical),
        "releaseDate": iso(movie.digital or movie.physical or movie.in_cinemas),
        "images": [{"coverType": "poster", "url": f"/MediaCover/{item.id}/poster.jpg"}],
        "year": movie.year,
        "studio": movie.studio,
        "path": movie.path,
        "qualityProfileId": movie.profile_id,
        "hasFile": item.file_id != 0,
        "movieFileId": item.file_id,
        "monitored": item.monitored,
        "minimumAvailability": movie.min_availability,
        "folderName": movie.path,
        "runtime": item.runtime,
        "cleanTitle": slug.replace("-", ""),
        "imdbId": f"tt{item.foreign_id:07d}",
        "tmdbId": item.foreign_id,
        "titleSlug": slug,
        "rootFolderPath": "/movies/",
        "genres": movie.genres,
        "tags": movie.tags,
        "added": iso(movie.added),
        "ratings": {},
        "popularity": 10.5,
        "lastSearchTime": iso(item.last_search),
        "statistics": {
            "movieFileCount": 1 if media else 0,
            "sizeOnDisk": media.size if media else 0,
            "releaseGroups": [media.release_group] if media else [],
        },
    }
    if media is not None:
        data["movieFile"] = movie_file_json(state, media)
    if state.spec.key == "whisparr-v3":
        data["releaseDate"] = (
            movie.digital or movie.physical or movie.in_cinemas or movie.added
        ).strftime("%Y-%m-%d")
        data["studioTitle"] = movie.studio
        data["foreignId"] = str(item.foreign_id)
        data["itemType"] = "movie"
        return {k: v for k, v in data.items() if v is not None and k in _EROS_MOVIE}
    return compact(data)
