"""Builders for the search API tests: instances (with a detected version) and queues in the
database, created directly so each test states only what it is about."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import InstanceHealth
from vibe_quality_searcharr.search.models import Exclusion, SearchQueue

__all__ = ["add_instance", "count_rows", "make_queue"]


def add_instance(
    context: AppContext,
    *,
    name: str = "Sonarr",
    app: str = "sonarr",
    version: str | None = None,
    paused_by_health: bool = False,
    enabled: bool = True,
) -> int:
    with context.database.session_scope() as session:
        instance = make_instance(session, context, name=name, app=app, enabled=enabled)
        if version is not None or paused_by_health:
            session.add(
                InstanceHealth(
                    instance_id=instance.id, version=version, paused_by_health=paused_by_health
                )
            )
        return instance.id


def make_queue(session: Session, instance_id: int, **overrides: Any) -> SearchQueue:
    values: dict[str, Any] = {
        "name": "Queue",
        "instance_id": instance_id,
        "strategy": "missing",
        "order": "priority",
        "batch_size": 10,
        "options": {},
        "schedule": {"kind": "interval", "minutes": 60},
    }
    values.update(overrides)
    queue = SearchQueue(**values)
    session.add(queue)
    session.flush()
    return queue


def count_rows(context: AppContext, model: type[SearchQueue] | type[Exclusion]) -> int:
    with context.database.session_scope() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
