"""One sync's reading of an instance, as plain rows ready to diff against the mirror.

Rows are tuples in the column order of `ITEM_COLUMNS` (and friends), so comparing a fetched row
with a stored one is one tuple comparison, not ORM objects. The item rows, by far the most
numerous, are held packed (`ItemRows`): a whole wanted backlog stays in memory until the one
write transaction, and packed it takes about a third of the tuples' memory.
An item seen in several lists (missing, cutoff, format candidates) is merged into one row.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable, Iterator
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
    "ItemRows",
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
# Positions of the two datetimes (kept packed as ISO text: marshal has no datetime).
_RELEASED, _LAST_SEARCH = ITEM_COLUMNS.index("released_at"), ITEM_COLUMNS.index("arr_last_search")
ItemRow = tuple[Any, ...]
_from_iso = datetime.fromisoformat


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:  # the same refusal as the column type, before the write
        raise ValueError("naive datetime given; use an aware UTC datetime")
    return when.isoformat()


def _pack(row: ItemRow) -> bytes:
    return marshal.dumps(
        (*row[:_RELEASED], _iso(row[_RELEASED]), *row[_RELEASED + 1 : _LAST_SEARCH],
         _iso(row[_LAST_SEARCH]), *row[_LAST_SEARCH + 1 :])
    )  # fmt: skip


def _unpack(packed: bytes) -> ItemRow:
    row = marshal.loads(packed)  # noqa: S302 - only ever bytes this module packed itself
    released, searched = row[_RELEASED], row[_LAST_SEARCH]
    return (
        *row[:_RELEASED], None if released is None else _from_iso(released),
        *row[_RELEASED + 1 : _LAST_SEARCH], None if searched is None else _from_iso(searched),
        *row[_LAST_SEARCH + 1 :],
    )  # fmt: skip


class ItemRows:
    """arr id -> item row, each row kept as one marshalled `bytes` (about 130 bytes for an
    episode instead of ~330 as a tuple with its title and datetime objects).

    Reading a row gives back an equal tuple: the datetimes are aware again (offset kept), the
    other values are ints, bools, strings and None, which marshal keeps as they are."""

    __slots__ = ("_packed",)

    def __init__(self) -> None:
        self._packed: dict[int, bytes] = {}

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, arr_id: object) -> bool:
        return arr_id in self._packed

    def __setitem__(self, arr_id: int, row: ItemRow) -> None:
        self._packed[arr_id] = _pack(row)

    def get(self, arr_id: int) -> ItemRow | None:
        packed = self._packed.get(arr_id)
        return None if packed is None else _unpack(packed)

    def pop(self, arr_id: int, default: None = None) -> ItemRow | None:
        """Take a row out (the write consumes the rows it has matched with the mirror)."""
        packed = self._packed.pop(arr_id, default)
        return None if packed is None else _unpack(packed)

    def items(self) -> Iterator[tuple[int, ItemRow]]:
        for arr_id, packed in self._packed.items():
            yield arr_id, _unpack(packed)

    def values(self) -> Iterator[ItemRow]:
        for packed in self._packed.values():
            yield _unpack(packed)


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
    items: ItemRows = field(default_factory=ItemRows)
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
        missing = cutoff = 0
        for row in self.items.values():
            missing += bool(row[_MISSING])
            cutoff += bool(row[_CUTOFF])
        return {"missing": missing, "cutoff_unmet": cutoff, "items": len(self.items)}


def is_format_only(row: ItemRow) -> bool:
    """A row that is in the mirror only as a format-upgrade candidate (from file details)."""
    return bool(row[_HAS_FILE]) and not row[_CUTOFF] and not row[_MISSING]
