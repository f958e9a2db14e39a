"""Radarr and Whisparr v3 resources: movies and movie files.

Whisparr v3 is a Radarr fork without theatrical/digital/physical dates (one `releaseDate`) and
with a few fields of its own, so its movie is Radarr's filtered to the fields it has.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from vibe_quality_searcharr.simulator.library import available_at
from vibe_quality_searcharr.simulator.model import Item, MediaFile
from vibe_quality_searcharr.simulator.render_common import compact, iso, language, quality_model

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["movie_file_json", "movie_json", "movie_status"]

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


def movie_json(state: SimState, item: Item) -> dict[str, Any]:
    library = state.library
    assert library is not None
    assert item.movie is not None
    movie = item.movie
    now = state.now()
    when = available_at(item)
    slug = f"{movie.sort_title.replace(' ', '-')}-{item.foreign_id}"
    media = library.files.get(item.file_id)
    data: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "originalTitle": item.title,
        "originalLanguage": language(),
        "sortTitle": movie.sort_title,
        "sizeOnDisk": media.size if media else 0,
        "status": movie_status(item, now),
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
        "isAvailable": when is not None and when <= now,
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
        data["releaseDate"] = (movie.digital or movie.physical or movie.in_cinemas or now).strftime(
            "%Y-%m-%d"
        )
        data["studioTitle"] = movie.studio
        data["foreignId"] = str(item.foreign_id)
        data["itemType"] = "movie"
        return {k: v for k, v in data.items() if v is not None and k in _EROS_MOVIE}
    return compact(data)
