"""Every simulator fault, in turn and then at random, while queues on three simulated apps keep
running. Afterwards the app is ready, the health monitor paused and resumed the apps it had to,
no indexer limit was exceeded, no item was searched twice within its cooldown, every run has a
final history row with an outcome, and the errors users see are short sentences, not tracebacks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import pytest
import structlog

from tests.reliability.fleet import (
    Fleet,
    Member,
    build_fleet,
    searches_within_cooldown,
    set_faults,
    sim_stats,
)
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.models import CommandStatus, RunStatus
from vibe_quality_searcharr.simulator.testing import RunningSimulator

FINAL_RUNS = {RunStatus.COMPLETED, RunStatus.HELD, RunStatus.FAILED}

FAULTS: dict[str, dict[str, Any]] = {
    "latency": {"kind": "latency", "latencyMs": 150},
    "5xx": {"kind": "error", "status": 503},
    "429": {"kind": "rate_limit", "retryAfter": 120},
    "hang": {"kind": "hang", "hangSeconds": 3},
    "malformed": {"kind": "malformed", "path": "/api"},
    "truncated": {"kind": "truncated", "path": "/api"},
    "drop": {"kind": "drop"},
    "revoked_key": {"kind": "refuse_key"},
}
MID_RUN = ("5xx", "429", "hang", "malformed", "truncated", "drop")
TRACEBACK_MARKERS = ("Traceback", 'File "', "raise ", "Error(")


@pytest.fixture
def fleet(
    context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> Iterator[Fleet]:
    built = build_fleet(context, simulator_factory)
    yield built
    built.stop()


def _cycle(fleet: Fleet, faulted: int | None, rule: dict[str, Any] | None) -> None:
    """One slot: the fault (if any) on one app, health checks until it is judged, runs on
    every queue, the fault cleared, checks until it is back, then time moves on."""
    if faulted is not None and rule is not None:
        set_faults(fleet.members[faulted].sim, rule)
    fleet.check_health(3)
    fleet.run_all()
    if faulted is not None:
        set_faults(fleet.members[faulted].sim)
    fleet.check_health(2)
    fleet.advance(30 * 60)


def _assert_invariants(fleet: Fleet, client: Any) -> None:
    for member in fleet.members:
        stats = sim_stats(member.sim)
        assert stats["limitExcess"] == 0, member.sim.app
        assert stats["duplicates"] == 0, member.sim.app
        assert searches_within_cooldown(stats["commandLog"]) == [], member.sim.app
    runs = fleet.runs()
    assert runs, "no run happened"
    for run in runs:
        assert run.status in FINAL_RUNS, (run.id, run.status)
        assert run.finished_at is not None, run.id
        assert run.summary, run.id
        if run.error:
            assert not any(marker in run.error for marker in TRACEBACK_MARKERS), run.error
    for command in fleet.commands():
        assert command.status in CommandStatus.FINISHED | {CommandStatus.SENT}, command.status
    # The running app (no second lifespan: that rebinds the event bus to a loop it then
    # closes, and disposes the shared database under the first one).
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").status_code == 200


def test_each_fault_in_turn_then_at_random(fleet: Fleet, admin_client: Any) -> None:
    with structlog.testing.capture_logs() as logs:
        _faults_and_outage(fleet)
    _check_outcome(fleet, admin_client, logs)


def _faults_and_outage(fleet: Fleet) -> Member:
    kinds = list(FAULTS)
    for index, name in enumerate(kinds):
        _cycle(fleet, index % len(fleet.members), FAULTS[name])
    # The same faults only on the command endpoint, after a few requests got through: the
    # health checks never see them, so they hit runs in flight (sends and polls).
    for index, name in enumerate(MID_RUN):
        member = fleet.members[index % len(fleet.members)]
        rule = {**FAULTS[name], "path": f"{member.sim.state.spec.api_root}/command",
                "afterRequests": 2}  # fmt: skip
        _cycle(fleet, index % len(fleet.members), rule)
    rng = random.Random(10)
    for _ in range(4):
        _cycle(fleet, rng.randrange(len(fleet.members)), FAULTS[rng.choice(kinds)])

    # An app disappears for an hour of simulated time, then comes back.
    gone = fleet.members[1]
    fleet.outage(gone)
    _cycle(fleet, None, None)
    return gone


def _check_outcome(fleet: Fleet, admin_client: Any, logs: list[MutableMapping[str, Any]]) -> None:
    gone = fleet.members[1]

    transitions = fleet.health_transitions()
    down = [instance for instance, kind in transitions if kind == "down"]
    up = [instance for instance, kind in transitions if kind == "up"]
    assert gone.setup.instance_id in down
    assert gone.setup.instance_id in up
    for member in fleet.members:
        mine = [kind for instance, kind in transitions if instance == member.setup.instance_id]
        assert mine.count("down") == mine.count("up"), (member.sim.app, mine)
        assert not mine or mine[-1] == "up", "every paused app was resumed"
    hit = [c for c in fleet.commands() if c.status in (CommandStatus.FAILED, CommandStatus.UNKNOWN)]
    assert hit, "the mid-run faults reached commands in flight"
    held = [r for r in fleet.runs() if r.hold_code == "instance_paused"]
    assert held, "runs on a paused instance were held, not sent"
    assert any(r.status == RunStatus.COMPLETED for r in fleet.runs())
    _assert_invariants(fleet, admin_client)

    # What went wrong is visible through the API, as plain sentences.
    page = admin_client.get("/api/v1/runs", params={"page_size": 100}).json()
    assert page["total"] == len(fleet.runs())
    failures = [item for item in page["items"] if item["status"] == "failed"]
    for item in failures:
        assert item["error"]
        assert "Traceback" not in item["error"]
    health = admin_client.get(f"/api/v1/instances/{gone.setup.instance_id}").json()
    assert "Traceback" not in str(health)
    for path in ("/instances", f"/instances/{gone.setup.instance_id}", "/history", "/"):
        page_html = admin_client.get(path)
        assert page_html.status_code == 200, path
        assert not any(marker in page_html.text for marker in TRACEBACK_MARKERS[:2]), path
    # The outage is on the instance page in words, with its down and up transitions.
    detail = admin_client.get(f"/instances/{gone.setup.instance_id}").text.lower()
    assert "down" in detail
    assert "up" in detail
    # ...and in the logs, without the API key.
    kinds = [entry.get("kind") for entry in logs if entry.get("event") == "instance_health"]
    assert "down" in kinds
    assert "up" in kinds
    text = str(logs)
    assert all(member.sim.api_key not in text for member in fleet.members)
