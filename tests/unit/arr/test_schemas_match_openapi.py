"""Every field our payload models read exists in the apps' official OpenAPI documents.

A misspelt alias would silently read as "absent" forever (every optional field has a default),
so this test is the only thing that would notice it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from vibe_quality_searcharr.arr import schemas

OPENAPI = Path(__file__).resolve().parents[3].parent / "shared" / "arr-api" / "openapi"

if not OPENAPI.is_dir():
    pytest.skip(f"official OpenAPI documents not found at {OPENAPI}", allow_module_level=True)


@cache
def properties(document: str, schema: str) -> set[str]:
    data: dict[str, Any] = json.loads((OPENAPI / document).read_text(encoding="utf-8"))
    return set(data["components"]["schemas"][schema].get("properties", {}))


SOURCES: dict[type[BaseModel], list[tuple[str, str]]] = {
    schemas.SystemStatus: [("sonarr.json", "SystemResource")],
    schemas.Command: [("sonarr.json", "CommandResource")],
    schemas.QueueStatus: [("sonarr.json", "QueueStatusResource")],
    schemas.QueueRecord: [
        ("sonarr.json", "QueueResource"),
        ("radarr.json", "QueueResource"),
        ("lidarr.json", "QueueResource"),
        ("readarr.json", "QueueResource"),
    ],
    schemas.HistoryRecord: [
        ("sonarr.json", "HistoryResource"),
        ("radarr.json", "HistoryResource"),
        ("lidarr.json", "HistoryResource"),
        ("readarr.json", "HistoryResource"),
    ],
    schemas.QualityProfile: [("sonarr.json", "QualityProfileResource")],
    schemas.Tag: [("sonarr.json", "TagResource")],
    schemas.DiskSpace: [("sonarr.json", "DiskSpaceResource")],
    schemas.RootFolder: [("sonarr.json", "RootFolderResource")],
    schemas.Series: [("sonarr.json", "SeriesResource")],
    schemas.Season: [("sonarr.json", "SeasonResource")],
    schemas.Episode: [("sonarr.json", "EpisodeResource")],
    schemas.EpisodeFile: [("sonarr.json", "EpisodeFileResource")],
    schemas.Movie: [("radarr.json", "MovieResource")],
    schemas.MovieFile: [("radarr.json", "MovieFileResource")],
    schemas.Artist: [("lidarr.json", "ArtistResource")],
    schemas.Album: [("lidarr.json", "AlbumResource")],
    schemas.Author: [("readarr.json", "AuthorResource")],
    schemas.Book: [("readarr.json", "BookResource")],
    schemas.Indexer: [("prowlarr.json", "IndexerResource")],
    schemas.IndexerStats: [("prowlarr.json", "IndexerStatsResource")],
    schemas.IndexerStatistics: [("prowlarr.json", "IndexerStatistics")],
    schemas.IndexerStatus: [("prowlarr.json", "IndexerStatusResource")],
    schemas.Application: [("prowlarr.json", "ApplicationResource")],
    schemas.ProviderField: [("prowlarr.json", "Field")],
    schemas.Page: [("sonarr.json", "EpisodeResourcePagingResource")],
}


@pytest.mark.parametrize("model", list(SOURCES), ids=lambda model: model.__name__)
def test_every_field_read_is_documented(model: type[BaseModel]) -> None:
    documented = set().union(*(properties(doc, name) for doc, name in SOURCES[model]))
    aliases = {field.alias or name for name, field in model.model_fields.items()}
    assert aliases - documented == set()
