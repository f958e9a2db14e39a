"""The dashboard's indexer budget bars, from a simulated Prowlarr: one bar per serving indexer
with used/limit, disabled and backing-off indexers said in words, and never a Prowlarr call
while the page is answered (it shows what the last run, budget read or refresh kept)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from tests.conftest import SignedInClient
from tests.search.harness import Setup, setup_behind_prowlarr, sim_sleeper
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.budgets.jobs import ProwlarrRefresh
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.simulator.testing import RunningSimulator


@dataclass
class Stack:
    prowlarr: RunningSimulator
    sonarr: RunningSimulator
    setup: Setup
    app: FastAPI

    def indexer(self, indexer_id: int, **body: object) -> None:
        response = httpx.post(
            f"{self.prowlarr.base_url}/__sim/indexers/{indexer_id}",
            json=body,
            headers=self.prowlarr.headers,
        )
        assert response.status_code == 200, response.text

    def faults(self, body: dict[str, object] | None) -> None:
        url = f"{self.prowlarr.base_url}/__sim/faults"
        if body is None:
            httpx.delete(url, headers=self.prowlarr.headers)
        else:
            httpx.post(url, json=body, headers=self.prowlarr.headers).raise_for_status()

    def refresh(self) -> int:
        refresh: ProwlarrRefresh = self.app.state.prowlarr_refresh
        return asyncio.run(refresh.run_once())


def _stack(app: FastAPI, context: AppContext, factory: Callable[..., RunningSimulator]) -> Stack:
    prowlarr, sonarr, setup = setup_behind_prowlarr(context, factory, size=40)
    app.state.clock = sonarr.clock.now
    app.state.search_sleep = sim_sleeper(sonarr)
    return Stack(prowlarr, sonarr, setup, app)


def _budgets(mode: Mode, client: SignedInClient) -> str:
    text = mode.page(mode.get(client, "/"))
    return text.split('id="region-budgets"')[1].split("</section>")[0]


def test_the_refresh_draws_a_bar_per_serving_indexer_and_their_states(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
    mode: Mode,
) -> None:
    stack = _stack(app, context, simulator_factory)
    before = _budgets(mode, admin_client)
    assert "Last hour: 0 of 10" in before
    assert "<h4>Indexers</h4>" not in before  # nothing read yet: no guessed bars

    assert stack.refresh() == 1
    budgets = _budgets(mode, admin_client)
    assert "NZBgeek (per day): 0 of 100" in budgets
    assert "DrunkenSlug (per hour): 0 of 20" in budgets
    assert "DrunkenSlug (per hour): 0 of 20 queries</span>" not in budgets
    assert "DrunkenSlug (per hour): 0 of 20 queries" in budgets  # the bar's accessible name
    assert "Nyaa" not in budgets  # tagged for another app, and without a limit
    assert "Indexers as Prowlarr reported them at" in budgets
    assert stack.prowlarr.api_key not in budgets

    # Prowlarr changes; the page keeps what was read (it never asks Prowlarr itself)...
    stack.indexer(1, enable=False)
    stack.indexer(2, disabledForSeconds=600, queryLimit=30)
    stack.faults({"kind": "error", "status": 500})
    unchanged = _budgets(mode, admin_client)
    assert "DrunkenSlug (per hour): 0 of 20" in unchanged
    assert "Prowlarr unreachable" not in unchanged
    # ...until a read fails: the last good bars stay, marked as such.
    assert stack.refresh() == 0
    failed = _budgets(mode, admin_client)
    assert "Prowlarr unreachable" in failed
    assert "DrunkenSlug (per hour): 0 of 20" in failed
    # The next good read shows the new limit and both states in words.
    stack.faults(None)
    assert stack.refresh() == 1
    after = _budgets(mode, admin_client)
    assert "Prowlarr unreachable" not in after
    nzbgeek = after.split("NZBgeek (per day)")[1].split("</div>")[0]
    assert "Disabled in Prowlarr" in nzbgeek
    slug = after.split("DrunkenSlug (per hour): 0 of 30")[1].split("</div>")[0]
    assert "Backing off until" in slug


def test_a_run_and_the_budget_api_keep_their_prowlarr_read_for_the_dashboard(
    app: FastAPI,
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
    mode: Mode,
) -> None:
    stack = _stack(app, context, simulator_factory)
    executor = registry_of(app).executor

    async def run() -> str:
        run_id, _ = await executor.create_run(stack.setup.queue_id, "manual")
        return await executor.execute(run_id, stack.setup.queue_id)

    assert asyncio.run(run()) == "completed"
    after_run = _budgets(mode, admin_client)
    assert "DrunkenSlug (per hour): 0 of 20" in after_run  # as read before the run searched
    assert "Last hour: 3 of 10" in after_run

    stack.sonarr.advance(60)
    body = admin_client.get(f"/api/v1/instances/{stack.setup.instance_id}/budget").json()
    assert body["live"] is True
    budgets = _budgets(mode, admin_client)
    assert "DrunkenSlug (per hour): 3 of 20" in budgets
    assert "NZBgeek (per day): 3 of 100" in budgets
