"""Puts the queue scheduler on the application: scheduled slots start runs through the run
registry (`search.runs.wiring`), under the leader lock, and the leader reconciles the runs of
replicas that died (`reconcile_orphans`); the jobs that call the *arr apps from
the background (feedback re-check here; health checks and library syncs in their domains) run
on the leader only (`Scheduler.is_leader`), except the Prowlarr budget refresh, which only reads
and feeds each replica's own dashboard. Also hooks the budget watch (metrics and `budget.low`)
into the executor and the queue lag into the metrics."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.scheduling.leader import leader_for
from vibe_quality_searcharr.scheduling.queue_jobs import QueueScheduler
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.budgets.jobs import ProwlarrRefresh
from vibe_quality_searcharr.search.budgets.usage import BudgetWatch
from vibe_quality_searcharr.search.feedback.recheck import Recheck
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.runs.errors import RunInProgress
from vibe_quality_searcharr.search.runs.inputs import PlanInputs
from vibe_quality_searcharr.search.runs.wiring import (
    reconcile_orphans,
    registry_of,
    run_owners_of,
)
from vibe_quality_searcharr.security.clock import app_clock

__all__ = [
    "FEEDBACK_JOB_ID",
    "install_feedback",
    "install_prowlarr_refresh",
    "install_queue_scheduler",
]

log = structlog.get_logger(__name__)
FEEDBACK_JOB_ID = "search-feedback"
FEEDBACK_EVERY = timedelta(minutes=1)


def install_queue_scheduler(
    app: Any, context: AppContext, scheduler: Scheduler | None = None
) -> QueueScheduler:
    """Schedule every queue through the app's run registry (`search.runs.wiring`); the leader
    lock is taken by the first tick and released at shutdown. Call after `install_search_runs`:
    slot claims carry the process's run owner id."""
    scheduler = scheduler or context.scheduler
    database = context.database

    async def start_run(queue_id: int) -> None:
        try:
            await registry_of(app).start(queue_id, trigger="schedule")
        except RunInProgress:
            # Still busy with the previous slot: this slot is folded into it (coalesced).
            log.info("scheduled_run_coalesced", queue_id=queue_id)

    def on_lag(queue_id: int, slot: datetime, started: datetime) -> None:
        with database.session_scope() as session:
            queue = session.get(SearchQueue, queue_id)
            name = queue.name if queue is not None else f"queue {queue_id}"
        context.metrics.observe_queue_lag(name, slot, started)

    async def on_leader_tick(_acquired: bool) -> None:
        # Every leader tick, not only the one that acquired: a dead leader's lock on its run
        # can outlive its leadership lock by a moment, and a non-leader replica can die too.
        await reconcile_orphans(app)

    queue_scheduler = QueueScheduler(
        database,
        leader_for(database),
        start_run,
        clock=lambda: app_clock(app)(),
        tick_seconds=context.settings.scheduler_tick_seconds,
        on_lag=on_lag,
        on_leader_tick=on_leader_tick,
        claimant=run_owners_of(app).me,  # claims and runs name this process alike
    )
    scheduler.on_start(queue_scheduler.install)
    app.state.queue_scheduler = queue_scheduler
    _watch_budgets(app, context)
    app.state.feedback = install_feedback(app, context)
    app.state.prowlarr_refresh = install_prowlarr_refresh(app, context)
    return queue_scheduler


def _watch_budgets(app: Any, context: AppContext) -> None:
    watch = BudgetWatch(context.events, context.metrics)

    def on_budget(inputs: PlanInputs, now: datetime) -> None:
        watch.observe(inputs.instance_id, inputs.instance_name, inputs.budget, now)

    registry_of(app).executor.on_budget = on_budget
    app.state.budget_watch = watch


def install_prowlarr_refresh(app: Any, context: AppContext) -> ProwlarrRefresh:
    """Keep the dashboard's Prowlarr views fresh (`search.budgets.jobs`), through the
    executor's connector so tests and the executor reach the same Prowlarr."""
    executor = registry_of(app).executor
    refresh = ProwlarrRefresh(
        database=context.database,
        box=executor.box,
        connect=executor.connect,
        clock=lambda: app_clock(app)(),
        views=executor.prowlarr_views,
    )
    refresh.install(context.scheduler)
    return refresh


def install_feedback(app: Any, context: AppContext) -> Recheck:
    """The delayed grab/import re-check, every minute on the leader only."""
    executor = registry_of(app).executor
    recheck = Recheck(
        database=context.database,
        events=context.events,
        box=executor.box,
        connect=executor.connect,
        clock=lambda: app_clock(app)(),
        delay=timedelta(minutes=context.settings.feedback_delay_minutes),
    )

    async def job() -> None:
        await recheck.run_once()

    def register(scheduler: Scheduler) -> None:
        scheduler.aps.add_job(
            scheduler.leader_only(job),
            "interval",
            seconds=FEEDBACK_EVERY.total_seconds(),
            id=FEEDBACK_JOB_ID,
            name="Search feedback re-check",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=utcnow() + FEEDBACK_EVERY,
        )

    context.scheduler.on_start(register)
    return recheck
