"""What one running service holds: settings, secrets, database, scheduler, event bus, metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.observability.metrics import Metrics
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
    # This process's Prometheus registry; `metrics.client_options(...)` instruments *arr clients.
    metrics: Metrics = field(default_factory=Metrics)
