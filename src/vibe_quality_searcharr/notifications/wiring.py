"""Adds notifications to the app: the API router and the dispatcher listening on the bus."""

from __future__ import annotations

from fastapi import FastAPI

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.notifications import routes
from vibe_quality_searcharr.notifications.dispatch import DeliveryHook, NotificationDispatcher
from vibe_quality_searcharr.notifications.service import url_box

__all__ = ["install_notifications"]


def install_notifications(
    app: FastAPI, context: AppContext, *, on_delivery: DeliveryHook | None = None
) -> NotificationDispatcher:
    dispatcher = NotificationDispatcher(
        context.database, url_box(context.secrets.master_secret), on_delivery=on_delivery
    )
    context.events.add_listener(dispatcher.listen)
    app.state.notifications = dispatcher
    app.include_router(routes.router)
    return dispatcher
