"""The executor's database steps, one transaction each (the executor commits after each one).

The order is what makes a search exactly-once: `write_intent` (with the search records, so the
items are in cooldown from that moment) is committed before the *arr is called, and `mark_sent`
right after it answered. A process that dies between the two leaves an `intent` row, which the
start-up reconciliation looks up on the *arr and never resends.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.schemas.common import Command as ArrCommand
from vibe_quality_searcharr.arr.schemas.common import CommandStatus as ArrStatus
from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.search.history.repository import replace_cycle
from vibe_quality_searcharr.search.history.service import (
    CoveredItems,
    record_command_outcome,
    record_command_search,
)
from vibe_quality_searcharr.search.models import (
    CommandStatus,
    RunStatus,
    SearchCommand,
    SearchCommandItem,
    SearchQueue,
    SearchRun,
)
from vibe_quality_searcharr.search.planner import Command, Plan, SeasonKey
from vibe_quality_searcharr.search.queues.options import run_seed
from vibe_quality_searcharr.search.runs.inputs import PlanInputs, load_queue
from vibe_quality_searcharr.search.runs.preview import command_label
from vibe_quality_searcharr.search.runs.repository import command_items, commands_of_run

__all__ = [
    "RunClosed",
    "command_item_ids",
    "create_run",
    "finish_command",
    "finish_run",
    "load_run",
    "mark_sent",
    "mark_unsent",
    "run_seed_of",
    "run_status_of",
    "write_intent",
    "write_not_sent",
    "written_positions",
]


def create_run(
    session: Session, queue_id: int, trigger: str, now: datetime, owner: str | None = None
) -> SearchRun:
    """A new run of the queue; its number (and so its seed) is the queue's next one, which is
    the seed the preview showed. `owner` is the process carrying it out (`runs.owners`)."""
    queue = load_queue(session, queue_id)
    instance = InstanceRepository(session).get(queue.instance_id)
    queue.run_count = (queue.run_count or 0) + 1
    run = SearchRun(
        queue_id=queue.id,
        queue_name=queue.name,
        instance_id=queue.instance_id,
        instance_name=instance.name if instance else "",
        strategy=queue.strategy,
        order=queue.order,
        seed=run_seed(queue.id, queue.run_count),
        trigger=trigger,
        status=RunStatus.RUNNING,
        started_at=now,
        owner=owner,
    )
    session.add(run)
    session.flush()
    return run


def _new_command(
    run_id: int,
    inputs: PlanInputs,
    command: Command,
    position: int,
    labels: Mapping[int, str],
    status: str,
    now: datetime,
) -> SearchCommand:
    return SearchCommand(
        run_id=run_id,
        queue_id=inputs.queue_id,
        queue_name=inputs.queue_name,
        instance_id=inputs.instance_id,
        instance_name=inputs.instance_name,
        strategy=inputs.strategy,
        kind=command.kind.value,
        payload=command.payload(),
        item_ids=list(command.ids),
        series_id=command.season.series_id if command.season else None,
        season_number=command.season.season_number if command.season else None,
        position=position,
        score=command.score,
        reason=command.reason,
        label=command_label(command, labels)[:500],
        status=status,
        intent_at=now,
    )


def _add_items(
    session: Session, row: SearchCommand, command: Command, labels: Mapping[int, str]
) -> None:
    session.add_all(
        SearchCommandItem(
            command_id=row.id,
            instance_id=row.instance_id,
            item_id=item.item_id,
            label=labels.get(item.item_id, f"#{item.item_id}")[:500],
            score=item.score,
            reason=item.reason,
            grabbed=False,
        )
        for item in command.items
    )


class RunClosed(Exception):
    """The run is no longer `running`: another replica's reconciliation closed it, believing
    this process gone (its owner lock was lost). Nothing more may be sent for it."""


def write_intent(
    session: Session,
    run_id: int,
    inputs: PlanInputs,
    plan: Plan,
    position: int,
    labels: Mapping[int, str],
    now: datetime,
) -> int:
    """The command row (status intent), its items, the search records and the cycle. The run
    row is locked and checked first: a run a reconciliation closed sends nothing more, and a
    reconciliation that comes second waits on that lock and then sees this intent."""
    run = session.get(SearchRun, run_id, with_for_update=True)
    if run is None or run.status != RunStatus.RUNNING:
        raise RunClosed(f"run {run_id} was closed elsewhere")
    command = plan.commands[position]
    row = _new_command(run_id, inputs, command, position, labels, CommandStatus.INTENT, now)
    session.add(row)
    session.flush()
    _add_items(session, row, command, labels)
    by_id = inputs.items_by_id(frozenset(command.ids))
    season_info = inputs.library.seasons.get(command.season) if command.season else None
    covered = CoveredItems(
        tuple(by_id[item_id] for item_id in command.ids if item_id in by_id),
        command.season,
        season_info,
    )
    record_command_search(session, inputs.instance_id, covered, at=now)
    if plan.cycle is not None:
        queue = session.get(SearchQueue, inputs.queue_id)
        if queue is not None:
            replace_cycle(session, queue, plan.cycle, command.ids)
    session.flush()
    return row.id


def write_not_sent(
    session: Session,
    run_id: int,
    inputs: PlanInputs,
    plan: Plan,
    positions: Sequence[int],
    labels: Mapping[int, str],
    message: str,
    now: datetime,
) -> None:
    """Commands of the plan the run never got to (an error or a shutdown stopped it)."""
    for position in positions:
        command = plan.commands[position]
        row = _new_command(run_id, inputs, command, position, labels, CommandStatus.NOT_SENT, now)
        row.message = message
        row.finished_at = now
        session.add(row)
        session.flush()
        _add_items(session, row, command, labels)


def load_run(session: Session, run_id: int) -> SearchRun:
    run = session.get(SearchRun, run_id)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run


def run_seed_of(session: Session, run_id: int) -> int:
    return load_run(session, run_id).seed


def run_status_of(session: Session, run_id: int) -> str:
    return load_run(session, run_id).status


def written_positions(session: Session, run_id: int) -> set[int]:
    return {row.position for row in commands_of_run(session, run_id)}


def command_item_ids(session: Session, command_id: int) -> list[int]:
    return list(_command(session, command_id).item_ids)


def _command(session: Session, command_id: int) -> SearchCommand:
    row = session.get(SearchCommand, command_id)
    if row is None:
        raise NotFound(f"command {command_id} not found")
    return row


def mark_sent(session: Session, command_id: int, arr: ArrCommand, now: datetime) -> None:
    row = _command(session, command_id)
    row.status = CommandStatus.SENT
    row.arr_command_id = arr.id
    row.arr_status = arr.status
    row.sent_at = now


def mark_unsent(
    session: Session, command_id: int, status: str, message: str, now: datetime
) -> None:
    """The *arr refused the command (failed), or it may have it (unknown), or it never got it
    (not_sent). None of these is ever sent again."""
    row = _command(session, command_id)
    row.status = status
    row.message = message[:4000]
    row.finished_at = now


def finish_command(
    session: Session,
    command_id: int,
    arr: ArrCommand,
    grabbed: Collection[int],
    now: datetime,
) -> None:
    """The *arr's end state and what its history says was grabbed; the search records learn
    the outcome (`record_outcome`)."""
    row = _command(session, command_id)
    row.arr_status = arr.status
    row.arr_result = arr.result
    row.message = (arr.message or arr.exception or "")[:4000] or None
    row.finished_at = arr.ended or now
    row.status = (
        CommandStatus.COMPLETED if arr.status == ArrStatus.COMPLETED else CommandStatus.FAILED
    )
    hits = [item_id for item_id in row.item_ids if item_id in grabbed]
    row.grabbed = len(hits)
    for item in command_items(session, [row.id]).get(row.id, []):
        if item.item_id in grabbed:
            item.grabbed = True
            item.grabbed_at = now
    if row.instance_id is not None:
        season = (
            SeasonKey(row.series_id, row.season_number)
            if row.kind == "SeasonSearch"
            and row.series_id is not None
            and row.season_number is not None
            else None
        )
        record_command_outcome(
            session, row.instance_id, list(row.item_ids), season, set(hits), at=now
        )


def finish_run(
    session: Session,
    run_id: int,
    status: str,
    now: datetime,
    *,
    plan: Plan | None = None,
    summary: str | None = None,
    hold_code: str | None = None,
    error: str | None = None,
) -> SearchRun:
    """Close the run with counts taken from its command rows (what really happened)."""
    run = load_run(session, run_id)
    commands = commands_of_run(session, run_id)
    sent = [c for c in commands if c.arr_command_id is not None]
    run.status = status
    run.finished_at = now
    run.sent_commands = len(sent)
    run.searches = sum(1 if c.kind == "SeasonSearch" else len(c.item_ids) for c in sent)
    run.grabbed = sum(c.grabbed for c in commands)
    if plan is not None:
        run.planned_commands = len(plan.commands)
        run.planned_items = plan.summary.planned_items
        run.skipped = {code.value: count for code, count in plan.summary.skipped.items()}
    if summary is not None:
        run.summary = summary
    run.hold_code = hold_code
    run.error = error
    queue = session.get(SearchQueue, run.queue_id) if run.queue_id is not None else None
    if queue is not None:
        queue.last_run_at = now
    session.flush()
    return run
