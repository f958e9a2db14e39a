"""Builds the FastAPI application: configuration, database, middleware, routers, scheduler.

`create_app()` does everything that can fail (configuration, secrets, opening and migrating the
database) before it returns, so a bad setup stops the process with a clear message instead of
serving errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from vibe_quality_searcharr import __version__
from vibe_quality_searcharr.backups import routes as backup_routes
from vibe_quality_searcharr.backups.jobs import install_backup_schedule
from vibe_quality_searcharr.backups.staged import apply_pending
from vibe_quality_searcharr.config_io import routes as config_routes
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import open_configured
from vibe_quality_searcharr.db.failures import as_database_error
from vibe_quality_searcharr.error_handlers import install_error_handlers
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.events_postgres import start_event_bridge, stop_event_bridge
from vibe_quality_searcharr.instances import routes as instance_routes
from vibe_quality_searcharr.instances.health import install_health_monitor
from vibe_quality_searcharr.library import routes as library_routes
from vibe_quality_searcharr.library.jobs import install_library_sync
from vibe_quality_searcharr.notifications.updates import install_update_check
from vibe_quality_searcharr.notifications.wiring import install_notifications
from vibe_quality_searcharr.observability import health, metrics_routes
from vibe_quality_searcharr.observability.logging import configure_logging
from vibe_quality_searcharr.observability.request_id import RequestIdMiddleware
from vibe_quality_searcharr.openapi_problems import describe_problems
from vibe_quality_searcharr.scheduling import routes as schedule_routes
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.scheduling.wiring import install_queue_scheduler
from vibe_quality_searcharr.search.budgets import routes as budget_routes
from vibe_quality_searcharr.search.exclusions import routes as exclusion_routes
from vibe_quality_searcharr.search.feedback import routes as feedback_routes
from vibe_quality_searcharr.search.history import routes as history_routes
from vibe_quality_searcharr.search.queues import routes as queue_routes
from vibe_quality_searcharr.search.runs import routes as run_routes
from vibe_quality_searcharr.search.runs import wiring as search_runs
from vibe_quality_searcharr.security.authentication import AuthenticationMiddleware
from vibe_quality_searcharr.security.headers import SecurityHeadersMiddleware
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings, get_settings
from vibe_quality_searcharr.system import routes as system_routes
from vibe_quality_searcharr.users.wiring import install_accounts
from vibe_quality_searcharr.web import pages
from vibe_quality_searcharr.web.page_cache import PageCacheMiddleware
from vibe_quality_searcharr.web.templating import STATIC_DIR
from vibe_quality_searcharr.widget import routes as widget_routes

__all__ = ["build_context", "create_app"]

log = structlog.get_logger(__name__)


def build_context(settings: Settings, *, configure_logs: bool = True) -> AppContext:
    """Resolve secrets, open and migrate the database: everything a process needs before serving."""
    secrets = ensure_secrets(settings)
    if configure_logs:
        configure_logging(
            level=settings.log_level,
            fmt=settings.log_format,
            log_dir=settings.logs_dir,
            max_bytes=settings.log_file_max_mb * 1024 * 1024,
            backups=settings.log_file_backups,
            secrets=secrets.values(),
        )
    if not settings.uses_postgres:  # a restore staged in Settings > Backups, before the open
        apply_pending(settings, secrets.database_key, now=utcnow())
    database = open_configured(settings, secrets)
    try:
        migrate.upgrade(database)
    except SQLAlchemyError as exc:
        # A damaged or vanished file met while reading the schema: a sentence, not a traceback.
        database.dispose()
        error = as_database_error(exc)
        if error is None:
            raise
        raise error from None
    return AppContext(
        settings=settings,
        secrets=secrets,
        database=database,
        scheduler=Scheduler(),
        events=EventBus(),
    )


def _lifespan(context: AppContext):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context.events.bind_loop(asyncio.get_running_loop())
        # Several replicas on PostgreSQL: every replica's events reach every SSE client. Kept
        # in this closure, not on app.state: two lifespans of one app must each stop their own.
        bridge = start_event_bridge(context.events, context.database)
        try:
            await search_runs.start_search_runs(app)  # before the scheduler: nothing resent
            if context.settings.scheduler_enabled:
                context.scheduler.start()
            log.info("started", version=__version__, database=context.database.backend)
            try:
                yield
            finally:
                # The scheduler first: from here no tick, slot or job fires, so nothing claims a
                # slot the stopping registry would refuse (a slot lost) or starts new work.
                # Then the runs; leadership is held until they have stopped, so a new leader
                # does not start a queue whose run here is still ending.
                context.scheduler.shutdown()
                await search_runs.stop_search_runs(app)
                app.state.queue_scheduler.leader.release()
                if bridge is not None:
                    await asyncio.to_thread(stop_event_bridge, bridge)  # bounded: stop_timeout
                    bridge = None
                context.database.dispose()
                log.info("stopped")
        finally:
            if bridge is not None:  # the start failed half-way
                await asyncio.to_thread(stop_event_bridge, bridge)

    return lifespan


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> FastAPI:
    if context is None:
        context = build_context(settings or get_settings())
    app = FastAPI(
        title="Vibe-Quality-Searcharr",
        version=__version__,
        lifespan=_lifespan(context),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.context = context
    install_error_handlers(app)
    # Innermost first: the page cache sees only authenticated requests; authentication runs
    # inside the security headers, so its refusals get them.
    app.add_middleware(PageCacheMiddleware)
    app.add_middleware(AuthenticationMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_accounts(app)
    pages.install_pages(app)
    describe_problems(app)
    app.include_router(instance_routes.router)
    app.include_router(queue_routes.router)
    app.include_router(exclusion_routes.router)
    app.include_router(run_routes.queue_router)
    app.include_router(run_routes.router)
    app.include_router(history_routes.router)
    search_runs.install_search_runs(app, context)
    install_queue_scheduler(app, context)
    app.include_router(budget_routes.router)
    app.include_router(feedback_routes.queue_router)
    app.include_router(feedback_routes.instance_router)
    app.include_router(schedule_routes.router)
    app.include_router(system_routes.router)
    app.include_router(config_routes.router)
    app.include_router(backup_routes.router)
    install_health_monitor(context)
    app.state.library_sync = install_library_sync(context)
    install_backup_schedule(context)
    metrics_routes.install_metrics(app, context)
    app.include_router(widget_routes.router)
    install_notifications(app, context, on_delivery=context.metrics.delivery)
    install_update_check(context)
    app.include_router(library_routes.instance_router)
    app.include_router(library_routes.router)
    return app
