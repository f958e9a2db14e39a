"""Every query of the notifications domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.notifications.models import NotificationTarget

__all__ = ["NotificationRepository"]


class NotificationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, target_id: int) -> NotificationTarget | None:
        return self.session.get(NotificationTarget, target_id)

    def get_by_name(self, name: str) -> NotificationTarget | None:
        return self.session.scalar(
            select(NotificationTarget).where(NotificationTarget.name == name)
        )

    def page(self, offset: int, limit: int) -> tuple[Sequence[NotificationTarget], int]:
        total = self.session.scalar(select(func.count()).select_from(NotificationTarget)) or 0
        rows = self.session.scalars(
            select(NotificationTarget)
            .order_by(NotificationTarget.name, NotificationTarget.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return rows, total

    def enabled(self) -> Sequence[NotificationTarget]:
        """Every enabled target; a handful per install, so filtering by event is done in Python
        (the subscriptions are a JSON list, which SQLite and PostgreSQL query differently)."""
        return self.session.scalars(
            select(NotificationTarget)
            .where(NotificationTarget.enabled.is_(True))
            .order_by(NotificationTarget.id)
        ).all()

    def add(self, target: NotificationTarget) -> NotificationTarget:
        self.session.add(target)
        self.session.flush()
        return target

    def delete(self, target: NotificationTarget) -> None:
        self.session.delete(target)
        self.session.flush()
