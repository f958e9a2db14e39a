"""A search queue's settings as the planner needs them, with the documented defaults.

The queue model and its API schema (built later) map onto these; validation here is a last line
of defence (the API validates first with field-level messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from vibe_quality_searcharr.search.planner.enums import Order, Source, Strategy

__all__ = [
    "DEFAULT_TIERS",
    "CooldownSettings",
    "CustomFilter",
    "CycleSettings",
    "QueueSettings",
    "SeasonPackSettings",
]

# (items released less than this long ago, wait this long between searches)
DEFAULT_TIERS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=1), timedelta(hours=6)),
    (timedelta(days=7), timedelta(hours=12)),
    (timedelta(days=30), timedelta(hours=24)),
    (timedelta(days=365), timedelta(hours=72)),
)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True, slots=True)
class CustomFilter:
    """The `custom` strategy: empty sets mean "any".

    `monitored_only` narrows the scope to monitored items (the item, its parent and its season):
    unmonitored ones are then neither planned nor reported as skipped. Without it they stay in
    scope and are skipped as `unmonitored`, as in every other strategy, so the user sees them.
    """

    sources: frozenset[Source] = frozenset({Source.MISSING})
    year_min: int | None = None
    year_max: int | None = None
    quality_profile_ids: frozenset[int] = frozenset()
    statuses: frozenset[str] = frozenset()
    include_tags: frozenset[int] = frozenset()
    monitored_only: bool = False

    def __post_init__(self) -> None:
        _require(bool(self.sources), "custom strategy needs at least one source")
        if self.year_min is not None and self.year_max is not None:
            _require(self.year_min <= self.year_max, "year_min must not exceed year_max")


@dataclass(frozen=True, slots=True)
class CooldownSettings:
    """Tiered by age by default; `flat` replaces the tiers with one duration."""

    tiers: tuple[tuple[timedelta, timedelta], ...] = DEFAULT_TIERS
    oldest: timedelta = timedelta(days=7)
    flat: timedelta | None = None
    doubling: bool = True
    cap: timedelta = timedelta(days=14)

    def __post_init__(self) -> None:
        ages = [age for age, _ in self.tiers]
        _require(ages == sorted(ages), "cooldown tiers must be sorted by age")
        _require(self.cap > timedelta(0), "cooldown cap must be positive")
        if self.flat is not None:
            _require(self.flat >= timedelta(0), "flat cooldown must not be negative")


@dataclass(frozen=True, slots=True)
class SeasonPackSettings:
    enabled: bool = True
    min_episodes: int = 3
    retry_after: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        _require(self.min_episodes >= 1, "season pack threshold must be at least 1")


@dataclass(frozen=True, slots=True)
class CycleSettings:
    enabled: bool = False
    min_duration: timedelta = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """`batch_size` counts searches per run: one command per episode, one per season pack, and
    one per id in a batched Radarr/Lidarr/Readarr command (see docs/decisions/0002-planner.md)."""

    strategy: Strategy = Strategy.MISSING
    order: Order = Order.PRIORITY
    batch_size: int = 10
    recent_days: int = 14
    custom: CustomFilter = field(default_factory=CustomFilter)
    exclude_tags: frozenset[int] = frozenset()
    grace: timedelta = timedelta(hours=6)
    cooldown: CooldownSettings = field(default_factory=CooldownSettings)
    season_packs: SeasonPackSettings = field(default_factory=SeasonPackSettings)
    cycle: CycleSettings = field(default_factory=CycleSettings)
    ids_per_command: int = 10
    max_download_queue: int | None = 20
    max_unfinished_commands: int | None = 3

    def __post_init__(self) -> None:
        _require(self.batch_size >= 1, "batch size must be at least 1")
        _require(self.recent_days >= 1, "recent days must be at least 1")
        _require(self.grace >= timedelta(0), "grace period must not be negative")
        _require(self.ids_per_command >= 1, "ids per command must be at least 1")
