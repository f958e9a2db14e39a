"""The wanted items and their parents, per family: episodes and series, movies, albums and
artists, books and authors. Only what sync and the planner read; every optional field may be
absent on the wire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from vibe_quality_searcharr.arr.schemas.common import ArrModel

__all__ = [
    "Album",
    "Artist",
    "Author",
    "Book",
    "Episode",
    "EpisodeFile",
    "Movie",
    "MovieFile",
    "Season",
    "Series",
]


class Season(ArrModel):
    season_number: int
    monitored: bool = False
    statistics: dict[str, Any] | None = None


class Series(ArrModel):
    id: int
    title: str = ""
    sort_title: str | None = None
    status: str | None = None
    ended: bool | None = None
    year: int | None = None
    tvdb_id: int | None = None
    monitored: bool = False
    quality_profile_id: int | None = None
    series_type: str | None = None
    seasons: list[Season] = Field(default_factory=list)
    tags: list[int] = Field(default_factory=list)
    added: datetime | None = None
    first_aired: datetime | None = None
    root_folder_path: str | None = None
    statistics: dict[str, Any] | None = None


class EpisodeFile(ArrModel):
    id: int
    series_id: int | None = None
    season_number: int | None = None
    size: int | None = None
    quality: dict[str, Any] | None = None
    custom_format_score: int | None = None
    quality_cutoff_not_met: bool | None = None
    date_added: datetime | None = None


class Episode(ArrModel):
    id: int
    series_id: int
    season_number: int = 0
    episode_number: int = 0
    title: str | None = None
    tvdb_id: int | None = None
    episode_file_id: int | None = None
    air_date: str | None = None
    air_date_utc: datetime | None = None
    last_search_time: datetime | None = None
    runtime: int | None = None
    has_file: bool = False
    monitored: bool = False
    absolute_episode_number: int | None = None
    episode_file: EpisodeFile | None = None
    series: Series | None = None


class MovieFile(ArrModel):
    id: int
    size: int | None = None
    quality: dict[str, Any] | None = None
    custom_format_score: int | None = None
    quality_cutoff_not_met: bool | None = None


class Movie(ArrModel):
    id: int
    title: str = ""
    sort_title: str | None = None
    year: int | None = None
    status: str | None = None
    tmdb_id: int | None = None
    imdb_id: str | None = None
    monitored: bool = False
    has_file: bool = False
    is_available: bool = False
    quality_profile_id: int | None = None
    movie_file_id: int | None = None
    movie_file: MovieFile | None = None
    in_cinemas: datetime | None = None
    physical_release: datetime | None = None
    digital_release: datetime | None = None
    release_date: datetime | None = None
    last_search_time: datetime | None = None
    added: datetime | None = None
    tags: list[int] = Field(default_factory=list)
    root_folder_path: str | None = None

    @property
    def is_missing(self) -> bool:
        """What Radarr's wanted/missing lists: monitored, available and without a file."""
        return self.monitored and self.is_available and not self.has_file

    @property
    def is_cutoff_unmet(self) -> bool:
        file = self.movie_file
        return self.monitored and self.has_file and bool(file and file.quality_cutoff_not_met)


class Artist(ArrModel):
    id: int
    artist_name: str = ""
    sort_name: str | None = None
    status: str | None = None
    monitored: bool = False
    quality_profile_id: int | None = None
    tags: list[int] = Field(default_factory=list)
    root_folder_path: str | None = None
    statistics: dict[str, Any] | None = None


class Album(ArrModel):
    id: int
    artist_id: int
    title: str = ""
    album_type: str | None = None
    monitored: bool = False
    release_date: datetime | None = None
    last_search_time: datetime | None = None
    statistics: dict[str, Any] | None = None
    artist: Artist | None = None


class Author(ArrModel):
    id: int
    author_name: str = ""
    sort_name: str | None = None
    status: str | None = None
    monitored: bool = False
    quality_profile_id: int | None = None
    tags: list[int] = Field(default_factory=list)
    root_folder_path: str | None = None
    statistics: dict[str, Any] | None = None


class Book(ArrModel):
    id: int
    author_id: int
    title: str = ""
    series_title: str | None = None
    monitored: bool = False
    release_date: datetime | None = None
    grabbed: bool | None = None
    statistics: dict[str, Any] | None = None
    author: Author | None = None
