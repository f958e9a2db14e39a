"""The history pager's total is cached per state of the history: these check that every change
a user can cause (new searches, a command changing status, a queue deleted) shows in the next
page's total, on the JSON API and on the HTML page alike."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy import select, update

from tests.conftest import SignedInClient
from tests.search.harness import setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.models import CommandStatus, SearchCommand
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def _total(client: SignedInClient, query: str = "") -> int:
    response = client.get(f"/api/v1/history{query}")
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def test_total_follows_new_searches_status_changes_and_deleted_queues(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr", size=40)
    setup = setup_search(context, sim, batch_size=3, options={"season_packs": {"enabled": False}})
    app.state.clock = sim.clock.now
    setup.run()
    by_queue = f"?queue_id={setup.queue_id}"
    assert _total(admin_client) == 3
    assert _total(admin_client, by_queue) == 3
    assert _total(admin_client, "?status=failed") == 0

    setup.run()  # three more commands: the cached totals must not hide them
    assert _total(admin_client) == 6
    assert _total(admin_client, by_queue) == 6
    page = admin_client.get("/history", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "6 commands, newest first" in page.text

    with context.database.session_scope() as session:
        newest = session.scalars(
            select(SearchCommand.id).order_by(SearchCommand.id.desc()).limit(1)
        ).one()
        session.execute(
            update(SearchCommand)
            .where(SearchCommand.id == newest)
            .values(status=CommandStatus.FAILED)
        )
    assert _total(admin_client, "?status=failed") == 1
    assert _total(admin_client, "?status=completed") == 5

    deleted = admin_client.delete(f"/api/v1/queues/{setup.queue_id}")
    assert deleted.status_code in (200, 204), deleted.text
    assert _total(admin_client, by_queue) == 0  # its rows keep their history, not the queue
    assert _total(admin_client) == 6
