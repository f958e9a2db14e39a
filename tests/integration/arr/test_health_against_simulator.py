"""Connection test and health monitor against simulated apps: real HTTP, simulated failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.arr.conftest import testing  # noqa: F401  (skips without the simulator)
from vibe_quality_searcharr.arr import ArrApp, ClientOptions, RetryPolicy
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.instances.connection import ConnectionTarget, Connector
from vibe_quality_searcharr.instances.health import HealthMonitor, HealthPolicy, connector_checker
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.instances.service import api_key_box

faults = pytest.importorskip("vibe_quality_searcharr.simulator.faults")
pytestmark = pytest.mark.anyio


def connector() -> Connector:
    options = ClientOptions(read_timeout=1.0, retry=RetryPolicy(retries=0))
    return Connector(options=options)


@pytest.mark.parametrize("app", list(ArrApp), ids=lambda app: app.value)
async def test_connection_test_names_app_version_and_instance(
    sim_factory: Callable[..., Any], app: ArrApp
) -> None:
    sim = sim_factory(app, size=5)
    result = await connector().test(
        ConnectionTarget(app=app, url=sim.base_url, api_key=sim.api_key, name="mine")
    )
    assert result.ok, result.detail
    assert result.version == sim.state.version
    assert result.instance_name
    assert result.latency_ms is not None


async def test_connection_test_with_a_wrong_key_says_where_to_find_it(
    sim_factory: Callable[..., Any],
) -> None:
    sim = sim_factory(ArrApp.RADARR, size=5)
    result = await connector().test(
        ConnectionTarget(app=ArrApp.RADARR, url=sim.base_url, api_key="wrong-key-123456")
    )
    assert result.ok is False
    assert result.error == "arr_auth_failed"
    assert "Settings > General" in (result.detail or "")


async def test_monitor_pauses_a_dead_instance_and_resumes_it(
    sim_factory: Callable[..., Any], context: AppContext
) -> None:
    sim = sim_factory(ArrApp.SONARR, size=5)
    box = api_key_box(context.secrets.master_secret)
    with context.database.session_scope() as session:
        instance = Instance(
            name="Sim", app="sonarr", url=sim.base_url, api_key_encrypted=box.encrypt(sim.api_key)
        )
        session.add(instance)
        session.flush()
        instance_id = instance.id
    seen: list[Event] = []
    context.events.add_listener(seen.append)
    monitor = HealthMonitor(
        database=context.database,
        events=context.events,
        box=box,
        checker=connector_checker(connector()),
        policy=HealthPolicy(min_free_bytes=0),
    )

    await monitor.run_once()
    sim.state.faults.add(faults.FaultRule(kind="drop"))
    for _ in range(3):
        await monitor.run_once()
    with context.database.session_scope() as session:
        assert InstanceRepository(session).paused_instance_ids() == {instance_id}
    sim.state.faults.clear()
    for _ in range(2):
        await monitor.run_once()
    with context.database.session_scope() as session:
        health = InstanceRepository(session).health(instance_id)
        assert health is not None
        assert health.paused_by_health is False
        assert health.version == sim.state.version
        assert health.free_space_bytes
    assert [event.kind for event in seen] == ["instance.down", "instance.up"]
