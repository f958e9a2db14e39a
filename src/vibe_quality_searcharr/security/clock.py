"""The current time, read through the application so tests can move it instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from vibe_quality_searcharr.db.base import utcnow

__all__ = ["Now", "app_clock", "get_now"]

Clock = Callable[[], datetime]


def app_clock(app: Any) -> Clock:
    clock: Clock = getattr(app.state, "clock", utcnow)
    return clock


def get_now(request: Request) -> datetime:
    return app_clock(request.app)()


Now = Annotated[datetime, Depends(get_now)]
