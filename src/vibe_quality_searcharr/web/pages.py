"""Adds the server-rendered pages that are not part of the accounts domain to the app."""

from __future__ import annotations

from fastapi import FastAPI

from vibe_quality_searcharr.backups import views as backup_views
from vibe_quality_searcharr.config_io import views as config_views
from vibe_quality_searcharr.instances import views as instance_views
from vibe_quality_searcharr.library import views as library_views
from vibe_quality_searcharr.notifications import views as notification_views
from vibe_quality_searcharr.search.exclusions import views as exclusion_views
from vibe_quality_searcharr.search.history import pages as history_pages
from vibe_quality_searcharr.search.queues import views as queue_views
from vibe_quality_searcharr.search.queues import wizard as queue_wizard
from vibe_quality_searcharr.search.runs import views as run_views
from vibe_quality_searcharr.system import views as database_views
from vibe_quality_searcharr.web import general, home, logs, sse, theme, wizard

__all__ = ["install_pages"]


def install_pages(app: FastAPI) -> None:
    routers = (
        home.router,
        wizard.router,
        instance_views.router,
        queue_views.router,
        queue_wizard.router,
        run_views.router,
        history_pages.router,
        exclusion_views.router,
        library_views.router,
        database_views.router,
        general.router,
        notification_views.router,
        backup_views.router,
        config_views.router,
        logs.router,
        theme.router,
        sse.router,
    )
    for router in routers:
        app.include_router(router)
    sse.install_live(app)
    home.install_dashboard(app, app.state.context.events)
