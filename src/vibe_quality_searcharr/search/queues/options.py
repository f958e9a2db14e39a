"""A queue's settings beyond its columns, as stored (`SearchQueue.options`) and as the API takes
them, and their translation into the planner's `QueueSettings`.

The API validates with these models first, so a user sees a message per field; the planner's own
checks are the last line of defence. Stored options are read back through the same model, so an
option added later gets its default for queues saved before it existed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.planner import (
    CooldownSettings,
    CustomFilter,
    CycleSettings,
    Order,
    QueueSettings,
    SeasonPackSettings,
    Source,
    Strategy,
)

__all__ = [
    "CooldownOptions",
    "CustomOptions",
    "CycleOptions",
    "QueueOptions",
    "SeasonPackOptions",
    "queue_settings",
    "run_seed",
]

# *arr ids (tags, quality profiles) are positive 32-bit integers.
_ArrId = Annotated[int, Field(ge=1, le=2**31 - 1)]
_Tags = list[_ArrId]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomOptions(_Strict):
    """The `custom` strategy's filters; empty lists mean "any"."""

    sources: list[Source] = Field(
        default_factory=lambda: [Source.MISSING],
        min_length=1,
        description="what makes an item wanted: missing, cutoff_unmet, format_upgrade",
    )
    year_min: int | None = Field(default=None, ge=1800, le=3000)
    year_max: int | None = Field(default=None, ge=1800, le=3000)
    quality_profile_ids: list[_ArrId] = Field(default_factory=list, max_length=200)
    statuses: list[str] = Field(
        default_factory=list, max_length=20, description="series/movie status, e.g. ended"
    )
    include_tags: _Tags = Field(
        default_factory=list, max_length=200, description="only items with one of these tags"
    )
    monitored: Literal["any", "only"] = Field(
        default="any",
        description=(
            "any: unmonitored items stay in scope and are reported as skipped (unmonitored); "
            "only: the queue is about monitored items only and never mentions the others"
        ),
    )

    @field_validator("sources")
    @classmethod
    def _sources_once(cls, value: list[Source]) -> list[Source]:
        if len(set(value)) != len(value):
            raise ValueError("list each source once: missing, cutoff_unmet, format_upgrade")
        return value

    @model_validator(mode="after")
    def _years_in_order(self) -> CustomOptions:
        if (
            self.year_min is not None
            and self.year_max is not None
            and self.year_min > self.year_max
        ):
            raise ValueError(
                f"year_min ({self.year_min}) is after year_max ({self.year_max}); swap them"
            )
        return self


class CooldownOptions(_Strict):
    mode: Literal["tiered", "flat"] = Field(
        default="tiered",
        description="tiered: 6 h to 7 days by age; flat: the same wait for every item",
    )
    flat_hours: float = Field(default=24, gt=0, le=24 * 365)
    doubling: bool = Field(default=True, description="double the wait after each fruitless search")
    cap_days: float = Field(default=14, gt=0, le=365)


class SeasonPackOptions(_Strict):
    enabled: bool = True
    min_episodes: int = Field(default=3, ge=1, le=1000)


class CycleOptions(_Strict):
    enabled: bool = Field(default=False, description="search every eligible item once per cycle")
    min_days: float = Field(default=7, ge=0, le=365)


class QueueOptions(_Strict):
    recent_days: int = Field(default=14, ge=1, le=3650, description="the recent strategy's window")
    custom: CustomOptions = Field(default_factory=CustomOptions)
    exclude_tags: _Tags = Field(default_factory=list, max_length=200)
    grace_hours: float = Field(default=6, ge=0, le=24 * 365)
    cooldown: CooldownOptions = Field(default_factory=CooldownOptions)
    season_packs: SeasonPackOptions = Field(default_factory=SeasonPackOptions)
    cycle: CycleOptions = Field(default_factory=CycleOptions)
    ids_per_command: int = Field(default=10, ge=1, le=100)
    max_download_queue: int | None = Field(default=20, ge=0, le=100_000)
    max_unfinished_commands: int | None = Field(default=3, ge=0, le=1000)
    delay_seconds: float = Field(default=5, ge=0, le=3600, description="pause between commands")


def queue_settings(queue: SearchQueue) -> QueueSettings:
    """The planner's view of a stored queue."""
    options = QueueOptions.model_validate(queue.options or {})
    custom = options.custom
    cooldown = options.cooldown
    return QueueSettings(
        strategy=Strategy(queue.strategy),
        order=Order(queue.order),
        batch_size=queue.batch_size,
        recent_days=options.recent_days,
        custom=CustomFilter(
            sources=frozenset(custom.sources),
            year_min=custom.year_min,
            year_max=custom.year_max,
            quality_profile_ids=frozenset(custom.quality_profile_ids),
            statuses=frozenset(custom.statuses),
            include_tags=frozenset(custom.include_tags),
            monitored_only=custom.monitored == "only",
        ),
        exclude_tags=frozenset(options.exclude_tags),
        grace=timedelta(hours=options.grace_hours),
        cooldown=CooldownSettings(
            flat=timedelta(hours=cooldown.flat_hours) if cooldown.mode == "flat" else None,
            doubling=cooldown.doubling,
            cap=timedelta(days=cooldown.cap_days),
        ),
        season_packs=SeasonPackSettings(
            enabled=options.season_packs.enabled, min_episodes=options.season_packs.min_episodes
        ),
        cycle=CycleSettings(
            enabled=options.cycle.enabled, min_duration=timedelta(days=options.cycle.min_days)
        ),
        ids_per_command=options.ids_per_command,
        max_download_queue=options.max_download_queue,
        max_unfinished_commands=options.max_unfinished_commands,
    )


def run_seed(queue_id: int, run_number: int) -> int:
    """The seed of a queue's n-th run: stable, so the preview of the next run (run_count + 1)
    ranks `random` order exactly as that run will, and distinct per run, so the order moves."""
    mixed = (queue_id * 0x9E3779B1 + run_number * 0x85EBCA77) & 0x7FFF_FFFF
    return mixed
