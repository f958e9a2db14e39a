"""A scheduled slot is claimed by exactly one caller, however many race for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.scheduling.claims import claim_slot, last_claimed_slot
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.queues.options import QueueOptions

SLOT = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def _queue(database: Database, context: AppContext) -> int:
    with database.session_scope() as session:
        instance = make_instance(session, context)
        queue = SearchQueue(
            name="steady",
            instance_id=instance.id,
            strategy="missing",
            order="priority",
            options=QueueOptions().model_dump(),
            schedule={"kind": "interval", "minutes": 60},
        )
        session.add(queue)
        session.flush()
        return queue.id


def _claim(database: Database, queue_id: int, slot: datetime, who: str) -> bool:
    with database.session_scope() as session:
        return claim_slot(session, queue_id, slot, who)


def test_a_slot_is_claimed_once_and_later_slots_move_on(
    database: Database, context: AppContext
) -> None:
    queue_id = _queue(database, context)
    assert _claim(database, queue_id, SLOT, "a")
    assert not _claim(database, queue_id, SLOT, "b")
    assert not _claim(database, queue_id, SLOT - timedelta(hours=1), "b")  # an older slot
    assert _claim(database, queue_id, SLOT + timedelta(hours=1), "b")
    with database.session_scope() as session:
        assert last_claimed_slot(session, queue_id) == SLOT + timedelta(hours=1)


def test_racing_replicas_claim_each_slot_exactly_once(
    database: Database, context: AppContext
) -> None:
    queue_id = _queue(database, context)
    for hour in range(3):
        assert len(_race(database, queue_id, SLOT + timedelta(hours=hour), replicas=6)) == 1


def _race(database: Database, queue_id: int, slot: datetime, *, replicas: int) -> list[str]:
    winners: list[str] = []
    barrier = threading.Barrier(replicas)

    def race(name: str) -> None:
        barrier.wait()
        if _claim(database, queue_id, slot, name):
            winners.append(name)

    threads = [threading.Thread(target=race, args=(f"replica-{n}",)) for n in range(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return winners
