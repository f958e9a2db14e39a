"""What the budget API accepts and returns. Every figure is in indexer queries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vibe_quality_searcharr.search.budgets.models import (
    DEFAULT_DAILY_CAP,
    DEFAULT_HEADROOM_PERCENT,
    DEFAULT_HOURLY_CAP,
)

__all__ = ["BudgetRead", "LimitRead", "LimitsRead", "LimitsUpdate"]


class LimitsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hourly_cap: int | None = Field(
        default=DEFAULT_HOURLY_CAP, ge=1, le=100_000, description="queries per hour; null: none"
    )
    daily_cap: int | None = Field(
        default=DEFAULT_DAILY_CAP, ge=1, le=1_000_000, description="queries per day; null: none"
    )
    headroom_percent: int = Field(
        default=DEFAULT_HEADROOM_PERCENT,
        ge=0,
        le=90,
        description="share of every Prowlarr indexer limit left unused (0 to 90)",
    )
    prowlarr_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="the Prowlarr instance whose indexer limits apply; null: the only one",
    )

    @model_validator(mode="after")
    def _hourly_within_daily(self) -> LimitsUpdate:
        if (
            self.hourly_cap is not None
            and self.daily_cap is not None
            and self.hourly_cap > self.daily_cap
        ):
            raise ValueError("hourly_cap cannot be larger than daily_cap")
        return self


class LimitsRead(BaseModel):
    instance_id: int
    hourly_cap: int | None
    daily_cap: int | None
    headroom_percent: int
    prowlarr_id: int | None
    is_default: bool = Field(description="no limits were saved: the defaults apply")


class LimitRead(BaseModel):
    name: str
    kind: Literal["instance", "indexer"]
    subject: str = Field(description="the instance's or the indexer's name")
    window: Literal["hour", "day"]
    used: int
    limit: int | None = Field(description="the configured limit (an indexer's full limit)")
    usable: int | None = Field(description="what searches may use of it, after the headroom")
    remaining: int
    resets_at: datetime | None


class BudgetRead(BaseModel):
    instance_id: int
    live: bool = Field(description="true: Prowlarr was read just now for this answer")
    read_at: datetime
    prowlarr: str | None = Field(description="the Prowlarr instance read, if one applies")
    prowlarr_error: str | None = Field(description="why Prowlarr could not be read (holds runs)")
    paused_until: datetime | None = Field(description="the *arr asked to wait (429) until then")
    remaining: int | None = Field(description="searches allowed now: the tightest limit")
    limits: list[LimitRead]
