"""`make demo` gets one queue per media app whose first run comes two minutes after start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.scheduling.schedules import next_runs, parse_schedule
from vibe_quality_searcharr.search.queues.demo import configure_demo_queues
from vibe_quality_searcharr.search.queues.repository import QueueRepository

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_demo_queues_start_soon_and_are_not_duplicated(
    session: Session, context: AppContext
) -> None:
    sonarr = make_instance(session, context, name="Demo Sonarr")
    radarr = make_instance(session, context, name="Demo Radarr", app="radarr")
    instances = {"Demo Sonarr": sonarr.id, "Demo Radarr": radarr.id}
    first = configure_demo_queues(session, instances, NOW)
    again = configure_demo_queues(session, instances, NOW + timedelta(hours=1))
    assert again == first
    assert len(first) == 2

    repository = QueueRepository(session)
    for queue_id in first:
        queue = repository.get(queue_id)
        assert queue is not None
        assert queue.strategy == "missing"
        upcoming = next_runs(parse_schedule(queue.schedule), NOW, count=2, anchor=queue.created_at)
        assert upcoming[0] == NOW + timedelta(minutes=2)
        assert upcoming[1] - upcoming[0] == timedelta(minutes=5)
