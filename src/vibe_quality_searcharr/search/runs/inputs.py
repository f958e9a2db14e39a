"""Everything a plan is made from, gathered the same way for a preview and for a run, so that
the preview is exactly the plan the next run executes (same inputs, same seed, same `now`).

The database part (`load_inputs`) is synchronous and runs off the event loop; the *arr part
(`fetch_activity`) asks the app what it is downloading and how many searches it has pending.
`budget_for` is where indexer budgets plug in: the instance's own caps against this program's
recent searches, and the limits of the Prowlarr indexers behind it (`read_budget` reads
Prowlarr, once per run or preview).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.clients import MediaClient
from vibe_quality_searcharr.arr.schemas.common import CommandStatus as ArrCommandStatus
from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.instances.connection import Connect, ConnectionTarget
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.library.loading import load_library
from vibe_quality_searcharr.search.budgets.latest import ProwlarrViews
from vibe_quality_searcharr.search.budgets.service import (
    active_backoff,
    load_snapshot,
    prowlarr_target,
    read_prowlarr_into,
)
from vibe_quality_searcharr.search.budgets.snapshot import BudgetSnapshot
from vibe_quality_searcharr.search.exclusions.loading import load_exclusions
from vibe_quality_searcharr.search.history.repository import load_history
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.planner import (
    App,
    ArrActivity,
    Budget,
    Exclusions,
    Family,
    History,
    Item,
    Library,
    Plan,
    QueueSettings,
    family_of,
    plan,
)
from vibe_quality_searcharr.search.planner.texts import at
from vibe_quality_searcharr.search.queues.options import QueueOptions, queue_settings, run_seed
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = [
    "ITEM_ID_FIELDS",
    "PauseHold",
    "PlanInputs",
    "budget_for",
    "fetch_activity",
    "load_inputs",
    "make_plan",
    "pause_hold",
    "read_budget",
]

# Which id of a download-queue or history record names the queue's item, per family.
ITEM_ID_FIELDS: Mapping[Family, str] = {
    Family.EPISODE: "episode_id",
    Family.MOVIE: "movie_id",
    Family.ALBUM: "album_id",
    Family.BOOK: "book_id",
}


@dataclass(frozen=True, slots=True)
class PauseHold:
    """A hold the planner cannot see: the queue or its instance is stopped."""

    code: str
    text: str


@dataclass(frozen=True)
class PlanInputs:
    queue_id: int
    queue_name: str
    run_count: int
    strategy: str
    order: str
    enabled: bool
    paused: bool
    options: QueueOptions
    instance_id: int
    instance_name: str
    instance_enabled: bool
    paused_by_health: bool
    health_error: str | None
    app: App
    target: ConnectionTarget
    settings: QueueSettings
    library: Library
    history: History
    exclusions: Exclusions
    budget: BudgetSnapshot
    prowlarr: ConnectionTarget | None
    backoff: PauseHold | None

    @property
    def family(self) -> Family:
        return family_of(self.app)

    @property
    def next_seed(self) -> int:
        return run_seed(self.queue_id, self.run_count + 1)

    def items_by_id(self, ids: frozenset[int]) -> dict[int, Item]:
        return {item.id: item for item in self.library.items if item.id in ids}


def load_queue(session: Session, queue_id: int) -> SearchQueue:
    queue = session.get(SearchQueue, queue_id)
    if queue is None:
        raise NotFound(f"queue {queue_id} not found")
    return queue


def load_inputs(session: Session, queue_id: int, now: datetime, box: SecretBox) -> PlanInputs:
    queue = load_queue(session, queue_id)
    instances = InstanceService(session, box)
    instance = instances.get(queue.instance_id)
    if instance.app == "prowlarr":
        raise NotFound(f"instance {instance.name} is a Prowlarr; it has nothing to search")
    health = InstanceRepository(session).health(instance.id)
    app = App(instance.app)
    return PlanInputs(
        queue_id=queue.id,
        queue_name=queue.name,
        run_count=queue.run_count,
        strategy=queue.strategy,
        order=queue.order,
        enabled=queue.enabled,
        paused=queue.paused,
        options=QueueOptions.model_validate(queue.options or {}),
        instance_id=instance.id,
        instance_name=instance.name,
        instance_enabled=instance.enabled,
        paused_by_health=bool(health and health.paused_by_health),
        health_error=health.last_error if health else None,
        app=app,
        target=instances.target(instance),
        settings=queue_settings(queue),
        library=load_library(session, instance.id, app),
        history=load_history(session, instance.id, queue),
        exclusions=load_exclusions(session, instance.id, now),
        budget=load_snapshot(session, instance.id, now),
        prowlarr=prowlarr_target(session, box, instance.id),
        backoff=_backoff_hold(session, instance.id, instance.name, now),
    )


def _backoff_hold(session: Session, instance_id: int, name: str, now: datetime) -> PauseHold | None:
    backoff = active_backoff(session, instance_id, now)
    if backoff is None:
        return None
    return PauseHold(
        "instance_backoff",
        f"instance {name} asked to wait (429) until {at(backoff.until)}: {backoff.reason}",
    )


def pause_hold(inputs: PlanInputs) -> PauseHold | None:
    """Why a run of this queue would send nothing whatever the plan says."""
    if inputs.paused_by_health:
        why = f": {inputs.health_error}" if inputs.health_error else ""
        return PauseHold(
            "instance_paused",
            f"instance {inputs.instance_name} is paused by its health checks{why}",
        )
    if not inputs.instance_enabled:
        return PauseHold("instance_disabled", f"instance {inputs.instance_name} is disabled")
    if not inputs.enabled:
        return PauseHold("queue_disabled", f"queue {inputs.queue_name} is disabled")
    if inputs.paused:
        return PauseHold("queue_paused", f"queue {inputs.queue_name} is paused")
    return inputs.backoff


async def fetch_activity(client: MediaClient[Any], family: Family) -> ArrActivity:
    """Ids downloading now, the download queue's length and the unfinished search commands."""
    field = ITEM_ID_FIELDS[family]
    records = await client.queue()
    queued = frozenset(value for record in records if (value := getattr(record, field)) is not None)
    commands = await client.commands()
    unfinished = sum(
        1
        for command in commands
        if command.status in ArrCommandStatus.UNFINISHED and command.name.endswith("Search")
    )
    return ArrActivity(queued, len(records), unfinished)


async def read_budget(
    inputs: PlanInputs, connect: Connect, now: datetime, views: ProwlarrViews | None = None
) -> None:
    """Read the Prowlarr indexers behind the instance into the run's budget snapshot (and,
    with `views`, keep it for the dashboard's budget bars)."""
    if inputs.prowlarr is not None:
        await read_prowlarr_into(
            inputs.budget,
            inputs.prowlarr,
            connect,
            app=inputs.app.value,
            url=inputs.target.url,
            now=now,
            views=views,
            instance_id=inputs.instance_id,
        )


def budget_for(inputs: PlanInputs, now: datetime) -> Budget:
    """Every limit in force now, with what this run has already spent."""
    return inputs.budget.budget(now)


def make_plan(
    inputs: PlanInputs, activity: ArrActivity, budget: Budget, *, now: datetime, seed: int
) -> Plan:
    return plan(
        inputs.library,
        inputs.settings,
        now=now,
        seed=seed,
        history=inputs.history,
        exclusions=inputs.exclusions,
        activity=activity,
        budget=budget,
    )
