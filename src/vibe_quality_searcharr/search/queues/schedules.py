"""When a queue runs, as stored in `SearchQueue.schedule` and as the API takes it.

A discriminated union on `kind`, so later kinds (daily, weekly, cron: the scheduling issue) are
added as new members without touching rows stored as `{"kind": "interval", ...}`. Only the model
lives here; the scheduler reads it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

__all__ = ["DEFAULT_SCHEDULE", "IntervalSchedule", "Schedule", "parse_schedule"]


class IntervalSchedule(BaseModel):
    """Every `minutes` minutes. Five minutes is the floor: more often only burns indexer
    queries on items still in cooldown; a week is the ceiling of an interval."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["interval"] = "interval"
    minutes: int = Field(
        default=60, ge=5, le=10080, description="minutes between runs, 5 to 10080 (a week)"
    )


def _interval_by_default(value: Any) -> Any:
    """`{"minutes": 30}` means an interval: the only kind that existed first stays implied."""
    if isinstance(value, dict) and "kind" not in value:
        return {"kind": "interval", **value}
    return value


# One member today; the discriminator (and the OpenAPI `oneOf`) is in place for more.
Schedule = Annotated[
    IntervalSchedule, Field(discriminator="kind"), BeforeValidator(_interval_by_default)
]

_ADAPTER: TypeAdapter[IntervalSchedule] = TypeAdapter(Schedule)

DEFAULT_SCHEDULE = IntervalSchedule()


def parse_schedule(stored: dict[str, Any] | None) -> IntervalSchedule:
    """A stored schedule; an empty one (a row written before schedules existed) is the default."""
    if not stored:
        return DEFAULT_SCHEDULE
    return _ADAPTER.validate_python(stored)
