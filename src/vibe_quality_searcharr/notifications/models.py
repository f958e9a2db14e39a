"""The notification targets: one Apprise URL each (encrypted), what it wants, how delivery went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vibe_quality_searcharr.db.base import Base, TimestampMixin

__all__ = ["NotificationTarget"]


class NotificationTarget(TimestampMixin, Base):
    __tablename__ = "notification_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # Fernet token from SecretBox(master_secrets, "notification-url"); the URL holds credentials.
    url_encrypted: Mapped[str] = mapped_column(Text)
    scheme: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(64))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
