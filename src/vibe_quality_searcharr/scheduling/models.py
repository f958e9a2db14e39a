"""The claim that makes a scheduled slot run once, whichever replica fires it.

A leader that dies mid-slot, a new leader that fires the same slot again, a restart inside the
misfire grace time: each of them must find the slot already taken. The claim is one row per
queue holding the newest slot claimed; claiming is a conditional UPDATE (or the INSERT of the
first row), which the database serialises on the row, so exactly one claimant wins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vibe_quality_searcharr.db.base import Base, utcnow

__all__ = ["QueueSlotClaim"]


class QueueSlotClaim(Base):
    __tablename__ = "queue_slot_claim"

    queue_id: Mapped[int] = mapped_column(
        ForeignKey("search_queue.id", ondelete="CASCADE"), primary_key=True
    )
    slot_at: Mapped[datetime] = mapped_column()
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
