"""Everything one simulated app instance knows, and the lock that guards it.

Requests run on the server's event loop while tests read the same state from their own thread,
so every read or change goes through `state.lock`. Dynamics never run on their own: `advance()`
catches up with the clock whenever a request arrives or the clock is moved.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.families import APPS, AppSpec, parse_version, wanted_sort_spec
from vibe_quality_searcharr.simulator.faults import FaultSet
from vibe_quality_searcharr.simulator.generate_media import generate_media
from vibe_quality_searcharr.simulator.generate_movies import generate_movies
from vibe_quality_searcharr.simulator.generate_tv import generate_tv
from vibe_quality_searcharr.simulator.indexers import IndexerPool, default_indexers
from vibe_quality_searcharr.simulator.library import Library
from vibe_quality_searcharr.simulator.model import Command, HistoryEvent, QueueEntry
from vibe_quality_searcharr.simulator.wanted import WantedLists

__all__ = ["LinkedApp", "SimState", "Tuning", "generate_library"]


def generate_library(spec: AppSpec, seed: int, size: int, now: datetime) -> Library | None:
    if spec.family == "tv":
        return generate_tv(spec, seed, size, now)
    if spec.family == "movie":
        return generate_movies(spec, seed, size, now)
    if spec.family in ("album", "book"):
        return generate_media(spec, seed, size, now)
    return None


@dataclass
class Tuning:
    """Knobs of the dynamics; `find_probability` overrides the age/pack model when set."""

    find_probability: float | None = None
    import_delay: float = 120.0
    start_delay: float = 0.5
    seconds_per_query: float = 0.25
    max_running: int = 3
    command_failure_rate: float = 0.0
    rss_interval: float = 0.0


@dataclass
class LinkedApp:
    """An *arr app a simulated Prowlarr syncs its indexers to."""

    id: int
    name: str
    app: str
    base_url: str
    api_key: str
    tags: list[int] = field(default_factory=list)


@dataclass
class Stats:
    searches_per_item: Counter[int] = field(default_factory=Counter)
    commands_per_type: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    commands_received: int = 0
    requests: int = 0
    grabs: int = 0
    imports: int = 0
    # Every POST /command that reached the app (faulted ones included), and each command the
    # app took, in arrival order with its body: tests assert exactly what a client sent.
    command_posts: int = 0
    command_log: list[dict[str, Any]] = field(default_factory=list)


class SimState:
    def __init__(
        self,
        app: str,
        *,
        api_key: str | None = None,
        seed: int = 1,
        size: int = 200,
        version: str | None = None,
        clock: SimClock | None = None,
        pool: IndexerPool | None = None,
        app_tags: list[int] | None = None,
        instance_name: str | None = None,
    ) -> None:
        if app not in APPS:
            raise ValueError(f"unknown app {app!r}; choose from {', '.join(APPS)}")
        if size < 0:
            raise ValueError("size must be >= 0")
        self.spec = APPS[app]
        self.version = version or self.spec.default_version
        self.version_tuple = parse_version(self.version)
        self.api_key = api_key or secrets.token_hex(16)
        self.seed = seed
        self.size = size
        self.clock = clock or SimClock()
        self.instance_name = instance_name or self.spec.app_name
        self.app_tags = list(app_tags or [])
        self.lock = threading.RLock()
        self.world: list[SimState] = [self]
        self.started = self.clock.now()
        self.pool = pool or IndexerPool(default_indexers(self.started))
        self.faults = FaultSet(seed)
        self.tuning = Tuning()
        self.linked_apps: list[LinkedApp] = []
        self.key_refused = False
        self.shutdown_event: threading.Event = threading.Event()
        self._build()

    def _build(self) -> None:
        self.library = generate_library(self.spec, self.seed, self.size, self.clock.now())
        self.wanted = WantedLists(self.library) if self.library else None
        if self.wanted is not None:
            self.wanted.warm(wanted_sort_spec(self.spec, self.version_tuple).default_field)
        self.rng = random.Random(self.seed * 7919 + 1)
        self.commands: dict[int, Command] = {}
        self.active: dict[int, Command] = {}
        self.history: list[HistoryEvent] = []
        self.queue: dict[int, QueueEntry] = {}
        self.stats = Stats()
        self.next_queue_id = 1
        self.last_rss = self.clock.now()
        self.tags_extra: list[tuple[int, str]] = []

    @property
    def legacy(self) -> bool:
        """Sonarr v3 mode: v3 envelope with filters, plain sort keys, single language."""
        return self.spec.key == "sonarr" and self.version_tuple[0] < 4

    @property
    def has_wanted(self) -> bool:
        """Radarr gained wanted/* in 5.6; every other app has it."""
        if self.spec.key == "radarr":
            return self.version_tuple[:2] >= (5, 6)
        return self.library is not None

    def now(self) -> datetime:
        return self.clock.now()

    def advance(self) -> None:
        from vibe_quality_searcharr.simulator.dynamics import catch_up

        with self.lock:
            catch_up(self, self.clock.now())

    def join(self, other: SimState) -> None:
        """Share another app's world: one lock and one event order for apps searching the same
        indexers, so Prowlarr's rolling windows see their queries in time order. Call before
        this state serves requests."""
        if other.pool is not self.pool or other.clock is not self.clock:
            raise ValueError("apps in one world share the indexer pool and the clock")
        self.lock = other.lock
        self.world = other.world
        self.world.append(self)

    def reset(self) -> None:
        """Regenerate the library and forget all activity, including the (possibly shared)
        indexers' counters; tuning and indexer settings are kept."""
        with self.lock:
            self._build()
            self.pool.reset_counters()
            self.faults.clear()
            self.key_refused = False
