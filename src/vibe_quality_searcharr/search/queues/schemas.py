"""What the queues API accepts and returns.

`QueueCreate` carries real defaults (a missing-items queue, batch 10, priority order, hourly), so
the OpenAPI document shows them; with `preset`, the preset's values replace every default the
request did not set explicitly (`model_fields_set`), and explicit `options` are merged into the
preset's options key by key. `QueueUpdate` changes only the fields it names; its `options` are
merged into the stored ones the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.inputs import StrictInput
from vibe_quality_searcharr.scheduling.schedules import DEFAULT_SCHEDULE, Schedule
from vibe_quality_searcharr.search.planner import Order, Strategy
from vibe_quality_searcharr.search.queues.options import QueueOptions
from vibe_quality_searcharr.search.queues.presets import PresetName

__all__ = [
    "BulkAction",
    "PresetRead",
    "QueueBulk",
    "QueueBulkResult",
    "QueueClone",
    "QueueCreate",
    "QueuePage",
    "QueueRead",
    "QueueStatus",
    "QueueUpdate",
]

Name = Annotated[str, Field(min_length=1, max_length=100)]
BatchSize = Annotated[int, Field(ge=1, le=100, description="searches per run, 1 to 100")]
InstanceId = Annotated[int, Field(ge=1, le=2**31 - 1)]
QueueStatus = Literal["active", "paused", "disabled", "instance_paused"]
BulkAction = Literal["pause", "resume", "enable", "disable", "delete"]


def _clean_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("enter a name, e.g. 'Missing episodes'")
    return value


class _Input(StrictInput):
    pass


class QueueCreate(_Input):
    name: Name
    instance_id: InstanceId
    preset: PresetName | None = Field(
        default=None, description="start from a built-in preset; explicit fields override it"
    )
    strategy: Strategy = Strategy.MISSING
    batch_size: BatchSize = 10
    order: Order = Order.PRIORITY
    enabled: bool = True
    options: QueueOptions = Field(default_factory=QueueOptions)
    schedule: Schedule = DEFAULT_SCHEDULE

    _name = field_validator("name")(_clean_name)


class QueueUpdate(_Input):
    """Every field optional; `options` are merged into the stored ones key by key."""

    name: Name | None = None
    instance_id: InstanceId | None = None
    strategy: Strategy | None = None
    batch_size: BatchSize | None = None
    order: Order | None = None
    enabled: bool | None = None
    options: QueueOptions | None = None
    schedule: Schedule | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _clean_name(value)


class QueueClone(_Input):
    name: Name | None = Field(
        default=None, description="the copy's name; default '<name> (copy)', made unique"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _clean_name(value)


class QueueBulk(_Input):
    ids: list[InstanceId] = Field(min_length=1, max_length=500)
    action: BulkAction


class QueueRead(BaseModel):
    id: int
    name: str
    instance_id: int
    instance_name: str
    instance_app: ArrApp
    strategy: Strategy
    batch_size: int
    order: Order
    enabled: bool
    paused: bool
    status: QueueStatus = Field(
        description="active; paused (by a user); disabled; instance_paused (the instance is "
        "disabled or paused by its health check: down or low on disk)"
    )
    options: QueueOptions
    schedule: Schedule
    preset: str | None
    run_count: int
    last_run_at: datetime | None
    cycle_number: int | None
    cycle_started_at: datetime | None
    created_at: datetime
    updated_at: datetime
    next_runs: list[datetime] = Field(
        default_factory=list,
        description="the next 3 scheduled starts (UTC, before jitter); empty when not scheduled",
    )


class QueuePage(BaseModel):
    items: list[QueueRead]
    total: int
    page: int
    page_size: int


class QueueBulkResult(BaseModel):
    action: BulkAction
    ids: list[int]
    items: list[QueueRead] = Field(description="the queues after the action; empty for delete")


class PresetRead(BaseModel):
    name: PresetName
    title: str
    description: str
    strategy: Strategy
    order: Order
    batch_size: int
    options: QueueOptions
    schedule: Schedule
