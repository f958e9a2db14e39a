"""Claiming a scheduled slot: the one place that decides whether this replica runs it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.scheduling.models import QueueSlotClaim

__all__ = ["claim_slot", "last_claimed_slot"]


def claim_slot(session: Session, queue_id: int, slot_at: datetime, claimant: str) -> bool:
    """True when this caller now owns `slot_at` for the queue (and no later slot was claimed
    before it). The caller commits at once: the claim is what other replicas see."""
    claimed = session.execute(
        update(QueueSlotClaim)
        .where(QueueSlotClaim.queue_id == queue_id, QueueSlotClaim.slot_at < slot_at)
        .values(slot_at=slot_at, claimed_by=claimant, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    if last_claimed_slot(session, queue_id) is not None:
        return False  # this slot or a later one is already someone's
    try:
        with session.begin_nested():
            session.add(QueueSlotClaim(queue_id=queue_id, slot_at=slot_at, claimed_by=claimant))
    except IntegrityError:
        return False  # another replica inserted the first claim at the same moment
    return True


def last_claimed_slot(session: Session, queue_id: int) -> datetime | None:
    return session.scalar(select(QueueSlotClaim.slot_at).where(QueueSlotClaim.queue_id == queue_id))
