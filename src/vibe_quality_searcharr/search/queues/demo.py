"""The demo's queues: one per simulated media app, so `make demo` searches on its own.

Their schedule is anchored so that the first slot comes about two minutes after start: the
library sync (one minute after start) has filled the mirror by then, and a newcomer sees the
first searches without waiting a whole interval or pressing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from vibe_quality_searcharr.scheduling.schedules import IntervalSchedule
from vibe_quality_searcharr.search.queues.options import QueueOptions
from vibe_quality_searcharr.search.queues.presets import PresetName
from vibe_quality_searcharr.search.queues.repository import QueueRepository
from vibe_quality_searcharr.search.queues.schemas import QueueCreate
from vibe_quality_searcharr.search.queues.service import QueueService

__all__ = ["DEMO_INTERVAL_MINUTES", "configure_demo_queues"]

DEMO_INTERVAL_MINUTES = 5
_FIRST_RUN_AFTER = timedelta(minutes=2)


def configure_demo_queues(
    session: Session, instances: Mapping[str, int], now: datetime
) -> list[int]:
    """Create "Demo <name>: steady missing" for each media instance (name -> id) unless a queue
    of that name exists (the user may have edited it); returns the queue ids."""
    service = QueueService(session)
    repository = QueueRepository(session)
    ids = []
    for name, instance_id in instances.items():
        queue_name = f"{name}: steady missing"
        existing = repository.get_by_name(queue_name)
        if existing is not None:
            ids.append(existing.id)
            continue
        created = service.create(
            QueueCreate(
                name=queue_name,
                instance_id=instance_id,
                preset=PresetName.STEADY_MISSING,
                options=QueueOptions(delay_seconds=2),
                schedule=IntervalSchedule(minutes=DEMO_INTERVAL_MINUTES, jitter_minutes=0),
            )
        )
        queue = repository.get(created.id)
        assert queue is not None
        queue.created_at = now - timedelta(minutes=DEMO_INTERVAL_MINUTES) + _FIRST_RUN_AFTER
        session.flush()
        ids.append(created.id)
    return ids
