"""The delayed re-check: some time after a command completed (default 15 min), read the *arr's
history again for grabs and imports of the items it covered.

The executor reads the history right after a command ends, but a grab often lands minutes later
(the *arr waits for its indexers, a download client accepts late) and an import always does.
This re-check records what the first look could not see:

- per item: `grabbed`/`grabbed_at` for grabs first seen now, `imported_at` for imports;
- per command and per run: `grabbed` counts gain the new grabs only;
- the search records: a grab first seen now resets the backoff (`planner.record_outcome`);
  an item the first look already saw grabbed is not counted again;
- one `grab.confirmed` event per run that gained grabs (a summary, not one per item).

Each command is re-checked once (`search_command.rechecked_at`), by the leader replica only.
Database work is synchronous and runs off the event loop; the caller commits nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio.to_thread
import structlog
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.clients import MediaClient
from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.arr.schemas.common import HistoryRecord
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.connection import Connect, ConnectionTarget
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.instances.urls import BlockedAddress
from vibe_quality_searcharr.search.feedback.repository import commands_due, items_of
from vibe_quality_searcharr.search.history.repository import (
    item_state_rows,
    season_state_row,
    to_search_state,
)
from vibe_quality_searcharr.search.models import (
    SearchCommand,
    SearchItemState,
    SearchRun,
    SearchSeasonState,
)
from vibe_quality_searcharr.search.planner import App, SeasonKey, family_of, record_outcome
from vibe_quality_searcharr.search.runs.inputs import ITEM_ID_FIELDS
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = ["DEFAULT_DELAY", "GIVE_UP_AFTER", "Found", "Recheck", "RecheckReport", "apply_found"]

log = structlog.get_logger(__name__)
DEFAULT_DELAY = timedelta(minutes=15)
# An instance unreachable this long after a command's re-check was due: the command is marked
# re-checked with nothing found, so one dead *arr does not hold the batch forever.
GIVE_UP_AFTER = timedelta(days=1)
# The history is read from a little before our own send time: the two hosts' clocks may differ.
_SKEW = timedelta(minutes=1)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _Due:
    id: int
    instance_id: int
    since: datetime
    finished_at: datetime | None


@dataclass
class Found:
    """Per covered item id, the first grab and import dates in the *arr's history."""

    grabbed: dict[int, datetime] = field(default_factory=dict)
    imported: dict[int, datetime] = field(default_factory=dict)


@dataclass
class RecheckReport:
    commands: int = 0
    new_grabs: int = 0
    imports: int = 0
    runs: dict[int, int] = field(default_factory=dict)  # run id -> grabs first seen now


def classify(records: Sequence[HistoryRecord], id_field: str) -> list[tuple[str, int, datetime]]:
    """(kind, item id, date) of every grab and import record; kind is "grabbed"/"imported"."""
    found: list[tuple[str, int, datetime]] = []
    for record in records:
        event = (record.event_type or "").lower()
        kind = "grabbed" if event == "grabbed" else "imported" if event.endswith("imported") else ""
        item_id = getattr(record, id_field)
        if kind and isinstance(item_id, int) and record.date is not None:
            found.append((kind, item_id, record.date))
    return found


def _found_for(events: list[tuple[str, int, datetime]], since: datetime) -> Found:
    found = Found()
    for kind, item_id, date in sorted(events, key=lambda e: e[2]):
        if date < since:
            continue
        target = found.grabbed if kind == "grabbed" else found.imported
        target.setdefault(item_id, date)
    return found


def _store(row: SearchItemState | SearchSeasonState, at: datetime) -> None:
    state = record_outcome(to_search_state(row), grabbed=True, at=at)
    row.fruitless = state.fruitless
    row.last_grabbed_at = state.last_grabbed_at
    row.grabs += 1


def apply_found(
    session: Session, command: SearchCommand, found: Found, now: datetime, report: RecheckReport
) -> int:
    """Record one command's re-check; returns the grabs first seen now."""
    items = items_of(session, [command.id]).get(command.id, [])
    had_grab = command.grabbed > 0
    new: list[tuple[int, datetime]] = []
    for item in items:
        grabbed_at = found.grabbed.get(item.item_id)
        if grabbed_at is not None and not item.grabbed:
            item.grabbed, item.grabbed_at = True, grabbed_at
            new.append((item.item_id, grabbed_at))
        imported_at = found.imported.get(item.item_id)
        if imported_at is not None and item.imported_at is None:
            item.imported_at = imported_at
            report.imports += 1
    command.rechecked_at = now
    report.commands += 1
    if not new:
        return 0
    command.grabbed += len(new)
    if command.run_id is not None:
        run = session.get(SearchRun, command.run_id)
        if run is not None:
            run.grabbed += len(new)
        report.runs[command.run_id] = report.runs.get(command.run_id, 0) + len(new)
    report.new_grabs += len(new)
    instance_id = command.instance_id
    assert instance_id is not None
    first_at = min(at for _, at in new)
    if command.kind == "SeasonSearch" and command.series_id is not None:
        # A pack's record is one row: reset once, and only if the first look saw no grab.
        key = SeasonKey(command.series_id, command.season_number or 0)
        row = season_state_row(session, instance_id, key)
        if row is not None and not had_grab:
            _store(row, first_at)
        return len(new)
    rows = item_state_rows(session, instance_id, [item_id for item_id, _ in new])
    for item_id, at in new:
        state_row = rows.get(item_id)
        if state_row is not None:
            _store(state_row, at)
    return len(new)


