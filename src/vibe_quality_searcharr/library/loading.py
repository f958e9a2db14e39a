"""Reads an instance's mirror into the planner's `Library`.

This is on the path of every run and preview, so it reads plain column tuples (no ORM objects)
and builds each `Item` at C speed; tags are parsed once per distinct tag string, not per item.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.library.models import (
    LibraryItem,
    LibraryProfile,
    LibrarySeason,
    LibraryTag,
)
from vibe_quality_searcharr.search.planner import (
    App,
    Item,
    Library,
    QualityProfile,
    SeasonInfo,
    SeasonKey,
)

__all__ = ["NOT_YET_DATED", "load_library", "parse_tags"]

# The next airing given to the planner for a season whose remaining episodes have no air date.
NOT_YET_DATED = datetime(9999, 12, 31, tzinfo=UTC)

_new_item = cast(Any, partial(tuple.__new__, Item))

_ITEM_COLUMNS = (
    LibraryItem.arr_id,
    LibraryItem.parent_id,
    LibraryItem.season_number,
    LibraryItem.released_at,
    LibraryItem.monitored,
    LibraryItem.parent_monitored,
    LibraryItem.has_file,
    LibraryItem.cutoff_unmet,
    LibraryItem.format_score,
    LibraryItem.quality_profile_id,
    LibraryItem.tags,
    LibraryItem.year,
    LibraryItem.status,
    LibraryItem.arr_last_search,
)


def parse_tags(text: str) -> frozenset[int]:
    """ "1,5,9" -> {1, 5, 9}; the stored form of a tag set."""
    return frozenset(int(part) for part in text.split(",") if part)


def load_library(session: Session, instance_id: int, app: App) -> Library:
    tag_sets: dict[str, frozenset[int]] = {"": frozenset()}
    items: list[Item] = []
    append = items.append
    rows = session.execute(
        select(*_ITEM_COLUMNS)
        .where(LibraryItem.instance_id == instance_id)
        .order_by(LibraryItem.arr_id)
    )
    for row in rows:
        tags_text = row[10]
        tags = tag_sets.get(tags_text)
        if tags is None:
            tags = tag_sets[tags_text] = parse_tags(tags_text)
        append(
            _new_item(
                (
                    row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), bool(row[6]),
                    bool(row[7]), row[8], row[9], tags, row[11], row[12], row[13],
                )
            )
        )  # fmt: skip
    # A season with episodes still to air but no dated one (TBA) is not fully aired either.
    seasons = {
        SeasonKey(series_id, number): SeasonInfo(
            bool(monitored), next_airing or (NOT_YET_DATED if to_air else None), last_aired
        )
        for series_id, number, monitored, next_airing, last_aired, to_air in session.execute(
            select(
                LibrarySeason.series_id,
                LibrarySeason.season_number,
                LibrarySeason.monitored,
                LibrarySeason.next_airing,
                LibrarySeason.last_aired,
                LibrarySeason.episodes_to_air,
            ).where(LibrarySeason.instance_id == instance_id)
        )
    }
    profiles = {
        profile_id: QualityProfile(profile_id, bool(upgrade), cutoff_score)
        for profile_id, upgrade, cutoff_score in session.execute(
            select(
                LibraryProfile.arr_id,
                LibraryProfile.upgrade_allowed,
                LibraryProfile.cutoff_format_score,
            ).where(LibraryProfile.instance_id == instance_id)
        )
    }
    # Rows, not `.tuples()`: SQLAlchemy 2.1 no longer lets dict() consume a result directly.
    tag_labels = {
        row.arr_id: row.label
        for row in session.execute(
            select(LibraryTag.arr_id, LibraryTag.label).where(LibraryTag.instance_id == instance_id)
        )
    }
    return Library(app, items, seasons, profiles, tag_labels)
