"""A sync killed with its process leaves its state `running`; the next start (SQLite: one
process owns the file) releases it, so the library is synced again at once instead of being
refused for `STALE_AFTER`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.library.conftest import add_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.library.jobs import install_library_sync
from vibe_quality_searcharr.library.models import LibrarySyncState, SyncStatus
from vibe_quality_searcharr.library.sync import (
    INTERRUPTED_SYNC,
    SyncAlreadyRunning,
    SyncOutcome,
    release_interrupted_syncs,
)
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def _left_running(context: AppContext, instance_id: int) -> None:
    with context.database.session_scope() as session:
        session.add(
            LibrarySyncState(
                instance_id=instance_id,
                status=SyncStatus.RUNNING,
                started_at=utcnow(),
                phase="wanted",
                item_count=0,
                api_calls=0,
            )
        )


def _state(context: AppContext, instance_id: int) -> LibrarySyncState:
    with context.database.session_scope() as session:
        state = session.get(LibrarySyncState, instance_id)
        assert state is not None
        session.expunge(state)
        return state


def test_a_sync_left_running_by_a_dead_process_is_released_at_start(
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    run_sync: Callable[[int], SyncOutcome],
) -> None:
    if context.database.backend != "sqlite":
        pytest.skip("on PostgreSQL another replica may really be syncing")
    instance_id = add_instance(context, sonarr_simulator)
    _left_running(context, instance_id)
    with pytest.raises(SyncAlreadyRunning):
        run_sync(instance_id)

    assert release_interrupted_syncs(context.database, utcnow()) == [instance_id]
    released = _state(context, instance_id)
    assert released.status == SyncStatus.FAILED
    assert released.last_error == INTERRUPTED_SYNC

    outcome = run_sync(instance_id)
    assert outcome.ok
    assert outcome.items > 0
    assert _state(context, instance_id).status == SyncStatus.OK


def test_postgres_keeps_a_running_sync_of_another_replica(context: AppContext) -> None:
    if context.database.backend == "sqlite":
        pytest.skip("PostgreSQL only")
    assert release_interrupted_syncs(context.database, utcnow()) == []


def test_the_scheduler_start_releases_it(
    context: AppContext, sonarr_simulator: RunningSimulator
) -> None:
    if context.database.backend != "sqlite":
        pytest.skip("on PostgreSQL another replica may really be syncing")
    instance_id = add_instance(context, sonarr_simulator)
    _left_running(context, instance_id)
    install_library_sync(context)

    async def start_and_stop() -> None:
        context.scheduler.start()
        context.scheduler.shutdown()

    asyncio.run(start_and_stop())
    assert _state(context, instance_id).status == SyncStatus.FAILED
