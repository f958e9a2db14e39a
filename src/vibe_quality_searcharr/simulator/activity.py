"""Queue and history resources, shaped per family (and per Sonarr v3's single language)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vibe_quality_searcharr.simulator.model import HistoryEvent, QueueEntry
from vibe_quality_searcharr.simulator.render_common import (
    compact,
    iso,
    language,
    quality_model,
    timespan,
)

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["history_json", "queue_json", "queue_status_json"]

_IDS = {
    "tv": ("seriesId", "episodeId"),
    "movie": (None, "movieId"),
    "album": ("artistId", "albumId"),
    "book": ("authorId", "bookId"),
}


def _ids(state: SimState, parent_id: int, item_id: int) -> dict[str, Any]:
    parent_key, item_key = _IDS[state.spec.family]
    data: dict[str, Any] = {item_key: item_id}
    if parent_key:
        data[parent_key] = parent_id
    return data


def _languages(state: SimState, data: dict[str, Any]) -> None:
    if state.spec.family in ("album", "book"):
        return
    if state.legacy:
        data["language"] = language()
    else:
        data["languages"] = [language()]


def queue_json(state: SimState, entry: QueueEntry, includes: dict[str, Any]) -> dict[str, Any]:
    library = state.library
    assert library is not None
    now = state.now()
    remaining = max(0.0, (entry.import_at - now).total_seconds())
    total = max(1.0, (entry.import_at - entry.added).total_seconds())
    data: dict[str, Any] = {
        "id": entry.id,
        **_ids(state, entry.parent_id, entry.item_id),
        "quality": quality_model(library.quality_by_id[entry.quality_id], state.spec.family),
        "customFormats": [],
        "customFormatScore": 0,
        "size": float(entry.size),
        "title": entry.title,
        "sizeleft": float(int(entry.size * remaining / total)),
        "timeleft": timespan(remaining),
        "estimatedCompletionTime": iso(entry.import_at),
        "added": iso(entry.added),
        "status": "downloading",
        "trackedDownloadStatus": "ok",
        "trackedDownloadState": "downloading",
        "statusMessages": [],
        "downloadId": entry.download_id,
        "protocol": entry.protocol,
        "downloadClient": "SABnzbd" if entry.protocol == "usenet" else "qBittorrent",
        "downloadClientHasPostImportCategory": False,
        "indexer": entry.indexer,
        "outputPath": f"/downloads/{entry.title}",
    }
    _languages(state, data)
    family, key = state.spec.family, state.spec.key
    if family == "tv":
        data["seasonNumber"] = entry.season
        data["episodeHasFile"] = library.items[entry.item_id].file_id != 0
    if family in ("album", "book"):
        data["downloadForced"] = False
    if key in ("whisparr", "readarr"):
        data.pop("added")
        data.pop("downloadClientHasPostImportCategory", None) if key == "whisparr" else None
    if state.legacy:
        data.pop("customFormats")
        data.pop("customFormatScore")
    data.update(includes)
    return compact(data)


def queue_status_json(state: SimState) -> dict[str, Any]:
    count = len(state.queue)
    return {
        "totalCount": count,
        "count": count,
        "unknownCount": 0,
        "errors": False,
        "warnings": False,
        "unknownErrors": False,
        "unknownWarnings": False,
    }


def history_json(state: SimState, event: HistoryEvent, includes: dict[str, Any]) -> dict[str, Any]:
    library = state.library
    assert library is not None
    data: dict[str, Any] = {
        "id": event.id,
        **_ids(state, event.parent_id, event.item_id),
        "sourceTitle": event.source_title,
        "quality": quality_model(library.quality_by_id[event.quality_id], state.spec.family),
        "customFormats": [],
        "customFormatScore": 0,
        "qualityCutoffNotMet": False,
        "date": iso(event.date),
        "downloadId": event.download_id,
        "eventType": event.event,
        "data": dict(event.data),
    }
    _languages(state, data)
    if state.spec.family == "album":
        data["trackId"] = 0
    if state.legacy:
        data.pop("customFormats")
        data.pop("customFormatScore")
    data.update(includes)
    return compact(data)
