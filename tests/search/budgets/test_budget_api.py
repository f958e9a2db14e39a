"""The budget, stats and forecast API through the real app: limits read and replaced with
validation, the live budget with Prowlarr's indexers, grab rates, forecast and next runs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from tests.conftest import SignedInClient
from tests.instances.conftest import make_instance
from tests.search.harness import setup_behind_prowlarr, setup_search, sim_sleeper
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def _wire(app: FastAPI, sim: RunningSimulator) -> None:
    app.state.clock = sim.clock.now
    app.state.search_sleep = sim_sleeper(sim)


def test_limits_default_then_replaced_with_validation(
    context: AppContext,
    admin_client: SignedInClient,
    viewer_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr", size=30)
    setup = setup_search(context, sim)
    url = f"/api/v1/instances/{setup.instance_id}/limits"
    first = admin_client.get(url).json()
    assert first == {
        "instance_id": setup.instance_id,
        "hourly_cap": 10,
        "daily_cap": 100,
        "headroom_percent": 20,
        "prowlarr_id": None,
        "is_default": True,
    }
    bad = [
        ({"headroom_percent": 95}, "headroom_percent"),
        ({"hourly_cap": 0}, "hourly_cap"),
        ({"hourly_cap": 50, "daily_cap": 20}, "hourly_cap cannot be larger"),
        ({"prowlarr_id": setup.instance_id}, "prowlarr_id"),
        ({"bogus": 1}, "bogus"),
    ]
    for body, mentions in bad:
        response = admin_client.put(url, json=body)
        assert response.status_code == 422, body
        assert mentions in response.text
    assert admin_client.get(url).json()["is_default"] is True  # nothing stored
    assert viewer_client.put(url, json={"hourly_cap": 5}).status_code == 403
    with context.database.session_scope() as session:
        prowlarr = make_instance(
            session, context, name="Prowlarr", app="prowlarr", url="http://10.1.1.1:9696"
        )
        prowlarr_id = prowlarr.id
    saved = admin_client.put(
        url,
        json={
            "hourly_cap": 5,
            "daily_cap": None,
            "headroom_percent": 30,
            "prowlarr_id": prowlarr_id,
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["daily_cap"] is None
    assert saved.json()["prowlarr_id"] == prowlarr_id
    assert viewer_client.get(url).json()["hourly_cap"] == 5
    assert admin_client.get(f"/api/v1/instances/{prowlarr_id}/limits").status_code == 422
    assert admin_client.get("/api/v1/instances/99999/limits").status_code == 404


def test_budget_reads_prowlarr_live_and_counts_this_programs_searches(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    prowlarr, sonarr, setup = setup_behind_prowlarr(context, simulator_factory, size=60)
    _wire(app, sonarr)
    _, status = setup.run()
    assert status == "completed"

    body = admin_client.get(f"/api/v1/instances/{setup.instance_id}/budget").json()

    assert body["live"] is True
    assert body["prowlarr"] == "Prowlarr"
    assert body["prowlarr_error"] is None
    by_subject = {limit["subject"]: limit for limit in body["limits"]}
    hourly = next(limit for limit in body["limits"] if limit["name"] == "hourly cap of 10")
    assert (hourly["used"], hourly["limit"], hourly["remaining"]) == (3, 10, 7)
    assert hourly["resets_at"] is not None
    slug = by_subject["DrunkenSlug"]
    assert slug["kind"] == "indexer"
    assert slug["limit"] == 20
    assert slug["usable"] == 16
    assert slug["used"] == 3
    assert slug["remaining"] == 13
    assert "Nyaa" not in by_subject  # tagged: does not serve this Sonarr
    assert body["remaining"] == min(limit["remaining"] for limit in body["limits"])
    assert "api_key" not in str(body).lower()
    assert prowlarr.api_key not in str(body)


def test_stats_forecast_and_next_runs(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr", size=60)
    setup = setup_search(
        context,
        sim,
        batch_size=4,
        schedule={"kind": "interval", "minutes": 360, "jitter_minutes": 0},
        options={"ids_per_command": 1, "season_packs": {"enabled": False}},
    )
    _wire(app, sim)
    setup.tune(findProbability=1.0)
    run_id, _ = setup.run()
    run = setup.run_row(run_id)
    assert run.sent_commands == 4

    stats = admin_client.get(f"/api/v1/queues/{setup.queue_id}/stats").json()
    week = stats["periods"][0]
    assert week["days"] == 7
    assert week["searches"] == 4
    assert week["items_searched"] == 4
    assert week["grabbed"] == run.grabbed
    assert week["grab_rate"] == round(run.grabbed / week["items_searched"], 4)
    instance = admin_client.get(f"/api/v1/instances/{setup.instance_id}/stats").json()
    assert instance["periods"] == stats["periods"]
    assert admin_client.get("/api/v1/queues/99999/stats").status_code == 404

    with context.database.session_scope() as session:
        session.merge(InstanceLimits(instance_id=setup.instance_id, hourly_cap=None, daily_cap=10))
    forecast = admin_client.get(f"/api/v1/queues/{setup.queue_id}/forecast").json()
    assert forecast["runs_per_day"] == 4.0  # every 6 hours
    assert forecast["daily_budget"] == 10
    assert forecast["per_day"] == 10.0
    assert forecast["limited_by"] == "the daily budget"
    assert forecast["items"] > 0
    assert forecast["searches"] == forecast["items"]
    assert len(forecast["next_runs"]) == 3
    assert "first full pass" in forecast["text"]

    read = admin_client.get(f"/api/v1/queues/{setup.queue_id}").json()
    assert len(read["next_runs"]) == 3
    assert read["next_runs"] == sorted(read["next_runs"])
