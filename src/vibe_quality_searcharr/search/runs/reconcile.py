"""Reconciliation: close what a stopped process left open, without ever resending.

- runs left `running` by a process that is gone become `interrupted` (a run whose owner is
  alive, e.g. another replica carrying it out right now, is left alone: `runs.owners`);
- commands left `intent` may or may not have reached the *arr: they are looked up in its
  command list (same name, same ids, queued at or after the intent, less a clock-skew slack)
  and marked `sent` with that id when found, else `unknown`. Never resent: their search records
  were written with the intent, so the items stay in cooldown and the next plan skips them;
- commands left `sent` are polled once; an ended one gets its state and grabs recorded.
Commands of a run a live process is carrying out are that process's business and untouched.

An *arr that cannot be reached leaves its rows as they are; the next start tries again.
Runs at start, before the scheduler, so no new run of this process competes with it; on
PostgreSQL also on the leader's ticks when a run's owner died (`orphaned_runs`), so a dead
leader's run does not stay `running` until some process restarts. One reconciliation at a time
per database (`RunOwners.exclusive`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
import anyio.to_thread
import structlog
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.clients import ArrClient, MediaClient
from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.arr.schemas.common import Command as ArrCommand
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.instances.connection import Connect, ConnectionTarget
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus
from vibe_quality_searcharr.search.planner import App, family_of
from vibe_quality_searcharr.search.runs import recording
from vibe_quality_searcharr.search.runs.owners import LocalOwners, RunOwners
from vibe_quality_searcharr.search.runs.polling import grabbed_ids
from vibe_quality_searcharr.search.runs.repository import pending_commands, running_runs
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = ["ReconcileReport", "orphaned_runs", "reconcile"]

log = structlog.get_logger(__name__)

INTERRUPTED = "the service stopped during this run"
UNKNOWN = (
    "the service stopped after writing this search and before the app confirmed it, and the "
    "app does not list it; it is not sent again"
)


@dataclass
class ReconcileReport:
    interrupted_runs: list[int] = field(default_factory=list)
    found: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)
    unreachable: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Pending:
    id: int
    status: str
    kind: str
    payload: dict[str, Any]
    item_ids: list[int]
    intent_at: datetime
    arr_command_id: int | None
    sent_at: datetime | None


@dataclass
class _Work:
    instance_id: int
    app: App
    target: ConnectionTarget | None
    commands: list[_Pending]


def orphaned_runs(session: Session, owners: RunOwners) -> list[int]:
    """Ids of the `running` runs whose owner is gone (cheap: one probe per other owner)."""
    runs = running_runs(session)
    alive = owners.alive(session, {run.owner for run in runs})
    return [run.id for run in runs if run.owner not in alive]


def _collect(
    session: Session, box: SecretBox, now: datetime, owners: RunOwners
) -> tuple[list[int], list[_Work]]:
    runs = running_runs(session)
    alive = owners.alive(session, {run.owner for run in runs})
    live_runs = {run.id for run in runs if run.owner in alive}
    orphans = [run for run in runs if run.id not in live_runs]
    for run in orphans:
        run.status = RunStatus.INTERRUPTED
        run.finished_at = now
        run.error = INTERRUPTED
    # Now, not at commit: the update waits for an intent being written under the run's row
    # lock (`recording.write_intent`), so the pending commands read next include it.
    session.flush()
    by_instance: dict[int, _Work] = {}
    instances = InstanceService(session, box)
    for row in pending_commands(session):
        if row.run_id is not None and row.run_id in live_runs:
            continue
        if row.instance_id is None:
            recording.mark_unsent(session, row.id, CommandStatus.UNKNOWN, UNKNOWN, now)
            continue
        work = by_instance.get(row.instance_id)
        if work is None:
            instance = instances.repo.get(row.instance_id)
            target = instances.target(instance) if instance is not None else None
            app = App(instance.app) if instance is not None else App.SONARR
            work = by_instance[row.instance_id] = _Work(row.instance_id, app, target, [])
        work.commands.append(
            _Pending(row.id, row.status, row.kind, dict(row.payload), list(row.item_ids),
                     row.intent_at, row.arr_command_id, row.sent_at)
        )  # fmt: skip
    return [run.id for run in orphans], list(by_instance.values())


def _matches(pending: _Pending, command: ArrCommand, slack: timedelta) -> bool:
    if command.name != pending.kind:
        return False
    if command.queued is not None and command.queued < pending.intent_at - slack:
        return False
    for key, value in pending.payload.items():
        if key == "name":
            continue
        found = command.body.get(key)
        if isinstance(value, list):
            if not isinstance(found, list) or sorted(found) != sorted(value):
                return False
        elif found != value:
            return False
    return True


def _find(
    pending: _Pending, listed: Sequence[ArrCommand], claimed: set[int], slack: timedelta
) -> ArrCommand | None:
    candidates = [c for c in listed if c.id not in claimed and _matches(pending, c, slack)]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.queued or pending.intent_at, c.id))


async def reconcile(
    database: Database,
    box: SecretBox,
    connect: Connect,
    *,
    clock: Callable[[], datetime] = utcnow,
    slack: timedelta = timedelta(minutes=5),
    owners: RunOwners | None = None,
) -> ReconcileReport:
    """Without `owners` every `running` run counts as orphaned (one process, at its start)."""
    owners = owners or LocalOwners()
    guard = owners.exclusive()  # may wait on another replica's reconciliation: off the loop
    entered = await anyio.to_thread.run_sync(guard.__enter__)
    try:
        if not entered:
            return ReconcileReport()
        return await _reconcile(database, box, connect, clock, slack, owners)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(guard.__exit__, None, None, None)


async def _reconcile(
    database: Database,
    box: SecretBox,
    connect: Connect,
    clock: Callable[[], datetime],
    slack: timedelta,
    owners: RunOwners,
) -> ReconcileReport:
    report = ReconcileReport()

    def collect() -> tuple[list[int], list[_Work]]:
        with database.session_scope() as session:
            return _collect(session, box, clock(), owners)

    report.interrupted_runs, works = await anyio.to_thread.run_sync(collect)
    for work in works:
        await _reconcile_instance(database, connect, work, report, clock, slack)
    if report.interrupted_runs:

        def recount() -> None:
            with database.session_scope() as session:
                for run_id in report.interrupted_runs:
                    recording.finish_run(
                        session, run_id, RunStatus.INTERRUPTED, clock(), error=INTERRUPTED
                    )

        await anyio.to_thread.run_sync(recount)
    log.info(
        "search_reconciled",
        interrupted_runs=len(report.interrupted_runs),
        found=len(report.found),
        unknown=len(report.unknown),
        finished=len(report.finished),
    )
    return report


async def _reconcile_instance(
    database: Database,
    connect: Connect,
    work: _Work,
    report: ReconcileReport,
    clock: Callable[[], datetime],
    slack: timedelta,
) -> None:
    def db(function: Callable[..., Any], *args: Any) -> Any:
        def run() -> Any:
            with database.session_scope() as session:
                return function(session, *args)

        return anyio.to_thread.run_sync(run)

    if work.target is None:
        for pending in work.commands:
            if pending.status == CommandStatus.INTENT:
                await db(recording.mark_unsent, pending.id, CommandStatus.UNKNOWN, UNKNOWN, clock())
                report.unknown.append(pending.id)
        return
    try:
        client: ArrClient = await connect(work.target)
    except Exception:
        report.unreachable.append(work.instance_id)
        return
    async with client:
        try:
            listed = await client.commands()
        except ArrError as exc:
            log.warning(
                "search_reconcile_unreachable", instance_id=work.instance_id, detail=exc.detail
            )
            report.unreachable.append(work.instance_id)
            return
        claimed = {p.arr_command_id for p in work.commands if p.arr_command_id is not None}
        to_poll: list[tuple[int, int, datetime]] = []
        for pending in work.commands:
            if pending.status == CommandStatus.SENT and pending.arr_command_id is not None:
                to_poll.append(
                    (pending.id, pending.arr_command_id, pending.sent_at or pending.intent_at)
                )
                continue
            match = _find(pending, listed, claimed, slack)
            if match is None:
                await db(recording.mark_unsent, pending.id, CommandStatus.UNKNOWN, UNKNOWN, clock())
                report.unknown.append(pending.id)
                continue
            claimed.add(match.id)
            await db(recording.mark_sent, pending.id, match, match.queued or clock())
            report.found.append(pending.id)
            to_poll.append((pending.id, match.id, match.queued or pending.intent_at))
        for row_id, arr_id, since in to_poll:
            await _poll_once(db, client, work, row_id, arr_id, since, report, clock)


async def _poll_once(
    db: Callable[..., Any],
    client: ArrClient,
    work: _Work,
    row_id: int,
    arr_id: int,
    since: datetime,
    report: ReconcileReport,
    clock: Callable[[], datetime],
) -> None:
    try:
        state = await client.command(arr_id)
        if not state.is_finished:
            return
        grabbed: set[int] = set()
        if isinstance(client, MediaClient):
            ids = await db(recording.command_item_ids, row_id)
            grabbed = await grabbed_ids(client, family_of(work.app), state.queued or since, ids)
    except ArrError as exc:
        log.warning("search_reconcile_poll_failed", command_id=row_id, detail=exc.detail)
        return
    await db(recording.finish_command, row_id, state, grabbed, clock())
    report.finished.append(row_id)
