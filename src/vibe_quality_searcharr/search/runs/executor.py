"""One run of one queue: plan, then send each command exactly once, then follow it to its end.

    create_run (running, seed, run_count + 1)  ->  plan  ->  held? finish as held
    for each command:  write intent + records, COMMIT  ->  POST /command  ->  mark sent, COMMIT
                       wait `delay_seconds` before the next one
    for each sent command: poll GET /command/{id} to its end  ->  /history/since for grabs
                       ->  outcome on the search records, COMMIT
    finish the run with counts from its command rows

A command is never sent twice: it is sent only right after its intent row is committed, is
never retried once the request may have reached the app (the client guarantees that), and a
restart never resends an `intent` row (see `reconcile`). Database work runs off the event loop.
`on_step(name)` is called after the intent commit ("intent_committed"), when the *arr answered
the POST ("arr_answered", before that is recorded) and after the sent commit
("sent_committed"); the crash test kills the process at each of them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import anyio.to_thread
import structlog

from vibe_quality_searcharr.arr.clients import MediaClient
from vibe_quality_searcharr.arr.errors import (
    ArrBadResponse,
    ArrError,
    ArrRateLimited,
    ArrUnreachable,
)
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.db.failures import classify
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.connection import Connect
from vibe_quality_searcharr.library.repository import item_labels
from vibe_quality_searcharr.search.budgets.latest import ProwlarrViews
from vibe_quality_searcharr.search.budgets.service import DEFAULT_RETRY_AFTER, set_backoff
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus
from vibe_quality_searcharr.search.planner import ArrActivity, Plan
from vibe_quality_searcharr.search.runs import recording
from vibe_quality_searcharr.search.runs.inputs import (
    PlanInputs,
    budget_for,
    fetch_activity,
    load_inputs,
    make_plan,
    pause_hold,
    read_budget,
)
from vibe_quality_searcharr.search.runs.polling import (
    PollSettings,
    Sleeper,
    grabbed_ids,
    poll_to_end,
)
from vibe_quality_searcharr.search.runs.preview import command_label, effective_hold
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = ["SKIP_EXAMPLES", "Executor"]

log = structlog.get_logger(__name__)

SKIP_EXAMPLES = 5
_STOPPED = "the service stopped during the run"
_T = TypeVar("_T")


def _no_step(_name: str) -> None:
    return None


@dataclass(slots=True)
class _Sent:
    row_id: int
    position: int
    arr_id: int
    since: datetime


@dataclass
class Executor:
    """Runs queues. Everything with a side effect or a notion of time is injected."""

    database: Database
    events: EventBus
    box: SecretBox
    connect: Connect
    clock: Callable[[], datetime] = utcnow
    sleep: Sleeper = asyncio.sleep
    poll: PollSettings = field(default_factory=PollSettings)
    on_step: Callable[[str], None] = _no_step
    # Told the budget after it is read and after each command sent (metrics, `budget.low`);
    # see `search.budgets.usage.BudgetWatch`.
    on_budget: Callable[[PlanInputs, datetime], None] | None = None
    # The latest Prowlarr read of each instance, which the dashboard's budget bars show.
    prowlarr_views: ProwlarrViews = field(default_factory=ProwlarrViews)
    # The process id written on each run (`search.runs.owners`); None outside an app.
    owner: str | None = None

    def _watch_budget(self, inputs: PlanInputs) -> None:
        if self.on_budget is not None:
            try:
                self.on_budget(inputs, self.clock())
            except Exception:  # a metric or an event never stops a run
                log.exception("budget_watch_failed", instance_id=inputs.instance_id)

    async def db(self, function: Callable[..., _T], *args: Any) -> _T:
        def work() -> _T:
            with self.database.session_scope() as session:
                return function(session, *args)

        return await anyio.to_thread.run_sync(work)

    async def create_run(self, queue_id: int, trigger: str) -> tuple[int, str]:
        """Create the run row (committed), so its id can be answered before the run goes on."""
        now = self.clock()

        def create(session: Any) -> tuple[int, str]:
            run = recording.create_run(session, queue_id, trigger, now, self.owner)
            return run.id, run.status

        return await self.db(create)

    async def execute(self, run_id: int, queue_id: int) -> str:
        """Carry out a created run to its end; returns the run's final status. Cancelled (a
        shutdown), the run ends `interrupted` and its unsent commands `not_sent`."""
        try:
            return await self._execute(run_id, queue_id)
        except asyncio.CancelledError:
            status = await asyncio.shield(self.db(recording.run_status_of, run_id))
            if status == RunStatus.RUNNING:
                await asyncio.shield(
                    self._finish(run_id, None, RunStatus.INTERRUPTED, None, error=_STOPPED)
                )
            raise

    async def interrupt_run(self, run_id: int) -> str:
        """Close a created run that will not be carried out (the service is stopping)."""
        return await self._finish(run_id, None, RunStatus.INTERRUPTED, None, error=_STOPPED)

    async def fail_run(self, run_id: int, error: str) -> str:
        return await self._finish(run_id, None, RunStatus.FAILED, None, error=error)

    async def _execute(self, run_id: int, queue_id: int) -> str:
        now = self.clock()
        try:
            inputs = await self.db(load_inputs, queue_id, now, self.box)
        except Exception as exc:
            return await self._fail(run_id, None, f"could not load the queue: {_message(exc)}")
        self.events.publish(
            "run.started",
            run_id=run_id,
            queue_id=queue_id,
            queue=inputs.queue_name,
            instance_id=inputs.instance_id,
            instance=inputs.instance_name,
            strategy=inputs.strategy,
        )
        seed = await self.db(recording.run_seed_of, run_id)
        pause = pause_hold(inputs)
        if pause is not None:
            # Never contact a paused instance; the plan (without live activity) explains.
            plan = make_plan(inputs, ArrActivity(), budget_for(inputs, now), now=now, seed=seed)
            self._planned(run_id, inputs, plan)
            return await self._finish(
                run_id, inputs, RunStatus.HELD, plan, hold=(pause.code, pause.text)
            )
        try:
            client = await self.connect(inputs.target)
        except Exception as exc:
            return await self._fail(run_id, inputs, _message(exc))
        async with client:
            assert isinstance(client, MediaClient)
            try:
                activity = await fetch_activity(client, inputs.family)
            except ArrError as exc:
                return await self._fail(run_id, inputs, exc.detail)
            await read_budget(inputs, self.connect, now, self.prowlarr_views)
            self._watch_budget(inputs)
            plan = make_plan(inputs, activity, budget_for(inputs, now), now=now, seed=seed)
            self._planned(run_id, inputs, plan)
            hold = effective_hold(plan, None)
            if hold is not None or not plan.commands:
                code, text = (hold.code, hold.text) if hold else ("nothing_planned", "")
                return await self._finish(run_id, inputs, RunStatus.HELD, plan, hold=(code, text))
            return await self._send_all(run_id, inputs, plan, client)

    def _planned(self, run_id: int, inputs: PlanInputs, plan: Plan) -> None:
        summary = plan.summary
        skipped = {code.value: count for code, count in summary.skipped.items()}
        self.events.publish(
            "run.planned",
            run_id=run_id,
            queue_id=inputs.queue_id,
            commands=len(plan.commands),
            items=summary.planned_items,
            searches=summary.searches,
            eligible=summary.eligible,
            in_scope=summary.in_scope,
            skipped=skipped,
            summary=summary.text,
        )
        examples: dict[str, list[int]] = {}
        for skip in plan.skipped:
            bucket = examples.setdefault(skip.code.value, [])
            if len(bucket) < SKIP_EXAMPLES:
                bucket.append(skip.item_id)
        for code, count in skipped.items():
            self.events.publish(
                "item.skipped",
                run_id=run_id,
                queue_id=inputs.queue_id,
                code=code,
                count=count,
                examples=examples.get(code, []),
            )

    async def _send_all(
        self, run_id: int, inputs: PlanInputs, plan: Plan, client: MediaClient[Any]
    ) -> str:
        labels = await self.db(item_labels, inputs.instance_id, plan.planned_item_ids)
        sent: list[_Sent] = []
        error: str | None = None
        try:
            for position, command in enumerate(plan.commands):
                if position:
                    await self.sleep(inputs.options.delay_seconds)
                short = _budget_short(inputs, command.cost, self.clock())
                if short is not None:
                    # Spent elsewhere since planning (another queue, the user, RSS): stop here.
                    await self._not_sent(run_id, inputs, plan, labels, short)
                    break
                # A shutdown waits for the send in flight: its row must say what happened.
                task = asyncio.ensure_future(
                    self._send_one(run_id, inputs, plan, position, labels, client)
                )
                try:
                    outcome = await asyncio.shield(task)
                except asyncio.CancelledError:
                    with contextlib.suppress(Exception):
                        await task
                    raise
                if isinstance(outcome, _Sent):
                    sent.append(outcome)
                    inputs.budget.spend(self.clock(), command.cost)
                    self._watch_budget(inputs)
                    self.events.publish(
                        "item.searched",
                        run_id=run_id,
                        queue_id=inputs.queue_id,
                        instance_id=inputs.instance_id,
                        command_id=outcome.row_id,
                        command_kind=command.kind.value,
                        ids=list(command.ids),
                        label=command_label(command, labels),
                        score=command.score,
                        reason=command.reason,
                    )
                elif outcome is not None:
                    error = outcome
                    await self._not_sent(run_id, inputs, plan, labels, f"not sent: {error}")
                    break
            for entry in sent:
                await self._follow(run_id, entry, inputs, client)
        except recording.RunClosed:
            # Closed by another replica's reconciliation: it owns the rows now, and the
            # commands not sent stay unwritten, as after a crash.
            log.warning("search_run_closed_elsewhere", run_id=run_id)
            return RunStatus.INTERRUPTED
        except asyncio.CancelledError:
            await asyncio.shield(self._interrupted(run_id, inputs, plan, labels))
            raise
        status = RunStatus.FAILED if error is not None else RunStatus.COMPLETED
        return await self._finish(run_id, inputs, status, plan, error=error)

    async def _send_one(
        self,
        run_id: int,
        inputs: PlanInputs,
        plan: Plan,
        position: int,
        labels: dict[int, str],
        client: MediaClient[Any],
    ) -> _Sent | str | None:
        """Intent, send, sent. Returns the sent command, None for a refusal the run survives,
        or an error text that stops the run."""
        command = plan.commands[position]
        row_id = await self.db(
            recording.write_intent, run_id, inputs, plan, position, labels, self.clock()
        )
        self.on_step("intent_committed")
        body = command.payload()
        name = str(body.pop("name"))
        try:
            answer = await client.send_command(name, **body)
        except ArrRateLimited as exc:
            # The *arr refused this command; nothing more goes there until it says so.
            await self.db(
                recording.mark_unsent, row_id, CommandStatus.FAILED, exc.detail, self.clock()
            )
            await self.db(self._back_off, inputs.instance_id, exc)
            self._finished_event(run_id, inputs, row_id, CommandStatus.FAILED, exc.detail)
            return exc.detail
        except ArrUnreachable as exc:
            status = (
                CommandStatus.UNKNOWN if exc.may_have_reached_server else CommandStatus.NOT_SENT
            )
            await self.db(recording.mark_unsent, row_id, status, exc.detail, self.clock())
            self._finished_event(run_id, inputs, row_id, status, exc.detail)
            return exc.detail
        except ArrError as exc:
            if _answered_unreadably(exc):
                # The POST got an answer that was cut off or garbled: the *arr may well have
                # queued the search, so it is recorded as unknown (never resent), and the run
                # stops rather than spend more indexer queries on answers it cannot read.
                await self.db(
                    recording.mark_unsent, row_id, CommandStatus.UNKNOWN, exc.detail, self.clock()
                )
                self._finished_event(run_id, inputs, row_id, CommandStatus.UNKNOWN, exc.detail)
                return exc.detail
            await self.db(
                recording.mark_unsent, row_id, CommandStatus.FAILED, exc.detail, self.clock()
            )
            self._finished_event(run_id, inputs, row_id, CommandStatus.FAILED, exc.detail)
            log.warning("search_command_refused", run_id=run_id, kind=name, detail=exc.detail)
            return None
        self.on_step("arr_answered")
        sent_at = self.clock()
        await self.db(recording.mark_sent, row_id, answer, sent_at)
        self.on_step("sent_committed")
        return _Sent(row_id, position, answer.id, answer.queued or sent_at)

    async def _follow(
        self, run_id: int, entry: _Sent, inputs: PlanInputs, client: MediaClient[Any]
    ) -> None:
        """Poll one sent command to its end, then read its grabs from the *arr's history."""
        try:
            state, ended = await poll_to_end(
                client, entry.arr_id, settings=self.poll, sleep=self.sleep, clock=self.clock
            )
        except ArrError as exc:
            log.warning("search_command_poll_failed", command_id=entry.row_id, detail=exc.detail)
            return
        if not ended:
            log.warning("search_command_still_running", command_id=entry.row_id)
            return
        ids = await self.db(recording.command_item_ids, entry.row_id)
        try:
            grabbed = await grabbed_ids(client, inputs.family, entry.since, ids)
        except ArrError as exc:
            log.warning("search_history_unreadable", command_id=entry.row_id, detail=exc.detail)
            grabbed = set()
        await self.db(recording.finish_command, entry.row_id, state, grabbed, self.clock())
        self.events.publish(
            "command.finished",
            run_id=run_id,
            queue_id=inputs.queue_id,
            command_id=entry.row_id,
            status=state.status,
            result=state.result,
            message=state.message,
            grabbed=sorted(grabbed),
        )

    def _finished_event(
        self, run_id: int, inputs: PlanInputs, row_id: int, status: str, message: str
    ) -> None:
        self.events.publish(
            "command.finished",
            run_id=run_id,
            queue_id=inputs.queue_id,
            command_id=row_id,
            status=status,
            result=None,
            message=message,
            grabbed=[],
        )

    def _back_off(self, session: Any, instance_id: int, exc: ArrRateLimited) -> None:
        wait = timedelta(seconds=exc.retry_after) if exc.retry_after else DEFAULT_RETRY_AFTER
        set_backoff(session, instance_id, self.clock() + wait, exc.detail)

    async def _not_sent(
        self, run_id: int, inputs: PlanInputs, plan: Plan, labels: dict[int, str], message: str
    ) -> None:
        """Rows for every planned command the run did not get to, so the history is whole."""
        done = await self.db(recording.written_positions, run_id)
        positions = [p for p in range(len(plan.commands)) if p not in done]
        if positions:
            await self.db(
                recording.write_not_sent,
                run_id,
                inputs,
                plan,
                positions,
                labels,
                message,
                self.clock(),
            )

    async def _interrupted(
        self, run_id: int, inputs: PlanInputs, plan: Plan, labels: dict[int, str]
    ) -> None:
        await self._not_sent(run_id, inputs, plan, labels, f"not sent: {_STOPPED}")
        await self._finish(run_id, inputs, RunStatus.INTERRUPTED, plan, error=_STOPPED)

    async def _finish(
        self,
        run_id: int,
        inputs: PlanInputs | None,
        status: str,
        plan: Plan | None,
        *,
        hold: tuple[str, str] | None = None,
        error: str | None = None,
    ) -> str:
        summary = plan.summary.text if plan is not None else ""
        if hold is not None and hold[1] and hold[1] not in summary:
            summary = f"{summary}; {hold[1]}" if summary else hold[1]
        if error is not None:
            summary = f"{summary}; stopped: {error}" if summary else f"stopped: {error}"
        run = await self.db(
            _finish_counts,
            run_id,
            status,
            self.clock(),
            plan,
            summary,
            hold[0] if hold else None,
            error,
        )
        self.events.publish(
            "run.finished",
            run_id=run_id,
            queue_id=inputs.queue_id if inputs else None,
            instance_id=inputs.instance_id if inputs else None,
            **run,
        )
        log.info("search_run_finished", run_id=run_id, status=status)
        return status

    async def _fail(self, run_id: int, inputs: PlanInputs | None, error: str) -> str:
        return await self._finish(run_id, inputs, RunStatus.FAILED, None, error=error)


