"""Tables of the instances domain: the *arr instances, their health state and its history.

`InstanceHealth` is one row per instance, written by the health monitor and read by the search
queues: `paused_by_health` is the one flag a queue checks before searching there. It is kept
apart from any pause a user sets, so recovery resumes only what health paused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vibe_quality_searcharr.db.base import Base, TimestampMixin, utcnow

__all__ = ["HealthStatus", "Instance", "InstanceHealth", "InstanceHealthEvent"]


class HealthStatus:
    UNKNOWN = "unknown"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"


class Instance(TimestampMixin, Base):
    __tablename__ = "instance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    app: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2048))
    # Fernet token from SecretBox(master_secrets, "arr-api-key"); never the key itself.
    api_key_encrypted: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    health: Mapped[InstanceHealth | None] = relationship(
        back_populates="instance", cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )

    def __repr__(self) -> str:
        return f"Instance(id={self.id!r}, name={self.name!r}, app={self.app!r})"


class InstanceHealth(Base):
    __tablename__ = "instance_health"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("instance.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), default=HealthStatus.UNKNOWN)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_successes: Mapped[int] = mapped_column(Integer, default=0)
    disk_low: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_by_health: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_ok_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    latency_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    version: Mapped[str | None] = mapped_column(String(50), default=None)
    free_space_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    instance: Mapped[Instance] = relationship(back_populates="health")


class InstanceHealthEvent(Base):
    """One transition (down, up, disk_low, disk_ok), kept for the UI and notifications."""

    __tablename__ = "instance_health_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("instance.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    paused_by_health: Mapped[bool] = mapped_column(Boolean, default=False)
