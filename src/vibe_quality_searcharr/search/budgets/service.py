"""Budget reads and writes around a run: the snapshot a run spends from, the Prowlarr that
applies to an instance, and the back-off an *arr asked for with 429 Retry-After."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.clients import ProwlarrClient
from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.instances.connection import Connect, ConnectionTarget
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.instances.urls import BlockedAddress
from vibe_quality_searcharr.search.budgets.latest import ProwlarrViews
from vibe_quality_searcharr.search.budgets.models import InstanceBackoff
from vibe_quality_searcharr.search.budgets.prowlarr import read_prowlarr
from vibe_quality_searcharr.search.budgets.snapshot import (
    BudgetSnapshot,
    instance_limits,
    recent_spend,
)
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = [
    "DEFAULT_RETRY_AFTER",
    "active_backoff",
    "load_snapshot",
    "prowlarr_target",
    "read_prowlarr_into",
    "set_backoff",
]

# A 429 without a usable Retry-After still pauses the instance this long.
DEFAULT_RETRY_AFTER = timedelta(minutes=5)


def load_snapshot(session: Session, instance_id: int, now: datetime) -> BudgetSnapshot:
    limits = instance_limits(session, instance_id)
    return BudgetSnapshot(
        hourly_cap=limits.hourly_cap,
        daily_cap=limits.daily_cap,
        spent=recent_spend(session, instance_id, now),
        read_at=now,
        headroom=limits.headroom_percent / 100,
    )


def prowlarr_target(session: Session, box: SecretBox, instance_id: int) -> ConnectionTarget | None:
    """The Prowlarr linked to the instance, else the only enabled Prowlarr; None when there is
    none (or several and no link: which one applies cannot be guessed)."""
    linked = instance_limits(session, instance_id).prowlarr_id
    query = select(Instance).where(Instance.app == "prowlarr", Instance.enabled.is_(True))
    if linked is not None:
        query = query.where(Instance.id == linked)
    candidates = session.scalars(query.limit(2)).all()
    if len(candidates) != 1:
        return None
    return InstanceService(session, box).target(candidates[0])


async def read_prowlarr_into(
    snapshot: BudgetSnapshot,
    target: ConnectionTarget,
    connect: Connect,
    *,
    app: str,
    url: str,
    now: datetime,
    views: ProwlarrViews | None = None,
    instance_id: int | None = None,
) -> None:
    """Fill the snapshot's Prowlarr view; on failure record why, which holds every search.
    With `views` (and the instance's id) the outcome is also kept for the dashboard."""
    try:
        client = await connect(target)
        async with client:
            assert isinstance(client, ProwlarrClient)
            snapshot.prowlarr = await read_prowlarr(client, app, url, now)
    except ArrError as exc:
        snapshot.prowlarr_error = exc.detail
    except (BlockedAddress, OSError) as exc:
        snapshot.prowlarr_error = str(exc)
    if views is not None and instance_id is not None:
        if snapshot.prowlarr is not None and snapshot.prowlarr_error is None:
            views.record(instance_id, snapshot.prowlarr, now)
        elif snapshot.prowlarr_error is not None:
            views.record_error(instance_id, snapshot.prowlarr_error, now)


def active_backoff(session: Session, instance_id: int, now: datetime) -> InstanceBackoff | None:
    backoff = session.get(InstanceBackoff, instance_id)
    return backoff if backoff is not None and backoff.until > now else None


def set_backoff(
    session: Session, instance_id: int, until: datetime, reason: str
) -> InstanceBackoff:
    backoff = session.get(InstanceBackoff, instance_id)
    if backoff is None:
        backoff = InstanceBackoff(instance_id=instance_id, until=until, reason=reason)
        session.add(backoff)
    elif until > backoff.until:
        backoff.until, backoff.reason = until, reason
    session.flush()
    return backoff
