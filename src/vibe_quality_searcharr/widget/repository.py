"""The widget's counts, each one aggregate query the database computes (no rows loaded).

Today's searches are a range scan of the index on `search_command.intent_at`, today's grabs one
of the index on `search_command_item.grabbed_at`: both cost what today holds, not the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.instances.models import HealthStatus, Instance, InstanceHealth
from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.search.models import CommandStatus, SearchCommand, SearchCommandItem

__all__ = ["WidgetRepository"]


class WidgetRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def wanted(self) -> tuple[int, int]:
        """(missing, cutoff unmet) over the whole mirror."""
        row = self.session.execute(
            select(
                func.coalesce(func.sum(LibraryItem.missing.cast(Integer)), 0),
                func.coalesce(func.sum(LibraryItem.cutoff_unmet.cast(Integer)), 0),
            )
        ).one()
        return int(row[0]), int(row[1])

    def searches_since(self, start: datetime) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(SearchCommand)
                .where(SearchCommand.intent_at >= start)
                .where(SearchCommand.status != CommandStatus.NOT_SENT)
            )
            or 0
        )

    def grabs_since(self, start: datetime) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(SearchCommandItem)
                .where(SearchCommandItem.grabbed_at >= start)
                .where(SearchCommandItem.grabbed.is_(True))
            )
            or 0
        )

    def health_counts(self) -> dict[str, int]:
        """Enabled instances by health status."""
        rows = self.session.execute(
            select(InstanceHealth.status, func.count())
            .join(Instance, Instance.id == InstanceHealth.instance_id)
            .where(Instance.enabled.is_(True))
            .group_by(InstanceHealth.status)
        ).all()
        counts = {status: int(count) for status, count in rows}
        return {
            "up": counts.get(HealthStatus.HEALTHY, 0),
            "down": counts.get(HealthStatus.UNHEALTHY, 0),
        }
