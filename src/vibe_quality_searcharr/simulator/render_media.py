"""Lidarr and Readarr resources: artists and albums, authors and books."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vibe_quality_searcharr.simulator.model import Item, Parent
from vibe_quality_searcharr.simulator.render_common import compact, iso

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["child_json", "parent_json"]


def parent_json(state: SimState, parent: Parent) -> dict[str, Any]:
    library = state.library
    assert library is not None
    children = library.children.get(parent.id, [])
    files = sum(1 for item in children if item.file_id)
    common: dict[str, Any] = {
        "id": parent.id,
        "status": parent.status,
        "ended": parent.status == "ended",
        "foreignArtistId" if state.spec.family == "album" else "foreignAuthorId": str(
            parent.foreign_id
        ),
        "overview": f"A simulated {'artist' if state.spec.family == 'album' else 'author'}.",
        "images": [],
        "path": parent.path,
        "qualityProfileId": parent.profile_id,
        "metadataProfileId": 1,
        "monitored": parent.monitored,
        "monitorNewItems": "all",
        "rootFolderPath": parent.path.rsplit("/", 1)[0] + "/",
        "genres": parent.genres,
        "cleanName": parent.sort_title.replace(" ", ""),
        "sortName": parent.sort_title,
        "tags": parent.tags,
        "added": iso(parent.added),
        "ratings": {"votes": 10, "value": 8.1},
    }
    if state.spec.family == "album":
        common["artistName"] = parent.title
        common["statistics"] = {
            "albumCount": len(children), "trackFileCount": files * 10, "trackCount": files * 10,
            "totalTrackCount": len(children) * 10, "sizeOnDisk": files * 400_000_000,
            "percentOfTracks": 100.0 * files / len(children) if children else 0.0,
        }  # fmt: skip
    else:
        common["authorName"] = parent.title
        common["authorNameLastFirst"] = ", ".join(reversed(parent.title.split(" ", 1)))
        common["authorMetadataId"] = parent.id
        common["titleSlug"] = str(parent.foreign_id)
        common["statistics"] = {
            "bookFileCount": files, "bookCount": files, "availableBookCount": files,
            "totalBookCount": len(children), "sizeOnDisk": files * 5_000_000,
            "percentOfBooks": 100.0 * files / len(children) if children else 0.0,
        }  # fmt: skip
    return compact(common)


def child_json(
    state: SimState,
    item: Item,
    *,
    include_parent: bool = False,
    parent_cache: dict[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    library = state.library
    assert library is not None
    has_file = 1 if item.file_id else 0
    data: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "overview": "A simulated release.",
        "monitored": item.monitored,
        "releaseDate": iso(item.air),
        "genres": [],
        "images": [],
        "links": [],
        "ratings": {"votes": 3, "value": 7.0},
    }
    if state.spec.family == "album":
        data |= {
            "artistId": item.parent_id, "foreignAlbumId": str(item.foreign_id),
            "anyReleaseOk": True, "profileId": 1, "duration": 2_400_000, "albumType": "Album",
            "secondaryTypes": [], "mediumCount": 1, "releases": [], "media": [],
            "lastSearchTime": iso(item.last_search),
            "statistics": {
                "trackFileCount": 10 * has_file, "trackCount": 10, "totalTrackCount": 10,
                "sizeOnDisk": 400_000_000 * has_file, "percentOfTracks": 100.0 * has_file,
            },
        }  # fmt: skip
        parent_key = "artist"
    else:
        data |= {
            "authorId": item.parent_id, "foreignBookId": str(item.foreign_id),
            "foreignEditionId": str(item.foreign_id + 1), "titleSlug": str(item.foreign_id),
            "anyEditionOk": True, "pageCount": 320, "grabbed": item.grabbed,
            "authorTitle": library.parents[item.parent_id].sort_title,
            "statistics": {
                "bookFileCount": has_file, "bookCount": 1, "totalBookCount": 1,
                "sizeOnDisk": 5_000_000 * has_file, "percentOfBooks": 100.0 * has_file,
            },
        }  # fmt: skip
        parent_key = "author"
    if include_parent:
        cache = parent_cache if parent_cache is not None else {}
        rendered = cache.get(item.parent_id)
        if rendered is None:
            rendered = parent_json(state, library.parents[item.parent_id])
            cache[item.parent_id] = rendered
        data[parent_key] = rendered
    return compact(data)
