"""kill -9 of the real app process at random moments of its runs and syncs, restarting it each
time (`crash_rig.CrashRig`). After every restart nothing the app had committed is gone, the
runs it left are `interrupted` with a reason, the intents it left are settled (found on the
*arr or `unknown`) and the sync it left is released. Once, the app stays down for several
schedule slots: exactly one catch-up run per queue follows, then the slots go on. At the end
the database passes `PRAGMA integrity_check`, no search reached an *arr twice within the
shortest cooldown, no intent was sent again, and every command an *arr received has its row.

CI runs 5 crashes; `bench/chaos.py` runs `chaos_scenario()` with 20.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.reliability.crash_rig import MOMENTS, SCHEDULE, SLOT, SPEED, CrashRig, Moment, Snapshot
from tests.reliability.fleet import MIN_COOLDOWN, searches_within_cooldown
from vibe_quality_searcharr.scheduling.schedules import parse_schedule
from vibe_quality_searcharr.scheduling.slots import latest_slot
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus, SearchRun

__all__ = ["CrashOutcome", "chaos_scenario", "crash_rounds"]

MISSED_SLOTS = 5


@dataclass
class CrashOutcome:
    crashes: int = 0
    moments: Counter[str] = field(default_factory=Counter)
    intents: Counter[str] = field(default_factory=Counter)  # status after the restart
    intent_ids: set[int] = field(default_factory=set)
    syncs_released: int = 0
    lost: list[str] = field(default_factory=list)
    unsettled: list[str] = field(default_factory=list)
    missed_slots: int = 0
    catch_up_runs: dict[int, int] = field(default_factory=dict)
    resumed_runs: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)


def _provoke(rig: CrashRig, kind: str, instance_id: int) -> Moment | None:
    moment = rig.observe(kind)
    if moment is None and kind == "sync":
        rig.start_sync(instance_id)  # not running (yet, or any more): one is started
    return moment


def _kill_at(rig: CrashRig, kind: str, skip: int, target: int) -> tuple[Moment, Snapshot]:
    """After `skip` more runs have finished (syncs running beside them), SIGKILL the app the
    moment it is seen in `kind`; returns that moment and what was committed just before."""
    first = rig.last_run_id()
    for instance_id in sorted(rig.instance_ids):
        rig.start_sync(instance_id)
    rig.wait_for(f"{skip} finished runs", lambda: rig.finished_runs_since(first) >= skip or None)
    moment = rig.wait_for(kind, lambda: _provoke(rig, kind, target))
    before = rig.snapshot()
    rig.app.kill9()
    return moment, before


def _settled(rig: CrashRig, moment: Moment, before: Snapshot, outcome: CrashOutcome) -> None:
    """Right after a restart: nothing committed is gone, what was in flight is closed."""
    after = rig.snapshot()
    outcome.lost += [f"run {i}" for i in sorted(before.runs - after.runs)]
    outcome.lost += [f"command {i}" for i in sorted(before.commands - after.commands)]
    runs = {run.id: run for run in rig.runs()}
    for run_id in moment.running_runs & set(runs):  # a missing one is counted as lost above
        run = runs[run_id]
        if run.status == RunStatus.RUNNING or run.finished_at is None:
            outcome.unsettled.append(f"run {run_id} still {run.status}")
        elif run.status == RunStatus.INTERRUPTED and not run.error:
            outcome.unsettled.append(f"run {run_id} interrupted without a reason")
    commands = {command.id: command for command in rig.commands()}
    for command_id in moment.intents & set(commands):
        status = commands[command_id].status
        if status == CommandStatus.INTENT:
            outcome.unsettled.append(f"command {command_id} still an intent")
        outcome.intents["unknown" if status == CommandStatus.UNKNOWN else "found"] += 1
    outcome.intent_ids |= moment.intents
    states = rig.sync_states()
    for instance_id in moment.syncing:
        if states[instance_id].status == "running":
            outcome.unsettled.append(f"sync of instance {instance_id} still running")
        outcome.syncs_released += 1


def _runs_of(rig: CrashRig, queue_id: int, since: datetime) -> list[SearchRun]:
    return [r for r in rig.runs() if r.queue_id == queue_id and r.started_at >= since]


def _misfire(rig: CrashRig, down_from: datetime, frozen_at: datetime, out: CrashOutcome) -> None:
    """The app was down from `down_from` to `frozen_at` (clock frozen there): one catch-up run
    per queue for the newest missed slot, none for the older ones, then the next slot runs."""
    schedule = parse_schedule(SCHEDULE)
    next_slots: dict[int, datetime] = {}
    for queue_id in rig.queue_ids:
        rig.wait_for("the catch-up run", lambda q=queue_id: _runs_of(rig, q, frozen_at))
        slot = latest_slot(schedule, frozen_at, anchor=rig.queue_anchor(queue_id))
        assert slot is not None
        missed, moment = 0, slot
        while moment > down_from:
            missed, moment = missed + 1, moment - SLOT
        out.missed_slots = missed if not out.missed_slots else min(out.missed_slots, missed)
        claimed = rig.claims().get(queue_id)
        if claimed != slot:
            out.unsettled.append(f"queue {queue_id} claimed {claimed}, not the newest slot {slot}")
        next_slots[queue_id] = slot + SLOT
    rig.set_speed(SPEED)
    for queue_id, next_slot in next_slots.items():
        rig.wait_for("the next slot's run", lambda q=queue_id, s=next_slot: _runs_of(rig, q, s))
        out.catch_up_runs[queue_id] = sum(
            run.started_at < next_slot and run.trigger == "schedule"
            for run in _runs_of(rig, queue_id, frozen_at)
        )


def crash_rounds(tmp: Path, crashes: int, seed: int = 10) -> CrashOutcome:
    """Run the whole scenario and gather what the test asserts and the bench prints."""
    began = time.perf_counter()
    out = CrashOutcome()
    rig = CrashRig(tmp, seed)
    order = rig.rng.sample(MOMENTS, len(MOMENTS))
    try:
        rig.start()
        rig.set_speed(SPEED)
        for number in range(crashes):
            kind, skip = order[number % len(order)], rig.rng.randrange(3)
            target = rig.rng.choice(sorted(rig.instance_ids))
            moment, before = _kill_at(rig, kind, skip, target)
            out.crashes += 1
            out.moments[kind] += 1
            downtime = number == crashes // 2
            if downtime:
                rig.set_speed(0.0)
                down_from = rig.clock.now()
                rig.advance(MISSED_SLOTS * SLOT.total_seconds() + 60)
                # The app reads the simulator's clock to the second.
                frozen_at = rig.clock.now().replace(microsecond=0)
            rig.start()
            _settled(rig, moment, before, out)
            if downtime:
                _misfire(rig, down_from, frozen_at, out)
        restarted_at = rig.clock.now()
        for queue_id in rig.queue_ids:  # the schedules go on after the last restart
            rig.wait_for(
                "two scheduled runs after the last restart",
                lambda q=queue_id: sum(
                    r.trigger == "schedule" and r.finished_at is not None
                    for r in _runs_of(rig, q, restarted_at)
                ) >= 2 or None,
            )  # fmt: skip
        out.resumed_runs = sum(len(_runs_of(rig, q, restarted_at)) for q in rig.queue_ids)
        rig.app.stop()
        _final(rig, out, time.perf_counter() - began)
    finally:
        rig.close()
    return out


def _final(rig: CrashRig, out: CrashOutcome, seconds: float) -> None:
    runs, commands, stats = rig.runs(), rig.commands(), rig.stats()
    incomplete = [
        f"run {r.id} {r.status}"
        for r in runs
        if r.status not in RunStatus.FINISHED
        or r.finished_at is None
        or (r.status == RunStatus.INTERRUPTED and not r.error)
    ]
    intents = [f"command {c.id}" for c in commands if c.status == CommandStatus.INTENT]
    twice: list[str] = []
    lost = list(out.lost)
    for instance_id, index in rig.instance_ids.items():
        sim_stats = stats[index]
        twice += [f"{rig.sims[index].app}: duplicate"] * sim_stats["duplicates"]
        twice += searches_within_cooldown(sim_stats["commandLog"])
        rows = {c.arr_command_id for c in commands if c.instance_id == instance_id}
        received = {e["id"] for e in sim_stats["commandLog"] if e["new"]}
        lost += [f"{rig.sims[index].app} command {i} has no row" for i in sorted(received - rows)]
    by_id = {c.id: c for c in commands}
    for command_id in sorted(out.intent_ids & set(by_id)):
        left = by_id[command_id]
        for other in commands:
            if (
                other.id != left.id
                and other.instance_id == left.instance_id
                and set(other.item_ids) & set(left.item_ids)
                and abs(other.intent_at - left.intent_at) < MIN_COOLDOWN
            ):
                twice.append(f"command {other.id} searched again what intent {left.id} had")
    out.problems = {
        "integrity_check": [r for r in rig.integrity() if r != "ok"],
        "incomplete runs": incomplete,
        "intents left": intents,
        "searched twice": twice,
        "rows lost": lost,
        "unsettled after a restart": out.unsettled,
    }
    out.figures = {
        "crashes survived": out.crashes,
        "crash moments": ", ".join(f"{k} {v}" for k, v in sorted(out.moments.items())),
        "runs": len(runs),
        "runs completed": sum(r.status == RunStatus.COMPLETED for r in runs),
        "runs interrupted": sum(r.status == RunStatus.INTERRUPTED for r in runs),
        "runs held / failed": f"{sum(r.status == RunStatus.HELD for r in runs)}"
        f" / {sum(r.status == RunStatus.FAILED for r in runs)}",
        "searches sent": sum(s["commandsReceived"] for s in stats),
        "intents at a kill (found/unknown)": f"{out.intents['found']}/{out.intents['unknown']}",
        "syncs killed and released": out.syncs_released,
        "duplicate searches": len(twice),
        "rows lost": len(lost),
        "slots missed while down": out.missed_slots,
        "catch-up runs per queue": sorted(out.catch_up_runs.values()),
        "runs after the last restart": out.resumed_runs,
        "integrity_check": "ok" if not out.problems["integrity_check"] else "FAILED",
        "crash wall seconds": round(seconds, 1),
    }


def test_kill_nine_at_random_moments(tmp_path: Path) -> None:
    out = crash_rounds(tmp_path, crashes=5)
    assert out.crashes == 5
    assert set(out.moments) == set(MOMENTS), out.moments
    assert out.problems == {name: [] for name in out.problems}, out.problems
    assert out.missed_slots >= MISSED_SLOTS - 1, out.missed_slots
    assert sorted(out.catch_up_runs.values()) == [1, 1], out.catch_up_runs
    assert out.figures["runs completed"] > 0
    assert out.resumed_runs >= 4


def chaos_scenario(crashes: int = 20, seed: int = 10) -> dict[str, Any]:
    """The bench's crash rounds (`bench/chaos.py`): the figures, and any problem found."""
    with tempfile.TemporaryDirectory() as tmp:
        out = crash_rounds(Path(tmp), crashes=crashes, seed=seed)
    figures = dict(out.figures)
    figures["problems"] = {k: v[:5] for k, v in out.problems.items() if v} or "none"
    return figures
