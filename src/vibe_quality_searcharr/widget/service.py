"""The widget summary; "today" starts at 00:00 UTC, like every stored time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from vibe_quality_searcharr.widget.repository import WidgetRepository
from vibe_quality_searcharr.widget.schemas import WidgetRead

__all__ = ["start_of_day", "summary"]


def start_of_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def summary(session: Session, now: datetime) -> WidgetRead:
    repo = WidgetRepository(session)
    start = start_of_day(now)
    missing, cutoff_unmet = repo.wanted()
    health = repo.health_counts()
    return WidgetRead(
        missing=missing,
        cutoff_unmet=cutoff_unmet,
        searches_today=repo.searches_since(start),
        grabs_today=repo.grabs_since(start),
        instances_up=health["up"],
        instances_down=health["down"],
    )
