"""The run API through the real app: preview, run now (202, 409 while running), runs list and
detail, holds, unreachable *arr (503), validation and permissions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from tests.conftest import SignedInClient
from tests.search.harness import setup_search, sim_sleeper
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import InstanceHealth
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def _wire(app: FastAPI, sim: RunningSimulator) -> None:
    app.state.clock = sim.clock.now
    app.state.search_sleep = sim_sleeper(sim)


def _wait(client: SignedInClient, app: FastAPI, queue_id: int) -> None:
    client.portal.call(registry_of(app).wait, queue_id)  # type: ignore[union-attr]


def test_preview_then_run_executes_the_previewed_plan(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr", size=60)
    setup = setup_search(context, sim, order="random", batch_size=3)
    _wire(app, sim)
    preview = admin_client.post(f"/api/v1/queues/{setup.queue_id}/preview?skipped_limit=2")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert len(body["skipped"]) <= 2
    assert body["skipped_total"] >= len(body["skipped"])
    assert sum(body["skipped_counts"].values()) == body["skipped_total"]
    assert all(command["label"] for command in body["commands"])
    assert setup.stats()["commandPosts"] == 0  # the preview sent nothing

    started = admin_client.post(f"/api/v1/queues/{setup.queue_id}/run")
    assert started.status_code == 202
    run_id = started.json()["run_id"]
    _wait(admin_client, app, setup.queue_id)
    detail = admin_client.get(f"/api/v1/runs/{run_id}").json()
    assert detail["status"] == "completed"
    assert detail["seed"] == body["seed"]
    assert [c["payload"] for c in detail["commands"]] == [c["payload"] for c in body["commands"]]
    assert [c["items"][0]["label"] for c in detail["commands"]] == [
        c["items"][0]["label"] for c in body["commands"]
    ]
    listed = admin_client.get(f"/api/v1/runs?queue_id={setup.queue_id}&status=completed").json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == run_id
    assert admin_client.get("/api/v1/runs?status=bogus").status_code == 422


def test_run_now_while_running_is_409(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("radarr", size=40)
    setup = setup_search(context, sim, batch_size=2, options={"ids_per_command": 1})
    app.state.clock = sim.clock.now
    gate: dict[str, Any] = {}

    async def sleep(seconds: float) -> None:
        event = gate.setdefault("event", asyncio.Event())
        await event.wait()
        sim.advance(seconds)

    app.state.search_sleep = sleep
    first = admin_client.post(f"/api/v1/queues/{setup.queue_id}/run")
    assert first.status_code == 202
    again = admin_client.post(f"/api/v1/queues/{setup.queue_id}/run")
    assert again.status_code == 409
    assert again.json()["error"] == "run_in_progress"

    async def release() -> None:
        gate.setdefault("event", asyncio.Event()).set()

    admin_client.portal.call(release)  # type: ignore[union-attr]
    _wait(admin_client, app, setup.queue_id)
    assert (
        admin_client.get(f"/api/v1/runs/{first.json()['run_id']}").json()["status"] == "completed"
    )


def test_paused_instance_and_queue_hold_without_contacting_the_app(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr", size=30)
    setup = setup_search(context, sim, batch_size=2)
    _wire(app, sim)
    with context.database.session_scope() as session:
        session.add(InstanceHealth(instance_id=setup.instance_id, paused_by_health=True,
                                   last_error="disk almost full"))  # fmt: skip
    requests = setup.stats()["requests"]
    body = admin_client.post(f"/api/v1/queues/{setup.queue_id}/preview").json()
    assert body["hold"]["code"] == "instance_paused"
    assert "disk almost full" in body["hold"]["text"]
    assert body["commands"]  # what it would send once resumed
    run_id = admin_client.post(f"/api/v1/queues/{setup.queue_id}/run").json()["run_id"]
    _wait(admin_client, app, setup.queue_id)
    run = admin_client.get(f"/api/v1/runs/{run_id}").json()
    assert run["status"] == "held"
    assert run["hold_code"] == "instance_paused"
    assert run["commands"] == []
    assert setup.stats()["requests"] == requests + 1  # only this stats call: never contacted

    with context.database.session_scope() as session:
        session.get(InstanceHealth, setup.instance_id).paused_by_health = False  # type: ignore[union-attr]
        queue = session.get(SearchQueue, setup.queue_id)
        assert queue is not None
        queue.paused = True
    body = admin_client.post(f"/api/v1/queues/{setup.queue_id}/preview").json()
    assert body["hold"]["code"] == "queue_paused"


def test_unreachable_app_is_503_without_secrets(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr", size=20)
    setup = setup_search(context, sim)
    _wire(app, sim)
    sim.stop()
    answer = admin_client.post(f"/api/v1/queues/{setup.queue_id}/preview")
    assert answer.status_code == 503
    assert answer.json()["error"] == "arr_unavailable"
    assert sim.api_key not in answer.text


def test_unknown_and_invalid_ids(admin_client: SignedInClient) -> None:
    assert admin_client.post("/api/v1/queues/999/preview").status_code == 404
    assert admin_client.post("/api/v1/queues/999/run").status_code == 404
    assert admin_client.get("/api/v1/runs/999").status_code == 404
    assert admin_client.post("/api/v1/queues/0/run").status_code == 422
    assert admin_client.post("/api/v1/queues/1/preview?skipped_limit=1001").status_code == 422


def test_viewer_reads_but_cannot_preview_or_run(viewer_client: SignedInClient) -> None:
    assert viewer_client.get("/api/v1/runs").status_code == 200
    assert viewer_client.post("/api/v1/queues/1/preview").status_code == 403
    assert viewer_client.post("/api/v1/queues/1/run").status_code == 403
