"""Every query of the instances domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from vibe_quality_searcharr.instances.models import Instance, InstanceHealth, InstanceHealthEvent

__all__ = ["InstanceRepository"]


class InstanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, instance_id: int) -> Instance | None:
        return self.session.get(Instance, instance_id)

    def get_by_name(self, name: str) -> Instance | None:
        return self.session.scalar(select(Instance).where(Instance.name == name))

    def page(self, offset: int, limit: int) -> tuple[Sequence[Instance], int]:
        total = self.session.scalar(select(func.count()).select_from(Instance)) or 0
        rows = self.session.scalars(
            select(Instance)
            .options(selectinload(Instance.health))
            .order_by(Instance.name, Instance.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return rows, total

    def enabled(self) -> Sequence[Instance]:
        return self.session.scalars(
            select(Instance).where(Instance.enabled.is_(True)).order_by(Instance.id)
        ).all()

    def add(self, instance: Instance) -> Instance:
        self.session.add(instance)
        self.session.flush()
        return instance

    def delete(self, instance: Instance) -> None:
        self.session.delete(instance)
        self.session.flush()

    def health(self, instance_id: int) -> InstanceHealth | None:
        return self.session.get(InstanceHealth, instance_id)

    def health_for_update(self, instance_id: int) -> InstanceHealth:
        """The health row, created in the 'unknown' state on first use."""
        health = self.session.get(InstanceHealth, instance_id)
        if health is None:
            health = InstanceHealth(instance_id=instance_id)
            self.session.add(health)
            self.session.flush()
        return health

    def paused_instance_ids(self) -> set[int]:
        """Instances whose searching health has paused (down or disk low): queues skip them."""
        return set(
            self.session.scalars(
                select(InstanceHealth.instance_id).where(InstanceHealth.paused_by_health.is_(True))
            )
        )

    def add_health_event(self, event: InstanceHealthEvent) -> None:
        self.session.add(event)
        self.session.flush()

    def health_events(
        self, instance_id: int, offset: int, limit: int
    ) -> tuple[Sequence[InstanceHealthEvent], int]:
        condition = InstanceHealthEvent.instance_id == instance_id
        total = (
            self.session.scalar(
                select(func.count()).select_from(InstanceHealthEvent).where(condition)
            )
            or 0
        )
        rows = self.session.scalars(
            select(InstanceHealthEvent)
            .where(condition)
            .order_by(InstanceHealthEvent.at.desc(), InstanceHealthEvent.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return rows, total
