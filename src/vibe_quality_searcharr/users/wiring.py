"""Adds the accounts routers, the sign-in and settings pages and the API docs to the app."""

from __future__ import annotations

from fastapi import FastAPI

from vibe_quality_searcharr.users import (
    account_routes,
    admin_routes,
    admin_views,
    oidc_views,
    routes,
    settings_views,
    token_routes,
    twofactor_views,
    views,
)
from vibe_quality_searcharr.users.jobs import schedule_housekeeping
from vibe_quality_searcharr.web import docs

__all__ = ["install_accounts"]


def install_accounts(app: FastAPI) -> None:
    for router in (
        routes.router,
        account_routes.router,
        token_routes.router,
        admin_routes.router,
        views.router,
        oidc_views.router,
        settings_views.router,
        twofactor_views.router,
        admin_views.router,
        docs.router,
    ):
        app.include_router(router)
    schedule_housekeeping(app.state.context)
