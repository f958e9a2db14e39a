"""What the sync reads from each *arr, as the client payload models plus the few fields only the
mirror needs (poster images, Whisparr's release dates, Radarr's minimum availability).

They extend the shared models in `arr.schemas.media` rather than change them: the clients stay
what they are, and the sync owns the extra fields it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

from vibe_quality_searcharr.arr.schemas.common import Page
from vibe_quality_searcharr.arr.schemas.media import (
    Album,
    Artist,
    Author,
    Book,
    Movie,
)

__all__ = [
    "ALBUM_PAGE",
    "ARTISTS",
    "AUTHORS",
    "BOOK_PAGE",
    "EPISODES",
    "EPISODE_PAGE",
    "MOVIES",
    "MOVIE_PAGE",
    "SERIES",
    "Image",
    "SyncAlbum",
    "SyncArtist",
    "SyncAuthor",
    "SyncBook",
    "SyncEpisode",
    "SyncMovie",
    "SyncSeries",
    "movie_release",
    "poster",
]


# The episode apps' records are read into slotted dataclasses, validated by pydantic-core all the
# same: the 1,500-series list of a large Sonarr takes ~2 MB that way against ~13 MB as models,
# and a 1000-episode page a fifth of the memory, in less time.
_WIRE = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


@dataclass(frozen=True, slots=True)
class Image:
    __pydantic_config__ = _WIRE

    cover_type: str = ""
    url: str | None = None


def poster(images: list[Image]) -> str | None:
    """The *arr's own path of the poster (its MediaCover URL, without the cache-buster)."""
    for image in images:
        if image.cover_type == "poster" and image.url:
            return image.url.split("?", 1)[0][:1000]
    return None


@dataclass(frozen=True, slots=True)
class SyncSeasonStats:
    __pydantic_config__ = _WIRE

    total_episode_count: int | float | None = None
    episode_count: int | float | None = None
    episode_file_count: int | float | None = None
    next_airing: str | None = None
    previous_airing: str | None = None


@dataclass(frozen=True, slots=True)
class SyncSeason:
    __pydantic_config__ = _WIRE

    season_number: int
    monitored: bool = False
    statistics: SyncSeasonStats | None = None


@dataclass(frozen=True, slots=True)
class SyncSeriesStats:
    __pydantic_config__ = _WIRE

    total_episode_count: int | float | None = None
    episode_file_count: int | float | None = None
    size_on_disk: int | float | None = None


@dataclass(frozen=True, slots=True)
class SyncSeries:
    """Only the series fields the mirror stores: the full `Series` (added, paths, free-form
    statistics dicts...) costs several times more to build for 1,500 series."""

    __pydantic_config__ = _WIRE

    id: int
    title: str = ""
    sort_title: str | None = None
    status: str | None = None
    year: int | None = None
    monitored: bool = False
    quality_profile_id: int | None = None
    seasons: list[SyncSeason] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    statistics: SyncSeriesStats | None = None
    images: list[Image] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SyncEpisodeFile:
    __pydantic_config__ = _WIRE

    custom_format_score: int | None = None


@dataclass(frozen=True, slots=True)
class SyncEpisode:
    """Only the fields an item row needs. The client's `Episode` also carries the nested series
    and the file's quality dicts; skipping them (pydantic-core never builds them) makes the
    1000-record wanted pages several times cheaper to read."""

    __pydantic_config__ = _WIRE

    id: int
    series_id: int
    season_number: int = 0
    # Whisparr v2 has no episode numbers or air date times, only a release day.
    episode_number: int | None = None
    title: str | None = None
    air_date_utc: datetime | None = None
    release_date: str | None = None
    last_search_time: datetime | None = None
    has_file: bool = False
    monitored: bool = False
    episode_file: SyncEpisodeFile | None = None

    @property
    def released_at(self) -> datetime | None:
        if self.air_date_utc is not None:
            return self.air_date_utc
        return _day(self.release_date)


class SyncMovie(Movie):
    minimum_availability: str | None = None
    images: list[Image] = Field(default_factory=list)
    # Whisparr v3 sends a plain day here.
    release_date: Any = None


class SyncArtist(Artist):
    images: list[Image] = Field(default_factory=list)


class SyncAlbum(Album):
    pass


class SyncAuthor(Author):
    images: list[Image] = Field(default_factory=list)


class SyncBook(Book):
    last_search_time: datetime | None = None


def _day(text: str | None) -> datetime | None:
    """A "2024-05-01" (or full ISO) date as midnight UTC; None when absent or unreadable."""
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def movie_release(movie: SyncMovie) -> datetime | None:
    """When the movie becomes available, by Radarr's own rule for its minimum availability:
    announced: the earliest known date; in cinemas: the cinema date (else the earliest home
    release); released (the default): the earliest of the digital and physical releases, or 90
    days after cinemas when neither is known. Whisparr v3 has one `releaseDate` day."""
    cinemas, digital, physical = movie.in_cinemas, movie.digital_release, movie.physical_release
    if cinemas is None and digital is None and physical is None:
        if isinstance(movie.release_date, str):
            return _day(movie.release_date)
        return movie.release_date if isinstance(movie.release_date, datetime) else None
    known = [when for when in (cinemas, digital, physical) if when is not None]
    home = [when for when in (digital, physical) if when is not None]
    availability = (movie.minimum_availability or "released").lower()
    if availability in ("announced", "tba"):
        return min(known)
    if availability == "incinemas":
        return cinemas or min(home)
    if home:
        return min(home)
    assert cinemas is not None
    return cinemas + timedelta(days=90)


SERIES = TypeAdapter(list[SyncSeries])
EPISODES = TypeAdapter(list[SyncEpisode])
EPISODE_PAGE = TypeAdapter(Page[SyncEpisode])
MOVIES = TypeAdapter(list[SyncMovie])
MOVIE_PAGE = TypeAdapter(Page[SyncMovie])
ARTISTS = TypeAdapter(list[SyncArtist])
ALBUM_PAGE = TypeAdapter(Page[SyncAlbum])
AUTHORS = TypeAdapter(list[SyncAuthor])
BOOK_PAGE = TypeAdapter(Page[SyncBook])
