"""Puts the executor and its run registry on the application, and hooks the start-up
reconciliation and the clean shutdown into the app's lifespan. The process's run owner
(`runs.owners`) is announced before the start-up reconciliation and dropped at shutdown; the
leader calls `reconcile_orphans` on each tick to close the runs of replicas that died.

The connector, clock and sleeper are read from `app.state` at each use (`arr_connector`,
`clock`, `search_sleep`), so tests can replace them after the app is built.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import anyio.to_thread
from fastapi import FastAPI

from vibe_quality_searcharr.arr.clients import ArrClient
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.connection import ConnectionTarget, Connector
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.search.runs.executor import Executor
from vibe_quality_searcharr.search.runs.owners import RunOwners, owners_for
from vibe_quality_searcharr.search.runs.reconcile import ReconcileReport, orphaned_runs, reconcile
from vibe_quality_searcharr.search.runs.registry import RunRegistry
from vibe_quality_searcharr.security.clock import app_clock

__all__ = [
    "RECONCILE_OPTIONS",
    "install_search_runs",
    "reconcile_orphans",
    "registry_of",
    "run_owners_of",
    "start_search_runs",
    "stop_search_runs",
]

# At start-up nobody should wait long for a missing *arr: one short try, next start tries again.
RECONCILE_OPTIONS = ClientOptions(read_timeout=10.0, retry=RetryPolicy(retries=0))


def install_search_runs(app: FastAPI, context: AppContext) -> RunRegistry:
    def connector() -> Connector:
        found: Connector | None = getattr(app.state, "arr_connector", None)
        return found or Connector()

    async def connect(target: ConnectionTarget) -> ArrClient:
        return await connector().connect(target)

    def now() -> datetime:
        return app_clock(app)()

    async def sleep(seconds: float) -> None:
        custom = getattr(app.state, "search_sleep", None)
        await (custom(seconds) if custom is not None else asyncio.sleep(seconds))

    owners = owners_for(context.database)
    app.state.run_owners = owners
    executor = Executor(
        owner=owners.me,
        database=context.database,
        events=context.events,
        box=api_key_box(context.secrets.master_secret),
        connect=connect,
        clock=now,
        sleep=sleep,
    )
    registry = RunRegistry(executor)
    app.state.search_runs = registry
    app.state.prowlarr_views = executor.prowlarr_views
    return registry


def registry_of(app: FastAPI) -> RunRegistry:
    registry: RunRegistry = app.state.search_runs
    return registry


def run_owners_of(app: FastAPI) -> RunOwners:
    owners: RunOwners = app.state.run_owners
    return owners


async def _reconcile(app: FastAPI) -> ReconcileReport:
    executor = registry_of(app).executor
    found: Connector | None = getattr(app.state, "arr_connector", None)
    connector = found or Connector(options=RECONCILE_OPTIONS)
    return await reconcile(
        executor.database,
        executor.box,
        connector.connect,
        clock=executor.clock,
        owners=run_owners_of(app),
    )


async def start_search_runs(app: FastAPI) -> ReconcileReport:
    """Announce this process as a run owner, then reconcile what dead processes left; call
    before the scheduler starts."""
    registry_of(app).open()
    await anyio.to_thread.run_sync(run_owners_of(app).hold)
    return await _reconcile(app)


async def reconcile_orphans(app: FastAPI) -> ReconcileReport | None:
    """On the leader's ticks: reconcile when a `running` run's owner has died (another replica
    killed mid-run). Nothing to do on SQLite, where the start-up reconciliation covers it."""
    owners = run_owners_of(app)
    if not owners.shared:
        return None
    database = registry_of(app).executor.database

    def orphans() -> list[int]:
        with database.session_scope() as session:
            return orphaned_runs(session, owners)

    if not await anyio.to_thread.run_sync(orphans):
        return None
    return await _reconcile(app)


async def stop_search_runs(app: FastAPI) -> None:
    await registry_of(app).shutdown()
    await anyio.to_thread.run_sync(run_owners_of(app).release)
