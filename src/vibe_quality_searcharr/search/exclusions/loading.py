"""Reads an instance's active exclusions into the planner's `Exclusions`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.search.models import Exclusion as ExclusionRow
from vibe_quality_searcharr.search.planner import Exclusion, Exclusions

__all__ = ["ITEM_SCOPE", "PARENT_SCOPE", "load_exclusions"]

ITEM_SCOPE = "item"
PARENT_SCOPE = "parent"


def load_exclusions(session: Session, instance_id: int, now: datetime) -> Exclusions:
    """Exclusions in force at `now`; expired rows stay stored (the UI lists them) but no longer
    keep anything out."""
    items: dict[int, Exclusion] = {}
    parents: dict[int, Exclusion] = {}
    rows = session.execute(
        select(
            ExclusionRow.scope, ExclusionRow.arr_id, ExclusionRow.expires_at, ExclusionRow.reason
        )
        .where(ExclusionRow.instance_id == instance_id)
        .where(or_(ExclusionRow.expires_at.is_(None), ExclusionRow.expires_at > now))
    )
    for scope, arr_id, expires_at, reason in rows:
        target = parents if scope == PARENT_SCOPE else items
        target[arr_id] = Exclusion(expires_at, reason)
    return Exclusions(items, parents)
