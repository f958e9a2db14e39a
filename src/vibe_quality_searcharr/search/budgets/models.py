"""Per-instance search limits and the pause an *arr asks for with 429 Retry-After.

Kept out of the `instance` table on purpose: limits are the search domain's business, and an
instance without a row gets the conservative defaults.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vibe_quality_searcharr.db.base import Base, utcnow

__all__ = [
    "DEFAULT_DAILY_CAP",
    "DEFAULT_HEADROOM_PERCENT",
    "DEFAULT_HOURLY_CAP",
    "InstanceBackoff",
    "InstanceLimits",
]

DEFAULT_HOURLY_CAP = 10
DEFAULT_DAILY_CAP = 100
DEFAULT_HEADROOM_PERCENT = 20


class InstanceLimits(Base):
    """Caps in indexer queries (one search = one query on each indexer of the instance);
    None means no cap of that kind."""

    __tablename__ = "instance_limits"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("instance.id", ondelete="CASCADE"), primary_key=True
    )
    hourly_cap: Mapped[int | None] = mapped_column(Integer, default=DEFAULT_HOURLY_CAP)
    daily_cap: Mapped[int | None] = mapped_column(Integer, default=DEFAULT_DAILY_CAP)
    # Share of every Prowlarr indexer limit left unused, for the user's own searches and RSS.
    headroom_percent: Mapped[int] = mapped_column(Integer, default=DEFAULT_HEADROOM_PERCENT)
    # The Prowlarr whose indexer limits apply; None: the only enabled Prowlarr, if there is one.
    prowlarr_id: Mapped[int | None] = mapped_column(
        ForeignKey("instance.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InstanceBackoff(Base):
    """The *arr answered 429: nothing is sent there before `until`."""

    __tablename__ = "instance_backoff"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("instance.id", ondelete="CASCADE"), primary_key=True
    )
    until: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(String(500), default="")
