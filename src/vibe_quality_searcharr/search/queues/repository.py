"""Every query of the queues domain.

Listing joins each queue with its instance (name, app, enabled) and the instance's health pause,
so a page of queues is one query, whatever its size.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.instances.models import Instance, InstanceHealth
from vibe_quality_searcharr.library.models import LibraryProfile, LibraryTag
from vibe_quality_searcharr.search.models import SearchCycleItem, SearchQueue

__all__ = ["QueueFilters", "QueueRepository", "QueueRow"]


@dataclass(frozen=True)
class QueueFilters:
    instance_id: int | None = None
    enabled: bool | None = None
    paused: bool | None = None


@dataclass(frozen=True)
class QueueRow:
    """A queue with what its read model needs from its instance."""

    queue: SearchQueue
    instance_name: str
    instance_app: str
    instance_enabled: bool
    paused_by_health: bool


def _select_rows() -> Select[SearchQueue, str, str, bool, bool]:
    """Queues with their instance's name, app, enabled flag and health pause."""
    return (
        select(
            SearchQueue,
            Instance.name,
            Instance.app,
            Instance.enabled,
            func.coalesce(InstanceHealth.paused_by_health, False),
        )
        .join(Instance, Instance.id == SearchQueue.instance_id)
        .outerjoin(InstanceHealth, InstanceHealth.instance_id == SearchQueue.instance_id)
    )


def _row(found: Any) -> QueueRow:
    queue, name, app, enabled, paused = found
    return QueueRow(queue, name, app, bool(enabled), bool(paused))


class QueueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, queue_id: int) -> SearchQueue | None:
        return self.session.get(SearchQueue, queue_id)

    def row(self, queue_id: int) -> QueueRow | None:
        found = self.session.execute(_select_rows().where(SearchQueue.id == queue_id)).one_or_none()
        return None if found is None else _row(found)

    def rows(self, queue_ids: Collection[int]) -> list[QueueRow]:
        """Rows of at most a few hundred ids (bulk actions cap them at 500)."""
        found = self.session.execute(
            _select_rows().where(SearchQueue.id.in_(list(queue_ids))).order_by(SearchQueue.id)
        )
        return [_row(row) for row in found]

    def page(self, filters: QueueFilters, offset: int, limit: int) -> tuple[list[QueueRow], int]:
        conditions = []
        if filters.instance_id is not None:
            conditions.append(SearchQueue.instance_id == filters.instance_id)
        if filters.enabled is not None:
            conditions.append(SearchQueue.enabled.is_(filters.enabled))
        if filters.paused is not None:
            conditions.append(SearchQueue.paused.is_(filters.paused))
        total = (
            self.session.scalar(select(func.count()).select_from(SearchQueue).where(*conditions))
            or 0
        )
        found = self.session.execute(
            _select_rows()
            .where(*conditions)
            .order_by(SearchQueue.name, SearchQueue.id)
            .offset(offset)
            .limit(limit)
        )
        return [_row(row) for row in found], total

    def choices(self, limit: int) -> list[tuple[int, str]]:
        """(id, name) by name, for a filter's drop-down: no read model to build per queue."""
        found = self.session.execute(
            select(SearchQueue.id, SearchQueue.name)
            .order_by(SearchQueue.name, SearchQueue.id)
            .limit(limit)
        )
        return [(queue_id, name) for queue_id, name in found]

    def existing_ids(self, queue_ids: Collection[int]) -> set[int]:
        return set(
            self.session.scalars(select(SearchQueue.id).where(SearchQueue.id.in_(list(queue_ids))))
        )

    def get_by_name(self, name: str) -> SearchQueue | None:
        return self.session.scalar(select(SearchQueue).where(SearchQueue.name == name))

    def names_like(self, prefix: str) -> set[str]:
        """Names starting with `prefix` (for picking a free "<name> (copy N)")."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return set(
            self.session.scalars(
                select(SearchQueue.name).where(SearchQueue.name.like(f"{escaped}%", escape="\\"))
            )
        )

    def add(self, queue: SearchQueue) -> SearchQueue:
        self.session.add(queue)
        self.session.flush()
        return queue

    def delete(self, queue: SearchQueue) -> None:
        """History rows keep their data: their queue_id is set NULL by the database."""
        self.session.delete(queue)
        self.session.flush()

    def delete_many(self, queue_ids: Collection[int]) -> None:
        self.session.execute(
            delete(SearchQueue).where(SearchQueue.id.in_(list(queue_ids))),
            execution_options={"synchronize_session": False},
        )
        self.session.expire_all()

    def reset_cycle(self, queue: SearchQueue) -> None:
        """Forget the queue's cycle (its items are ids of the instance it searched before)."""
        self.session.execute(delete(SearchCycleItem).where(SearchCycleItem.queue_id == queue.id))
        queue.cycle_number = None
        queue.cycle_started_at = None

    def instance(self, instance_id: int) -> Instance | None:
        return self.session.get(Instance, instance_id)

    def instance_version(self, instance_id: int) -> str | None:
        return self.session.scalar(
            select(InstanceHealth.version).where(InstanceHealth.instance_id == instance_id)
        )

    def profile_ids(self, instance_id: int) -> dict[int, str]:
        """The mirrored quality profiles of an instance (empty until its first sync)."""
        rows = self.session.execute(
            select(LibraryProfile.arr_id, LibraryProfile.name).where(
                LibraryProfile.instance_id == instance_id
            )
        )
        return dict(rows.all())

    def tag_ids(self, instance_id: int) -> dict[int, str]:
        rows = self.session.execute(
            select(LibraryTag.arr_id, LibraryTag.label).where(LibraryTag.instance_id == instance_id)
        )
        return dict(rows.all())
