"""The library of one simulated app and the rules that derive its wanted lists.

The rules follow the apps' server code: Sonarr's missing list is episodes without a file,
season >= 1, already aired (`airDateUtc + runtime <= now`); its cutoff list is episodes whose
file quality ranks below the profile cutoff (the first allowed quality when upgrades are off),
ignoring custom-format scores. Monitored means the item AND its parent are monitored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vibe_quality_searcharr.simulator.families import AppSpec
from vibe_quality_searcharr.simulator.model import Item, MediaFile, Parent, Profile, Quality

__all__ = ["Library", "available_at"]


def available_at(item: Item) -> datetime | None:
    """When an item can first be missing: aired end for episodes, availability for movies."""
    movie = item.movie
    if movie is None:
        if item.air is None:
            return None
        return item.air + timedelta(minutes=item.runtime)
    if movie.min_availability == "announced":
        return movie.in_cinemas or movie.digital or movie.physical or item.air
    if movie.min_availability == "inCinemas":
        return movie.in_cinemas or movie.digital or movie.physical
    released = [d for d in (movie.digital, movie.physical) if d is not None]
    if released:
        return min(released)
    return movie.in_cinemas + timedelta(days=90) if movie.in_cinemas else None


@dataclass
class Library:
    spec: AppSpec
    profiles: list[Profile]
    tags: list[tuple[int, str]]
    parents: dict[int, Parent] = field(default_factory=dict)
    items: dict[int, Item] = field(default_factory=dict)
    files: dict[int, MediaFile] = field(default_factory=dict)
    children: dict[int, list[Item]] = field(default_factory=dict)
    version: int = 0

    def __post_init__(self) -> None:
        self.profile_by_id = {profile.id: profile for profile in self.profiles}
        self.quality_by_id: dict[int, Quality] = {q.id: q for q in self.spec.qualities}
        self.available: dict[int, datetime | None] = {}
        self.next_file_id = 1
        self.fragments: dict[int, dict[tuple[bool, bool], bytes]] = {}
        self.parent_summaries: dict[int, dict[str, Any]] = {}
        self.parent_bytes: dict[int, str] = {}
        self.movie_base: dict[int, dict[str, Any]] = {}
        self.movie_bytes: dict[int, bytes] = {}

    def index(self) -> None:
        """Build the lookups once after generation; mutations keep them current."""
        self.children = {}
        for item in self.items.values():
            self.children.setdefault(item.parent_id, []).append(item)
        self.available = {item_id: available_at(item) for item_id, item in self.items.items()}

    def touch(self) -> None:
        self.version += 1

    def forget(self, item_id: int) -> None:
        """Drop an item's cached JSON after it changed (search time, grab, file)."""
        self.fragments.pop(item_id, None)
        self.movie_base.pop(item_id, None)
        self.movie_bytes.pop(item_id, None)

    def profile_of(self, item: Item) -> Profile:
        if item.movie is not None:
            return self.profile_by_id[item.movie.profile_id]
        return self.profile_by_id[self.parents[item.parent_id].profile_id]

    def monitored(self, item: Item) -> bool:
        if not item.monitored:
            return False
        parent = self.parents.get(item.parent_id)
        return parent is None or parent.monitored

    def is_missing_candidate(self, item: Item) -> bool:
        """Missing apart from the clock: no file, and no specials for TV."""
        return item.file_id == 0 and (self.spec.family != "tv" or item.season >= 1)

    def is_missing(self, item: Item, now: datetime) -> bool:
        if not self.is_missing_candidate(item):
            return False
        when = self.available.get(item.id)
        return when is not None and when <= now

    def is_cutoff_unmet(self, item: Item) -> bool:
        if item.file_id == 0:
            return False
        media = self.files[item.file_id]
        profile = self.profile_of(item)
        return profile.rank(media.quality_id) < profile.effective_cutoff_rank()

    def add_file(
        self, item: Item, quality_id: int, cf_score: int, when: datetime, group: str
    ) -> MediaFile:
        file_id = self.next_file_id
        self.next_file_id += 1
        parent = self.parents.get(item.parent_id)
        folder = parent.path if parent else (item.movie.path if item.movie else "/data")
        quality = self.quality_by_id[quality_id].name
        media = MediaFile(
            id=file_id,
            item_id=item.id,
            parent_id=item.parent_id,
            season=item.season,
            quality_id=quality_id,
            cf_score=cf_score,
            size=700_000_000 + (item.id * 7919) % 3_000_000_000,
            added=when,
            release_group=group,
            relative_path=f"{folder.rsplit('/', 1)[-1]} - {item.title} [{quality}]-{group}.mkv",
        )
        self.files[file_id] = media
        item.file_id = file_id
        self.forget(item.id)
        self.touch()
        return media
