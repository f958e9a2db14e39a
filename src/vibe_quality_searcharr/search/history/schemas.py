"""What the history endpoints answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["HistoryItemRead", "HistoryPage", "HistoryRow", "ItemHistoryRead"]


class HistoryItemRead(BaseModel):
    item_id: int
    label: str
    score: int
    reason: str
    grabbed: bool


class HistoryRow(BaseModel):
    id: int
    run_id: int | None
    queue_id: int | None
    queue_name: str
    instance_id: int | None
    instance_name: str
    strategy: str
    kind: str
    label: str
    items: list[HistoryItemRead]
    reason: str
    score: int
    status: str
    arr_command_id: int | None
    arr_status: str | None
    arr_result: str | None
    message: str | None
    intent_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    grabbed: int


class HistoryPage(BaseModel):
    items: list[HistoryRow]
    total: int
    page: int
    page_size: int


class ItemHistoryRead(BaseModel):
    instance_id: int
    item_id: int
    label: str | None
    attempts: int
    last_searched_at: datetime | None
    grabs: int
    last_grabbed_at: datetime | None
    fruitless_streak: int
    cooldown_until: datetime | None
    commands: list[HistoryRow]
