"""Preview, run, history and exclusions pages against a simulated Sonarr: the preview lists the
plan and the skipped items, "run now" leads to the run page, which polls while running and
stops when finished; history rows (filtered, CSV link with the same filters), the item page;
an exclusion added from a history link shows up as skipped in the next preview."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from tests.conftest import SignedInClient
from tests.search.conftest import count_rows
from tests.search.harness import setup_search, sim_sleeper
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.models import Exclusion
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def test_preview_run_history_and_exclusion(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
    mode: Mode,
) -> None:
    sim = simulator_factory("sonarr", size=40)
    setup = setup_search(context, sim, batch_size=3, options={"season_packs": {"enabled": False}})
    app.state.clock = sim.clock.now
    app.state.search_sleep = sim_sleeper(sim)
    queue_id = setup.queue_id

    preview = mode.page(mode.get(admin_client, f"/queues/{queue_id}/preview"))
    assert "Plan" in preview
    assert "Skipped (" in preview
    assert "Run now" in preview
    # Episode searches without packs: one command per item, each costing one search.
    assert "3 commands for 3 items, costing 3 of the batch of 3 searches" in preview
    assert setup.stats()["commandPosts"] == 0

    started = mode.post(admin_client, f"/queues/{queue_id}/run")
    location = mode.redirected_to(started)
    assert location.startswith("/runs/")
    admin_client.portal.call(registry_of(app).wait, queue_id)  # type: ignore[union-attr]
    run_page = mode.page(mode.get(admin_client, location))
    assert "Completed" in run_page
    assert 'hx-trigger="every 2s"' not in run_page  # finished: no more polling
    assert run_page.count("<tr>") >= 2

    history = mode.page(mode.get(admin_client, f"/history?queue_id={queue_id}&status=completed"))
    assert f"/api/v1/history/export.csv?queue_id={queue_id}&amp;status=completed" in history
    assert "newest first" in history
    bad = mode.page(
        mode.get(admin_client, "/history?since=2025-02-01&until=2025-01-01&item_id=x"), 422
    )
    assert 'id="since-error"' in bad
    assert 'id="item_id-error"' in bad

    run_id = int(location.rsplit("/", 1)[1])
    detail = admin_client.get(f"/api/v1/runs/{run_id}").json()
    item = detail["commands"][0]["items"][0]
    item_page = mode.page(
        mode.get(admin_client, f"/history/items/{setup.instance_id}/{item['item_id']}")
    )
    assert item["label"] in item_page
    assert "Searches" in item_page

    link = f"/exclusions/new?instance_id={setup.instance_id}&arr_id={item['item_id']}"
    form = mode.page(mode.get(admin_client, link))
    assert f'value="{item["item_id"]}"' in form
    bad_add = {
        "instance_id": str(setup.instance_id),
        "scope": "item",
        "arr_id": "x",
        "expiry": "30",
    }
    page = mode.page(mode.post(admin_client, "/exclusions", data=bad_add), 422)
    assert 'id="arr_id-error"' in page
    assert count_rows(context, Exclusion) == 0
    added = {**bad_add, "arr_id": str(item["item_id"]), "reason": "wrong release"}
    assert mode.redirected_to(mode.post(admin_client, "/exclusions", data=added)) == "/exclusions"
    listing = mode.page(mode.get(admin_client, "/exclusions?show=active"))
    assert "wrong release" in listing
    assert "Active" in listing
    again = mode.page(mode.post(admin_client, "/exclusions", data=added), 422)
    assert "already excluded" in again

    preview = mode.page(mode.get(admin_client, f"/queues/{queue_id}/preview"))
    assert "Excluded: " in preview

    with context.database.session_scope() as session:
        exclusion_id = session.query(Exclusion).one().id
    mode.redirected_to(
        mode.post(admin_client, f"/exclusions/{exclusion_id}/expiry", data={"expiry": "never"})
    )
    assert "stays excluded for good" in mode.page(mode.get(admin_client, "/exclusions"))
    mode.redirected_to(mode.post(admin_client, f"/exclusions/{exclusion_id}/delete"))
    assert count_rows(context, Exclusion) == 0


def test_the_run_page_polls_while_the_run_is_going(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    from tests.search.conftest import add_instance, make_queue
    from vibe_quality_searcharr.search.models import SearchRun

    instance_id = add_instance(context, version="4.0.0")
    with context.database.session_scope() as session:
        queue = make_queue(session, instance_id, name="Busy")
        run = SearchRun(queue_id=queue.id, queue_name="Busy", instance_id=instance_id, instance_name="Sonarr",
                        strategy="missing", order="priority", status="running")  # fmt: skip
        session.add(run)
        session.flush()
        run_id = run.id
    page = mode.page(mode.get(admin_client, f"/runs/{run_id}"))
    assert f'hx-get="/runs/{run_id}" hx-trigger="every 2s" hx-select="#run-live"' in page
    assert "Running" in page
    assert mode.get(admin_client, "/runs/999999").status_code == 404


def test_viewers_see_history_and_exclusions_but_cannot_exclude_or_preview(
    viewer_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    from tests.search.conftest import add_instance, make_queue

    instance_id = add_instance(context, version="4.0.0")
    with context.database.session_scope() as session:
        queue_id = make_queue(session, instance_id, name="Q").id
    assert "No search yet" in mode.page(mode.get(viewer_client, "/history"))
    page = mode.page(mode.get(viewer_client, "/exclusions"))
    assert 'action="/exclusions"' not in page
    assert mode.get(viewer_client, f"/queues/{queue_id}/preview").status_code == 403
    data = {"instance_id": str(instance_id), "scope": "item", "arr_id": "5", "expiry": "30"}
    assert mode.post(viewer_client, "/exclusions", data=data).status_code == 403
    assert count_rows(context, Exclusion) == 0
