"""Builds the configuration document of this install, every secret redacted.

What is exported is configuration only: instances (with their limits), queues, exclusions,
notification targets and the settings kept in the database. Run history, the library mirror,
health and counters are state, not configuration, and stay behind. No secret is decrypted here:
the export could not leak one even by mistake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vibe_quality_searcharr.config_io.repository import ConfigRepository
from vibe_quality_searcharr.config_io.schemas import FORMAT, REDACTED, is_secret_setting

__all__ = ["export_config"]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_config(session: Session, now: datetime) -> dict[str, Any]:
    """The document as plain JSON-ready data, sorted by name so two exports diff cleanly."""
    repo = ConfigRepository(session)
    instances = repo.instances()
    names = {instance.id: instance.name for instance in instances}
    limits = repo.limits()
    document: dict[str, Any] = {"format": FORMAT, "version": 1, "exported_at": now.isoformat()}
    document["instances"] = [
        {
            "name": instance.name,
            "app": instance.app,
            "url": instance.url,
            "enabled": instance.enabled,
            "api_key": REDACTED,
            "limits": (
                {
                    "hourly_cap": row.hourly_cap,
                    "daily_cap": row.daily_cap,
                    "headroom_percent": row.headroom_percent,
                    "prowlarr": names.get(row.prowlarr_id) if row.prowlarr_id else None,
                }
                if (row := limits.get(instance.id)) is not None
                else None
            ),
        }
        for instance in instances
    ]
    document["queues"] = [
        {
            "name": queue.name,
            "instance": names[queue.instance_id],
            "strategy": queue.strategy,
            "order": queue.order,
            "batch_size": queue.batch_size,
            "enabled": queue.enabled,
            "paused": queue.paused,
            "preset": queue.preset,
            "options": queue.options or {},
            "schedule": queue.schedule or {},
        }
        for queue in repo.queues()
    ]
    document["exclusions"] = [
        {
            "instance": names[row.instance_id],
            "scope": row.scope,
            "arr_id": row.arr_id,
            "title": row.title,
            "reason": row.reason,
            "expires_at": _when(row.expires_at),
        }
        for row in repo.exclusions()
    ]
    document["notifications"] = [
        {
            "name": row.name,
            "url": REDACTED,
            "events": list(row.events or []),
            "enabled": row.enabled,
        }
        for row in repo.notifications()
    ]
    document["settings"] = {
        row.key: REDACTED if is_secret_setting(row.key) else row.value for row in repo.settings()
    }
    return document
