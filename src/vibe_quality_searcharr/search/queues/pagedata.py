"""The small reads the search pages need beside the services: instance choices for the forms
and per-queue totals for the list. Each is one query over a page's worth of ids (at most 200)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.versions import DISPLAY_NAMES, ArrApp
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.search.models import SearchRun

__all__ = ["QueueTotals", "instance_choices", "queue_totals"]

_LIMIT = 500


def instance_choices(session: Session) -> list[tuple[str, str]]:
    """(id, "Name (App)") of every instance with a library to search, by name."""
    rows = session.execute(
        select(Instance.id, Instance.name, Instance.app)
        .where(Instance.app != ArrApp.PROWLARR.value)
        .order_by(Instance.name)
        .limit(_LIMIT)
    ).all()
    return [(str(id_), f"{name} ({DISPLAY_NAMES[ArrApp(app)]})") for id_, name, app in rows]


@dataclass(frozen=True, slots=True)
class QueueTotals:
    searches: int = 0
    grabbed: int = 0


def queue_totals(session: Session, queue_ids: Collection[int]) -> dict[int, QueueTotals]:
    ids = list(queue_ids)[:_LIMIT]
    if not ids:
        return {}
    rows = session.execute(
        select(SearchRun.queue_id, func.sum(SearchRun.searches), func.sum(SearchRun.grabbed))
        .where(SearchRun.queue_id.in_(ids))
        .group_by(SearchRun.queue_id)
    ).all()
    return {
        queue_id: QueueTotals(int(searches or 0), int(grabbed or 0))
        for queue_id, searches, grabbed in rows
        if queue_id is not None
    }
