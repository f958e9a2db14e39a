"""The delayed re-check against the simulator: imports recorded, late grabs counted once,
the backoff reset, one `grab.confirmed` per run, every command re-checked once; and the
leader-only gate and the `budget.low` event once per window."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.search.harness import setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.budgets.limits import Spend
from vibe_quality_searcharr.search.budgets.snapshot import BudgetSnapshot
from vibe_quality_searcharr.search.budgets.usage import BudgetWatch
from vibe_quality_searcharr.search.feedback.recheck import Recheck
from vibe_quality_searcharr.search.models import (
    SearchCommand,
    SearchCommandItem,
    SearchItemState,
    SearchRun,
)
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def test_recheck_records_imports_and_late_grabs_once(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=60)
    setup = setup_search(
        context,
        sim,
        batch_size=3,
        options={"ids_per_command": 1, "season_packs": {"enabled": False}},
    )
    setup.tune(findProbability=1.0, importDelay=300.0)
    run_id, status = setup.run()
    assert status == "completed"
    first_grabs = setup.run_row(run_id).grabbed
    assert first_grabs == 3
    # As if the first look had missed one grab (it landed after the history was read).
    with context.database.session_scope() as session:
        late = session.scalars(
            select(SearchCommandItem)
            .join(SearchCommand, SearchCommand.id == SearchCommandItem.command_id)
            .where(SearchCommand.run_id == run_id)
            .order_by(SearchCommandItem.id)
        ).first()
        assert late is not None
        late_id = late.item_id
        late.grabbed, late.grabbed_at = False, None
        command = session.get(SearchCommand, late.command_id)
        assert command is not None
        command.grabbed -= 1
        run = session.get(SearchRun, run_id)
        assert run is not None
        run.grabbed -= 1
        state = session.get(SearchItemState, (setup.instance_id, late_id))
        assert state is not None
        state.fruitless, grabs_before = 2, state.grabs
    events: list[Event] = []
    bus = EventBus()
    bus.add_listener(events.append)
    recheck = Recheck(
        database=context.database,
        events=bus,
        box=api_key_box(context.secrets.master_secret),
        connect=Connector().connect,
        clock=sim.clock.now,
        delay=timedelta(minutes=15),
    )

    early = asyncio.run(recheck.run_once())
    assert early.commands == 0  # not 15 minutes yet

    sim.advance(16 * 60)
    report = asyncio.run(recheck.run_once())

    assert report.commands == 3
    assert report.new_grabs == 1
    assert report.imports == 3
    assert setup.run_row(run_id).grabbed == first_grabs
    with context.database.session_scope() as session:
        items = session.scalars(
            select(SearchCommandItem)
            .join(SearchCommand, SearchCommand.id == SearchCommandItem.command_id)
            .where(SearchCommand.run_id == run_id)
        ).all()
        assert all(item.grabbed and item.imported_at is not None for item in items)
        state = session.get(SearchItemState, (setup.instance_id, late_id))
        assert state is not None
        assert state.fruitless == 0
        assert state.grabs == grabs_before + 1
        others = session.scalars(
            select(SearchItemState).where(
                SearchItemState.instance_id == setup.instance_id,
                SearchItemState.item_id != late_id,
            )
        ).all()
        assert all(row.grabs == 1 for row in others)  # the first look's grabs: not again
    confirmed = [event for event in events if event.kind == "grab.confirmed"]
    assert len(confirmed) == 1
    assert confirmed[0].data["run_id"] == run_id
    assert confirmed[0].data["count"] == 1

    again = asyncio.run(recheck.run_once())
    assert again.commands == 0
    assert again.new_grabs == 0


def test_leader_only_jobs_do_nothing_on_a_follower() -> None:
    scheduler = Scheduler()
    calls: list[str] = []

    async def job() -> None:
        calls.append("ran")

    guarded = scheduler.leader_only(job)
    asyncio.run(guarded())
    leading = {"now": False}
    scheduler.leader_check = lambda: leading["now"]
    asyncio.run(guarded())
    leading["now"] = True
    asyncio.run(guarded())
    assert calls == ["ran", "ran"]


class _Gauges:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], tuple[int, int | None]] = {}

    def set_budget_used(self, indexer: str, limit: str, used: int, maximum: int | None) -> None:
        self.values[(indexer, limit)] = (used, maximum)


def test_budget_low_is_published_once_per_window() -> None:
    now = datetime(2025, 1, 1, 12, tzinfo=UTC)
    events: list[Event] = []
    bus = EventBus()
    bus.add_listener(events.append)
    gauges = _Gauges()
    watch = BudgetWatch(bus, gauges)
    snapshot = BudgetSnapshot(hourly_cap=10, daily_cap=None, spent=[], read_at=now)

    for minute in range(9):
        snapshot.spend(now + timedelta(minutes=minute), 1)
        watch.observe(1, "Sonarr", snapshot, now + timedelta(minutes=minute))
    low = [event for event in events if event.kind == "budget.low"]
    assert len(low) == 1  # crossed 80 % at the 8th query; the 9th does not announce again
    assert low[0].data["used"] == 8
    assert low[0].data["limit"] == 10
    assert gauges.values[("Sonarr", "hour")] == (9, 10)

    later = now + timedelta(hours=2)
    snapshot.spent = [Spend(later - timedelta(minutes=m), 1) for m in range(9)]
    snapshot.since_read = []
    watch.observe(1, "Sonarr", snapshot, later)
    assert len([event for event in events if event.kind == "budget.low"]) == 2  # a new window
