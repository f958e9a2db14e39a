"""Tables of the search domain: queues, their cycles, runs, commands (the search history),
per-item and per-season search records (cooldowns), and exclusions.

History is never lost with its configuration: runs and commands keep the queue's and instance's
names, and their foreign keys are set to NULL when a queue or instance is deleted.

The executor's crash safety rests on `search_command.status`: a row is written as `intent` and
committed before the *arr is called, and marked `sent` (with the *arr's command id) right after,
so a restart can tell "never sent", "maybe sent" and "sent" apart and never sends twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vibe_quality_searcharr.db.base import Base, TimestampMixin, utcnow

__all__ = [
    "CommandStatus",
    "Exclusion",
    "RunStatus",
    "SearchCommand",
    "SearchCommandItem",
    "SearchCycleItem",
    "SearchItemState",
    "SearchQueue",
    "SearchRun",
    "SearchSeasonState",
]

_INSTANCE_FK = "instance.id"
_QUEUE_FK = "search_queue.id"


class RunStatus:
    RUNNING = "running"
    COMPLETED = "completed"  # every planned command reached an end
    HELD = "held"  # nothing sent: back-pressure, budget, nothing eligible, instance paused
    FAILED = "failed"  # the run could not plan or stopped on an error
    INTERRUPTED = "interrupted"  # the process stopped mid-run; found and closed at restart
    FINISHED = frozenset({COMPLETED, HELD, FAILED, INTERRUPTED})


class CommandStatus:
    INTENT = "intent"  # written before sending; the *arr may or may not have it
    SENT = "sent"  # the *arr accepted it (arr_command_id set)
    COMPLETED = "completed"  # the *arr finished it
    FAILED = "failed"  # the *arr refused it or reported failure
    NOT_SENT = "not_sent"  # the run stopped (budget, error, shutdown) before sending it
    UNKNOWN = "unknown"  # maybe sent before a crash and not found on the *arr; never resent
    FINISHED = frozenset({COMPLETED, FAILED, NOT_SENT, UNKNOWN})


class SearchQueue(TimestampMixin, Base):
    """A user's search queue. `options` holds the validated rest of its settings (see
    `search.queues.schemas.QueueOptions`); `schedule` its schedule (issue #7 widens it)."""

    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="CASCADE"), index=True
    )
    strategy: Mapped[str] = mapped_column(String(30))
    order: Mapped[str] = mapped_column("search_order", String(40))
    batch_size: Mapped[int] = mapped_column(Integer, default=10)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    preset: Mapped[str | None] = mapped_column(String(40), default=None)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Runs started so far: the next run's seed derives from it, so a preview uses the same seed.
    run_count: Mapped[int] = mapped_column(Integer, default=0)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    cycle_number: Mapped[int | None] = mapped_column(Integer, default=None)
    cycle_started_at: Mapped[datetime | None] = mapped_column(default=None)


