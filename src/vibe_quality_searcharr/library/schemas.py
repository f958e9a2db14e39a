"""What the library API returns: sync state, mirrored items and parents, pages of them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = [
    "ExclusionBadge",
    "ItemPage",
    "LibraryItemRead",
    "ParentPage",
    "ParentRead",
    "SearchRecordRead",
    "SyncProgress",
    "SyncStateRead",
]


class SyncProgress(BaseModel):
    phase: str
    done: int
    total: int | None = None


class SyncStateRead(BaseModel):
    instance_id: int
    status: str
    running: bool
    started_at: datetime | None = None
    finished_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    item_count: int = 0
    duration_ms: int | None = None
    api_calls: int = 0
    progress: SyncProgress | None = None


class ExclusionBadge(BaseModel):
    """The item (scope "item") or its parent (scope "parent") is excluded from searches."""

    scope: str
    reason: str
    expires_at: datetime | None = None


class SearchRecordRead(BaseModel):
    attempts: int
    last_searched_at: datetime
    grabs: int
    last_grabbed_at: datetime | None = None


class LibraryItemRead(BaseModel):
    id: int
    label: str
    title: str
    parent_id: int | None = None
    season_number: int | None = None
    episode_number: int | None = None
    released_at: datetime | None = None
    monitored: bool
    parent_monitored: bool
    has_file: bool
    missing: bool
    cutoff_unmet: bool
    format_upgrade: bool
    format_score: int | None = None
    quality_profile_id: int | None = None
    year: int | None = None
    status: str | None = None
    tags: list[int]
    arr_last_search: datetime | None = None
    exclusion: ExclusionBadge | None = None
    search: SearchRecordRead | None = None


class ItemPage(BaseModel):
    items: list[LibraryItemRead]
    total: int
    page: int
    page_size: int


class ParentRead(BaseModel):
    """A series, artist or author. `total`/`files` are the *arr's own counts (episodes for a
    series, tracks for an artist, books for an author); `wanted` counts mirrored items."""

    id: int
    kind: str
    title: str
    status: str | None = None
    year: int | None = None
    monitored: bool
    quality_profile_id: int | None = None
    tags: list[int]
    poster_path: str | None = None
    total: int
    files: int
    wanted: int
    missing: int
    cutoff_unmet: int
    exclusion: ExclusionBadge | None = None


class ParentPage(BaseModel):
    items: list[ParentRead]
    total: int
    page: int
    page_size: int
