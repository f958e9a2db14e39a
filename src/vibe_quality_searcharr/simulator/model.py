"""The simulated library and activity records, shared by every app family.

One generic shape serves all families: a `Parent` is a series, artist or author; an `Item` is
the wanted unit (episode, movie, album, book). Movies are items without a parent, carrying
their own profile, tags and release dates in `MovieInfo`. Slots keep 100k+ items cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "Command",
    "HistoryEvent",
    "Item",
    "MediaFile",
    "MovieInfo",
    "Parent",
    "Profile",
    "Quality",
    "QueueEntry",
]


@dataclass(frozen=True, slots=True)
class Quality:
    id: int
    name: str
    source: str = "unknown"
    resolution: int = 0
    modifier: str = "none"


@dataclass(slots=True)
class Profile:
    """A quality profile; `allowed` lists quality ids from worst to best."""

    id: int
    name: str
    upgrade_allowed: bool
    cutoff: int
    allowed: list[int]
    min_format_score: int = 0
    cutoff_format_score: int = 0
    format_items: list[tuple[int, str, int]] = field(default_factory=list)

    def rank(self, quality_id: int) -> int:
        """Position of a quality in the profile; unknown qualities rank below everything."""
        try:
            return self.allowed.index(quality_id)
        except ValueError:
            return -1

    def effective_cutoff_rank(self) -> int:
        """Sonarr's rule: without upgrades the cutoff is the first allowed quality."""
        return self.rank(self.cutoff) if self.upgrade_allowed else 0


@dataclass(slots=True)
class Parent:
    id: int
    title: str
    sort_title: str
    year: int
    status: str
    monitored: bool
    profile_id: int
    tags: list[int]
    added: datetime
    foreign_id: int
    runtime: int
    network: str
    genres: list[str]
    path: str
    first_aired: datetime | None
    season_monitored: dict[int, bool] = field(default_factory=dict)


@dataclass(slots=True)
class MovieInfo:
    profile_id: int
    tags: list[int]
    sort_title: str
    year: int
    added: datetime
    in_cinemas: datetime | None
    digital: datetime | None
    physical: datetime | None
    min_availability: str
    path: str
    studio: str
    genres: list[str]


@dataclass(slots=True)
class Item:
    id: int
    parent_id: int
    season: int
    number: int
    title: str
    air: datetime | None
    runtime: int
    monitored: bool
    foreign_id: int
    file_id: int = 0
    last_search: datetime | None = None
    abs_number: int | None = None
    movie: MovieInfo | None = None
    grabbed: bool = False


@dataclass(slots=True)
class MediaFile:
    id: int
    item_id: int
    parent_id: int
    season: int
    quality_id: int
    cf_score: int
    size: int
    added: datetime
    release_group: str
    relative_path: str


@dataclass(slots=True)
class HistoryEvent:
    id: int
    item_id: int
    parent_id: int
    event: str
    date: datetime
    download_id: str
    source_title: str
    quality_id: int
    data: dict[str, str]


@dataclass(slots=True)
class QueueEntry:
    id: int
    item_id: int
    parent_id: int
    season: int
    download_id: str
    title: str
    quality_id: int
    size: int
    added: datetime
    import_at: datetime
    indexer: str
    protocol: str


@dataclass(slots=True)
class Command:
    id: int
    name: str
    body: dict[str, Any]
    key: tuple[Any, ...]
    queued: datetime
    trigger: str = "manual"
    status: str = "queued"
    result: str = "unknown"
    started: datetime | None = None
    ended: datetime | None = None
    message: str | None = None
    exception: str | None = None
    state_change: datetime | None = None
    ends_at: datetime | None = None
