"""What one running service holds: its settings, secrets, database, scheduler and event bus."""

from __future__ import annotations

from dataclasses import dataclass

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets
from vibe_quality_searcharr.settings import Settings

__all__ = ["AppContext"]


@dataclass
class AppContext:
    settings: Settings
    secrets: RuntimeSecrets
    database: Database
    scheduler: Scheduler
    events: EventBus