def _budget_short(inputs: PlanInputs, cost: int, now: datetime) -> str | None:
    """Why the next command may not be sent (its cost exceeds the tightest limit), or None."""
    tightest = budget_for(inputs, now).tightest()
    if tightest is None or tightest.remaining >= cost:
        return None
    return f"not sent: budget ran short ({tightest.name}: {tightest.remaining} left, needs {cost})"


def _message(exc: Exception) -> str:
    if (failure := classify(exc)) is not None:  # never SQLAlchemy's text: it quotes the SQL
        return failure.message
    detail = getattr(exc, "detail", None)
    return str(detail) if detail else f"{type(exc).__name__}: {exc}"


def _finish_counts(
    session: Any,
    run_id: int,
    status: str,
    now: datetime,
    plan: Plan | None,
    summary: str,
    hold_code: str | None,
    error: str | None,
) -> dict[str, Any]:
    run = recording.finish_run(
        session, run_id, status, now, plan=plan, summary=summary, hold_code=hold_code, error=error
    )
    return {
        "status": run.status,
        "planned_commands": run.planned_commands,
        "planned_items": run.planned_items,
        "sent_commands": run.sent_commands,
        "searches": run.searches,
        "grabbed": run.grabbed,
        "skipped": dict(Counter(run.skipped or {})),
        "summary": run.summary,
        "hold_code": run.hold_code,
        "error": run.error,
    }


def _answered_unreadably(error: ArrError) -> bool:
    """A bad response without an HTTP error status: a success whose body was not the API's."""
    return isinstance(error, ArrBadResponse) and error.status is None
