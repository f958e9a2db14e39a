"""One sync's reading of an instance, as plain rows ready to diff against the mirror.

Rows are tuples in the column order of `ITEM_COLUMNS` (and friends), so comparing a fetched row
with a stored one is one tuple comparison and 50,000 of them cost a few MB, not ORM objects.
An item seen in several lists (missing, cutoff, format candidates) is merged into one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "ITEM_COLUMNS",
    "PARENT_COLUMNS",
    "PROFILE_COLUMNS",
    "SEASON_COLUMNS",
    "TAG_COLUMNS",
    "ItemRow",
    "Snapshot",
    "clip",
    "item_row",
    "tag_text",
]

ITEM_COLUMNS = (
    "parent_id",
    "season_number",
    "episode_number",
    "title",
    "released_at",
    "monitored",
    "parent_monitored",
    "has_file",
    "missing",
    "cutoff_unmet",
    "format_score",
    "quality_profile_id",
    "year",
    "status",
    "tags",
    "arr_last_search",
)
PARENT_COLUMNS = (
    "kind",
    "title",
    "sort_title",
    "status",
    "year",
    "monitored",
    "quality_profile_id",
    "tags",
    "poster_path",
    "item_count",
    "file_count",
    "files_key",
)
SEASON_COLUMNS = (
    "monitored",
    "next_airing",
    "last_aired",
    "episode_count",
    "episode_file_count",
    "episodes_to_air",
)
PROFILE_COLUMNS = ("name", "upgrade_allowed", "cutoff_format_score")
TAG_COLUMNS = ("label",)

# Positions in an item row that merging and carrying touch.
_HAS_FILE, _MISSING, _CUTOFF, _SCORE = 7, 8, 9, 10
ItemRow = tuple[Any, ...]


def clip(text: str | None, limit: int) -> str:
    return (text or "")[:limit]


def tag_text(tags: Iterable[int]) -> str:
    """The stored form of a tag set: sorted, comma-joined ids ("" when none)."""
    return ",".join(str(tag) for tag in sorted(set(tags)))[:1000]


def item_row(
    *,
    parent_id: int | None,
    season_number: int | None,
    episode_number: int | None,
    title: str | None,
    released_at: datetime | None,
    monitored: bool,
    parent_monitored: bool,
    has_file: bool,
    missing: bool,
    cutoff_unmet: bool,
    format_score: int | None,
    quality_profile_id: int | None,
    year: int | None,
    status: str | None,
    tags: str,
    arr_last_search: datetime | None,
) -> ItemRow:
    return (
        parent_id, season_number, episode_number, clip(title, 500), released_at,
        bool(monitored), bool(parent_monitored), bool(has_file), bool(missing),
        bool(cutoff_unmet), format_score, quality_profile_id, year,
        clip(status, 50) or None, tags, arr_last_search,
    )  # fmt: skip


@dataclass
class Snapshot:
    """What one sync read. `carried_parents` are parents whose file details were not read this
    time (unchanged statistics, or over the per-sync call cap): their format-candidate rows are
    kept from the mirror, with the parent's current facts."""

    parents: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    seasons: dict[tuple[int, int], tuple[Any, ...]] = field(default_factory=dict)
    profiles: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    tags: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    items: dict[int, ItemRow] = field(default_factory=dict)
    carried_parents: set[int] = field(default_factory=set)
    api_calls: int = 0
    file_fetches: int = 0

    def add_item(self, arr_id: int, row: ItemRow) -> None:
        """Insert, or merge with the row already read from another list: the flags add up and a
        known format score wins over an unknown one."""
        old = self.items.get(arr_id)
        if old is None:
            self.items[arr_id] = row
            return
        merged = list(row)
        merged[_HAS_FILE] = old[_HAS_FILE] or row[_HAS_FILE]
        merged[_MISSING] = (old[_MISSING] or row[_MISSING]) and not merged[_HAS_FILE]
        merged[_CUTOFF] = old[_CUTOFF] or row[_CUTOFF]
        merged[_SCORE] = row[_SCORE] if row[_SCORE] is not None else old[_SCORE]
        self.items[arr_id] = tuple(merged)

    @property
    def wanted_counts(self) -> dict[str, int]:
        missing = sum(1 for row in self.items.values() if row[_MISSING])
        cutoff = sum(1 for row in self.items.values() if row[_CUTOFF])
        return {"missing": missing, "cutoff_unmet": cutoff, "items": len(self.items)}


def is_format_only(row: ItemRow) -> bool:
    """A row that is in the mirror only as a format-upgrade candidate (from file details)."""
    return bool(row[_HAS_FILE]) and not row[_CUTOFF] and not row[_MISSING]
