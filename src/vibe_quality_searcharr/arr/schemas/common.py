"""Payloads every *arr app shares: status, paging envelope, commands, queue, history, profiles.

The apps omit null fields from their answers and add fields between versions, so every model
ignores unknown keys and gives every field we do not strictly need a default.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "ArrModel",
    "Command",
    "CommandResult",
    "CommandStatus",
    "DiskSpace",
    "HistoryRecord",
    "Page",
    "QualityProfile",
    "QueueRecord",
    "QueueStatus",
    "RootFolder",
    "SystemStatus",
    "Tag",
]

T = TypeVar("T")


class ArrModel(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown fields ignored, models immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class SystemStatus(ArrModel):
    app_name: str = ""
    instance_name: str = ""
    version: str = ""
    branch: str = ""
    is_docker: bool = False
    url_base: str = ""
    start_time: datetime | None = None


class Page(ArrModel, Generic[T]):
    """The paging envelope of wanted/*, queue and history."""

    page: int = 1
    page_size: int = 0
    sort_key: str | None = None
    sort_direction: str | None = None
    total_records: int = 0
    records: list[T] = Field(default_factory=list)


class CommandStatus:
    """Values of `Command.status` (kept as strings: newer apps may add some)."""

    QUEUED = "queued"
    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"
    ABORTED = "aborted"
    CANCELLED = "cancelled"
    ORPHANED = "orphaned"
    UNFINISHED = frozenset({QUEUED, STARTED})


class CommandResult:
    UNKNOWN = "unknown"
    SUCCESSFUL = "successful"
    UNSUCCESSFUL = "unsuccessful"


class Command(ArrModel):
    id: int
    name: str = ""
    command_name: str = ""
    message: str | None = None
    body: dict[str, Any] = Field(default_factory=dict)
    status: str = CommandStatus.QUEUED
    result: str = CommandResult.UNKNOWN
    queued: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    exception: str | None = None
    trigger: str | None = None

    @property
    def is_finished(self) -> bool:
        return self.status not in CommandStatus.UNFINISHED


class QueueStatus(ArrModel):
    total_count: int = 0
    count: int = 0
    unknown_count: int = 0
    errors: bool = False
    warnings: bool = False


class QueueRecord(ArrModel):
    """One download in progress. Only the ids each family fills are set."""

    id: int
    title: str | None = None
    status: str | None = None
    tracked_download_state: str | None = None
    size: float | None = None
    sizeleft: float | None = None
    download_id: str | None = None
    indexer: str | None = None
    series_id: int | None = None
    episode_id: int | None = None
    season_number: int | None = None
    movie_id: int | None = None
    artist_id: int | None = None
    album_id: int | None = None
    author_id: int | None = None
    book_id: int | None = None


class HistoryRecord(ArrModel):
    id: int
    event_type: str = ""
    date: datetime | None = None
    source_title: str | None = None
    download_id: str | None = None
    quality_cutoff_not_met: bool | None = None
    custom_format_score: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    series_id: int | None = None
    episode_id: int | None = None
    movie_id: int | None = None
    artist_id: int | None = None
    album_id: int | None = None
    author_id: int | None = None
    book_id: int | None = None


class QualityProfile(ArrModel):
    id: int
    name: str = ""
    upgrade_allowed: bool = False
    cutoff: int = 0
    items: list[dict[str, Any]] = Field(default_factory=list)
    min_format_score: int = 0
    cutoff_format_score: int = 0
    format_items: list[dict[str, Any]] = Field(default_factory=list)


class Tag(ArrModel):
    id: int
    label: str = ""


class DiskSpace(ArrModel):
    path: str = ""
    label: str | None = None
    free_space: int = 0
    total_space: int = 0


class RootFolder(ArrModel):
    id: int
    path: str = ""
    accessible: bool = True
    free_space: int | None = None
