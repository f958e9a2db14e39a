"""Tables of the library mirror: per instance, what the planner reads about wanted items.

`library_item` holds one row per wanted (missing, cutoff-unmet or format-upgrade candidate) item,
keyed by the *arr's own id within the instance. It is deliberately denormalised: the parent's
monitored flag and tags are copied onto each item at sync, so loading a 50,000-item library for
the planner is one indexed scan of one table, no join. `library_parent` keeps the series, artists
and authors (movies have none) for display, filters and completion; `library_season` the season
facts that season packs need.

Every sync replaces an instance's rows in one transaction (see `library.sync`), so a failed sync
leaves the previous mirror whole; `library_sync_state` records how the last one went.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vibe_quality_searcharr.db.base import Base

__all__ = [
    "LibraryItem",
    "LibraryParent",
    "LibraryProfile",
    "LibrarySeason",
    "LibrarySyncState",
    "LibraryTag",
    "SyncStatus",
]

_INSTANCE_FK = "instance.id"


class SyncStatus:
    NEVER = "never"
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class LibraryItem(Base):
    """One wanted episode, movie, album or book. `tags` is the comma-joined tag ids of the item's
    parent (or of the movie itself); empty when it has none."""

    __tablename__ = "library_item"
    __table_args__ = (
        UniqueConstraint("instance_id", "arr_id"),
        Index("ix_library_item_instance_parent", "instance_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey(_INSTANCE_FK, ondelete="CASCADE"))
    arr_id: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(Integer, default=None)
    season_number: Mapped[int | None] = mapped_column(Integer, default=None)
    episode_number: Mapped[int | None] = mapped_column(Integer, default=None)
    title: Mapped[str] = mapped_column(String(500), default="")
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    monitored: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_monitored: Mapped[bool] = mapped_column(Boolean, default=True)
    has_file: Mapped[bool] = mapped_column(Boolean, default=False)
    missing: Mapped[bool] = mapped_column(Boolean, default=False)
    cutoff_unmet: Mapped[bool] = mapped_column(Boolean, default=False)
    format_score: Mapped[int | None] = mapped_column(Integer, default=None)
    quality_profile_id: Mapped[int | None] = mapped_column(Integer, default=None)
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str | None] = mapped_column(String(50), default=None)
    tags: Mapped[str] = mapped_column(String(1000), default="")
    arr_last_search: Mapped[datetime | None] = mapped_column(default=None)


class LibraryParent(Base):
    """A series, artist or author (kind), for display, filters and completion per series."""

    __tablename__ = "library_parent"
    __table_args__ = (UniqueConstraint("instance_id", "arr_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey(_INSTANCE_FK, ondelete="CASCADE"))
    arr_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500), default="")
    sort_title: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str | None] = mapped_column(String(50), default=None)
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    monitored: Mapped[bool] = mapped_column(Boolean, default=True)
    quality_profile_id: Mapped[int | None] = mapped_column(Integer, default=None)
    tags: Mapped[str] = mapped_column(String(1000), default="")
    # The *arr's own path of the poster (e.g. /MediaCover/12/poster.jpg); fetched through the app.
    poster_path: Mapped[str | None] = mapped_column(String(1000), default=None)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    # What the parent's file statistics and profile looked like when its files were last read
    # (episode apps): an unchanged key lets the next sync skip that parent's episode-file call.
    files_key: Mapped[str] = mapped_column(String(200), default="")


class LibrarySeason(Base):
    __tablename__ = "library_season"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="CASCADE"), primary_key=True
    )
    series_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitored: Mapped[bool] = mapped_column(Boolean, default=True)
    next_airing: Mapped[datetime | None] = mapped_column(default=None)
    last_aired: Mapped[datetime | None] = mapped_column(default=None)
    episode_count: Mapped[int] = mapped_column(Integer, default=0)
    episode_file_count: Mapped[int] = mapped_column(Integer, default=0)
    # Episodes not aired yet, dated or not (TBA): a season with any is not fully aired even when
    # the *arr reports no next airing (it only dates episodes it has an air date for).
    episodes_to_air: Mapped[int] = mapped_column(Integer, default=0)


class LibraryProfile(Base):
    __tablename__ = "library_profile"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="CASCADE"), primary_key=True
    )
    arr_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    upgrade_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    cutoff_format_score: Mapped[int | None] = mapped_column(Integer, default=None)


class LibraryTag(Base):
    __tablename__ = "library_tag"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="CASCADE"), primary_key=True
    )
    arr_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")


class LibrarySyncState(Base):
    """How the instance's last sync went; a failed one keeps the previous mirror in place."""

    __tablename__ = "library_sync_state"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), default=SyncStatus.NEVER)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    # While running: the phase ("tags", "series", "wanted/missing"...); after: None.
    phase: Mapped[str | None] = mapped_column(String(40), default=None)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