@dataclass
class Recheck:
    database: Database
    events: EventBus
    box: SecretBox
    connect: Connect
    clock: Callable[[], datetime]
    delay: timedelta = DEFAULT_DELAY

    async def _db(self, function: Callable[..., _T], *args: Any) -> _T:
        def work() -> _T:
            with self.database.session_scope() as session:
                return function(session, *args)

        return await anyio.to_thread.run_sync(work)

    async def run_once(self) -> RecheckReport:
        """Re-check every command due now (a bounded batch), instance by instance."""
        now = self.clock()
        due = await self._db(_load_due, now - self.delay)
        report = RecheckReport()
        by_instance: dict[int, list[_Due]] = defaultdict(list)
        for entry in due:
            by_instance[entry.instance_id].append(entry)
        for instance_id, commands in by_instance.items():
            await self._instance(instance_id, commands, now, report)
        if report.runs:
            await self._publish(report)
        return report

    async def _instance(
        self, instance_id: int, commands: list[_Due], now: datetime, report: RecheckReport
    ) -> None:
        found = await self._db(self._target, instance_id)
        if found is None:
            await self._db(_apply_all, [(c.id, Found()) for c in commands], now, report)
            return
        target, app = found
        id_field = ITEM_ID_FIELDS[family_of(App(app))]
        try:
            client = await self.connect(target)
            async with client:
                assert isinstance(client, MediaClient)
                records = await client.history_since(min(c.since for c in commands))
        except (ArrError, BlockedAddress, OSError) as exc:
            log.warning("feedback_recheck_unreachable", instance_id=instance_id, error=str(exc))
            stale = [c for c in commands if _stale(c, now, self.delay)]
            if stale:
                await self._db(_apply_all, [(c.id, Found()) for c in stale], now, report)
            return
        events = classify(records, id_field)
        results = [(c.id, _found_for(events, c.since)) for c in commands]
        await self._db(_apply_all, results, now, report)

    def _target(self, session: Session, instance_id: int) -> tuple[ConnectionTarget, str] | None:
        instance = session.get(Instance, instance_id)
        if instance is None or not instance.enabled or instance.app == "prowlarr":
            return None
        return InstanceService(session, self.box).target(instance), instance.app

    async def _publish(self, report: RecheckReport) -> None:
        rows = await self._db(_run_facts, sorted(report.runs))
        for run_id, queue_id, queue, instance_id, instance, total in rows:
            self.events.publish(
                "grab.confirmed",
                run_id=run_id,
                queue_id=queue_id,
                queue=queue,
                instance_id=instance_id,
                instance=instance,
                count=report.runs[run_id],
                grabbed=total,
            )


def _stale(entry: _Due, now: datetime, delay: timedelta) -> bool:
    ended = entry.finished_at or entry.since
    return now - ended > delay + GIVE_UP_AFTER


def _load_due(session: Session, before: datetime) -> list[_Due]:
    return [
        _Due(row.id, row.instance_id, (row.sent_at or row.intent_at) - _SKEW, row.finished_at)
        for row in commands_due(session, before)
        if row.instance_id is not None
    ]


def _apply_all(
    session: Session, results: list[tuple[int, Found]], now: datetime, report: RecheckReport
) -> None:
    for command_id, found in results:
        command = session.get(SearchCommand, command_id)
        if command is not None and command.rechecked_at is None:
            apply_found(session, command, found, now, report)
    session.flush()


def _run_facts(session: Session, run_ids: list[int]) -> list[tuple[int, Any, str, Any, str, int]]:
    facts = []
    for run_id in run_ids:
        run = session.get(SearchRun, run_id)
        if run is not None:
            facts.append(
                (
                    run.id,
                    run.queue_id,
                    run.queue_name,
                    run.instance_id,
                    run.instance_name,
                    run.grabbed,
                )
            )
    return facts
