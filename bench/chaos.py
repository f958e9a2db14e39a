"""The long chaos run: every simulator fault at random over a long simulated period on a fleet
of simulated apps, then the reliability figures (docs/reliability.md quotes the last run).

    PYTHONPATH=src:. python bench/chaos.py [--cycles 60] [--seed 10] [--only-crashes]

It composes the same harness as tests/reliability/test_faults.py (no timed asserts here: it
prints). Crash rounds (kill -9 of a real app process) and the disk/DB-fault and load scenarios
of tests/reliability/ are called through `_optional_scenarios` when their helpers are
importable; otherwise the report says they were not run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tests.reliability.fleet import (
    Fleet,
    build_fleet,
    searches_within_cooldown,
    set_faults,
    sim_stats,
)
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.search.models import RunStatus
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator

FAULTS: list[dict[str, Any]] = [
    {"kind": "latency", "latencyMs": 150},
    {"kind": "error", "status": 503},
    {"kind": "rate_limit", "retryAfter": 120},
    {"kind": "hang", "hangSeconds": 3},
    {"kind": "malformed", "path": "/api"},
    {"kind": "truncated", "path": "/api"},
    {"kind": "drop"},
    {"kind": "refuse_key"},
]
FINAL = {RunStatus.COMPLETED, RunStatus.HELD, RunStatus.FAILED}


def _random_rule(rng: random.Random, fleet: Fleet, member: int) -> dict[str, Any]:
    """A fault on the whole app, or on its command endpoint only (hits runs in flight), at a
    random rate."""
    rule = dict(rng.choice(FAULTS))
    if rng.random() < 0.5:
        root = fleet.members[member].sim.state.spec.api_root
        rule.update(path=f"{root}/command", afterRequests=rng.randrange(0, 4))
    rule["rate"] = rng.choice([1.0, 0.5, 0.25])
    return rule


def fault_chaos(cycles: int, seed: int) -> dict[str, Any]:
    started: list[RunningSimulator] = []

    def factory(app: str, **options: Any) -> RunningSimulator:
        sim = start_simulator(app, **options)
        started.append(sim)
        return sim

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp) / "data", scheduler_enabled=False)
        secrets = ensure_secrets(settings)
        database = open_sqlcipher(settings.sqlite_path, secrets.database_key)
        migrate.upgrade(database)
        context = AppContext(settings, secrets, database, Scheduler(), EventBus())
        fleet = build_fleet(context, factory, size=400)
        rng = random.Random(seed)
        injected = 0
        began = time.perf_counter()
        try:
            for cycle in range(cycles):
                member = rng.randrange(len(fleet.members))
                if cycle % 20 == 19:  # an app disappears for an hour of simulated time
                    fleet.outage(fleet.members[member])
                    injected += 1
                    continue
                set_faults(fleet.members[member].sim, _random_rule(rng, fleet, member))
                injected += 1
                fleet.check_health(3)
                fleet.run_all()
                set_faults(fleet.members[member].sim)
                fleet.check_health(2)
                fleet.advance(30 * 60)
            fleet.check_health(3)
            runs = fleet.runs()
            stats = [sim_stats(m.sim) for m in fleet.members]
            transitions = fleet.health_transitions()
            return {
                "faults injected": injected,
                "simulated hours": round(cycles * 0.5 + (cycles // 20) * 0.5, 1),
                "runs": len(runs),
                "runs completed": sum(r.status == RunStatus.COMPLETED for r in runs),
                "runs held": sum(r.status == RunStatus.HELD for r in runs),
                "runs failed": sum(r.status == RunStatus.FAILED for r in runs),
                "runs without a final history row": sum(
                    r.status not in FINAL or r.finished_at is None or not r.summary for r in runs
                ),
                "searches sent": sum(s["commandsReceived"] for s in stats),
                "duplicate searches": sum(s["duplicates"] for s in stats)
                + sum(len(searches_within_cooldown(s["commandLog"])) for s in stats),
                "limit excess": sum(s["limitExcess"] for s in stats),
                "pauses (down)": sum(kind == "down" for _, kind in transitions),
                "resumes (up)": sum(kind == "up" for _, kind in transitions),
                "wall seconds": round(time.perf_counter() - began, 1),
            }
        finally:
            fleet.stop()
            for sim in started:
                sim.stop()
            database.dispose()


SCENARIOS = ("test_crashes", "test_disk_db", "test_load", "test_scale_out")


def _optional_scenarios(names: tuple[str, ...] = SCENARIOS) -> dict[str, Any]:
    """Hooks into the crash rounds (20 kill -9 of a real app process) and chaos-io's disk/DB
    and load scenarios: each module may expose `chaos_scenario() -> dict[str, Any]`; absent
    ones are reported as not run."""
    report: dict[str, Any] = {}
    for name in names:
        module_name = f"tests.reliability.{name}"
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # not there yet, or its optional deps are missing
            report[name] = f"not run ({type(exc).__name__})"
            continue
        scenario: Callable[[], dict[str, Any]] | None = getattr(module, "chaos_scenario", None)
        report[name] = scenario() if scenario is not None else "not run (no chaos_scenario())"
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--only-crashes", action="store_true", help="skip the fault chaos; run the crash rounds"
    )
    args = parser.parse_args()
    figures = {} if args.only_crashes else fault_chaos(args.cycles, args.seed)
    figures.update(_optional_scenarios(("test_crashes",) if args.only_crashes else SCENARIOS))
    figures["load average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    flat: dict[str, Any] = {}
    for key, value in figures.items():  # a scenario's own figures print under its name
        if isinstance(value, dict):
            flat.update({f"{key}: {name}": figure for name, figure in value.items()})
        else:
            flat[key] = value
    width = max(len(key) for key in flat)
    for key, value in flat.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
