"""What the preview and run endpoints answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "BudgetRead",
    "CommandItemRead",
    "HoldRead",
    "PlannedCommandRead",
    "PlannedItemRead",
    "PreviewRead",
    "RunCommandRead",
    "RunDetail",
    "RunPage",
    "RunRead",
    "RunStarted",
    "SkippedRead",
]


class PlannedItemRead(BaseModel):
    item_id: int
    label: str
    score: int
    reason: str


class PlannedCommandRead(BaseModel):
    position: int
    kind: str
    payload: dict[str, Any]
    ids: list[int]
    season: dict[str, int] | None
    score: int
    reason: str
    label: str
    cost: int
    items: list[PlannedItemRead]


class HoldRead(BaseModel):
    code: str
    text: str
    until: datetime | None = None


class BudgetRead(BaseModel):
    wanted: int
    allowed: int
    dropped: int
    limited_by: str | None
    text: str


class SkippedRead(BaseModel):
    item_id: int
    code: str
    text: str
    label: str
    until: datetime | None = None


class PreviewRead(BaseModel):
    """The next run's plan. With a `hold`, that run sends nothing (the commands show what it
    would send once the hold is lifted)."""

    queue_id: int
    instance_id: int
    seed: int
    now: datetime
    strategy: str
    order: str
    summary: str
    counts: dict[str, int]
    hold: HoldRead | None
    budget: BudgetRead
    commands: list[PlannedCommandRead]
    skipped_counts: dict[str, int]
    skipped_total: int
    skipped: list[SkippedRead]
    skipped_limit: int


class RunStarted(BaseModel):
    run_id: int
    status: str


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    queue_id: int | None
    queue_name: str
    instance_id: int | None
    instance_name: str
    strategy: str
    order: str
    seed: int
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    planned_commands: int
    planned_items: int
    sent_commands: int
    searches: int
    grabbed: int
    skipped: dict[str, int]
    summary: str
    hold_code: str | None
    error: str | None


class CommandItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: int
    label: str
    score: int
    reason: str
    grabbed: bool
    grabbed_at: datetime | None


class RunCommandRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    kind: str
    payload: dict[str, Any]
    item_ids: list[int]
    label: str
    score: int
    reason: str
    status: str
    arr_command_id: int | None
    arr_status: str | None
    arr_result: str | None
    message: str | None
    intent_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    grabbed: int
    items: list[CommandItemRead] = []


class RunDetail(RunRead):
    commands: list[RunCommandRead]


class RunPage(BaseModel):
    items: list[RunRead]
    total: int
    page: int
    page_size: int