class SearchCycleItem(Base):
    """An item searched in the queue's current cycle (`SearchQueue.cycle_number`)."""

    __tablename__ = "search_cycle_item"

    queue_id: Mapped[int] = mapped_column(
        ForeignKey(_QUEUE_FK, ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SearchRun(Base):
    """One run of a queue: what was planned, what was sent, how it ended."""

    __tablename__ = "search_run"
    __table_args__ = (Index("ix_search_run_queue_started", "queue_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey(_QUEUE_FK, ondelete="SET NULL"), default=None
    )
    queue_name: Mapped[str] = mapped_column(String(100), default="")
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="SET NULL"), default=None, index=True
    )
    instance_name: Mapped[str] = mapped_column(String(100), default="")
    strategy: Mapped[str] = mapped_column(String(30))
    order: Mapped[str] = mapped_column("search_order", String(40))
    seed: Mapped[int] = mapped_column(Integer, default=0)
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    planned_commands: Mapped[int] = mapped_column(Integer, default=0)
    planned_items: Mapped[int] = mapped_column(Integer, default=0)
    sent_commands: Mapped[int] = mapped_column(Integer, default=0)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    grabbed: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    hold_code: Mapped[str | None] = mapped_column(String(40), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # The process carrying out the run (`search.runs.owners`): a run is reconciled only once
    # its owner is gone. None for runs written before owners existed, or by a bare executor.
    owner: Mapped[str | None] = mapped_column(String(120), default=None)


class SearchCommand(Base):
    """One *arr search command: a history row. `item_ids` are the *arr ids it covers."""

    __tablename__ = "search_command"
    __table_args__ = (
        Index("ix_search_command_instance_intent", "instance_id", "intent_at"),
        Index("ix_search_command_queue_intent", "queue_id", "intent_at"),
        Index("ix_search_command_rechecked", "status", "rechecked_at"),
        # The dashboard's per-day totals read only this index (migration 0008).
        Index("ix_search_command_day", "intent_at", "status", "grabbed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("search_run.id", ondelete="CASCADE"), default=None, index=True
    )
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey(_QUEUE_FK, ondelete="SET NULL"), default=None
    )
    queue_name: Mapped[str] = mapped_column(String(100), default="")
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="SET NULL"), default=None
    )
    instance_name: Mapped[str] = mapped_column(String(100), default="")
    strategy: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    series_id: Mapped[int | None] = mapped_column(Integer, default=None)
    season_number: Mapped[int | None] = mapped_column(Integer, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    label: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default=CommandStatus.INTENT, index=True)
    arr_command_id: Mapped[int | None] = mapped_column(Integer, default=None)
    arr_status: Mapped[str | None] = mapped_column(String(20), default=None)
    arr_result: Mapped[str | None] = mapped_column(String(20), default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    intent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    grabbed: Mapped[int] = mapped_column(Integer, default=0)
    # The delayed grab/import re-check (`search.feedback`) is done: never read twice.
    rechecked_at: Mapped[datetime | None] = mapped_column(default=None)


class SearchCommandItem(Base):
    """One item a command covered, with its own score, reason and outcome."""

    __tablename__ = "search_command_item"
    __table_args__ = (Index("ix_search_command_item_instance_item", "instance_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command_id: Mapped[int] = mapped_column(
        ForeignKey("search_command.id", ondelete="CASCADE"), index=True
    )
    instance_id: Mapped[int | None] = mapped_column(Integer, default=None)
    item_id: Mapped[int] = mapped_column(Integer)
    # Kept with the row: the item leaves the mirror once it is downloaded, its history stays.
    label: Mapped[str] = mapped_column(String(500), default="")
    score: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    grabbed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Indexed for "grabs today" (widget): a range scan of today's grabs, not of the history.
    grabbed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    imported_at: Mapped[datetime | None] = mapped_column(default=None)


class _StateColumns:
    """The planner's `SearchState` as columns, plus a running count of grabs."""

    last_searched_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    fruitless: Mapped[int] = mapped_column(Integer, default=0)
    last_grabbed_at: Mapped[datetime | None] = mapped_column(default=None)
    released_at_seen: Mapped[datetime | None] = mapped_column(default=None)
    profile_id_seen: Mapped[int | None] = mapped_column(Integer, default=None)
    grabs: Mapped[int] = mapped_column(Integer, default=0)


class SearchItemState(_StateColumns, Base):
    """Search record of one item on one instance, shared by every queue of that instance."""

    __tablename__ = "search_item_state"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SearchSeasonState(_StateColumns, Base):
    """Search record of a season pack, keyed on (series, season), never on an episode id."""

    __tablename__ = "search_season_state"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey(_INSTANCE_FK, ondelete="CASCADE"), primary_key=True
    )
    series_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season_number: Mapped[int] = mapped_column(Integer, primary_key=True)


class Exclusion(Base):
    """An item (`scope` "item") or a whole series/artist/author (`scope` "parent"; a movie is
    excluded as an item) kept out of every queue of its instance until `expires_at` (None:
    permanently)."""

    __tablename__ = "exclusion"
    __table_args__ = (UniqueConstraint("instance_id", "scope", "arr_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey(_INSTANCE_FK, ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(10))
    arr_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
