"""What the exclusions API accepts and returns.

An expiry is given either as a preset length (`expires_in_days`: 7, 30 or 90) or as an explicit
future `expires_at`; neither means permanent. On PATCH, naming either field with `null` makes the
exclusion permanent; leaving both out keeps its expiry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from vibe_quality_searcharr.inputs import StrictInput

__all__ = [
    "ExclusionCreate",
    "ExclusionPage",
    "ExclusionRead",
    "ExclusionUpdate",
    "ExpiryDays",
    "Scope",
]

Scope = Literal["item", "parent"]
ExpiryDays = Literal[7, 30, 90]
ArrId = Annotated[int, Field(ge=1, le=2**31 - 1, description="the *arr's own id")]
Reason = Annotated[str, Field(max_length=500)]


def _in_utc(value: datetime) -> datetime:
    """Stored times are UTC; an offset that moves the time past year 9999 is refused here,
    not by an overflow deep in the database layer."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("give a date between year 1 and 9999") from None


Expiry = Annotated[AwareDatetime, AfterValidator(_in_utc)]

_ONE_EXPIRY = "give expires_in_days or expires_at, not both"


class _Input(StrictInput):
    model_config = ConfigDict(str_strip_whitespace=True)


class ExclusionCreate(_Input):
    instance_id: ArrId
    scope: Scope = Field(
        description="item: one episode, movie, album or book; parent: a whole series, artist "
        "or author (a movie is excluded as an item)"
    )
    arr_id: ArrId
    reason: Reason = ""
    title: str | None = Field(
        default=None, max_length=500, description="shown when the library mirror has no title"
    )
    expires_in_days: ExpiryDays | None = Field(
        default=None, description="7, 30 or 90 days from now; leave out (and expires_at) for ever"
    )
    expires_at: Expiry | None = None

    @model_validator(mode="after")
    def _one_expiry(self) -> ExclusionCreate:
        if self.expires_in_days is not None and self.expires_at is not None:
            raise ValueError(_ONE_EXPIRY)
        return self


class ExclusionUpdate(_Input):
    reason: Reason | None = None
    expires_in_days: ExpiryDays | None = None
    expires_at: Expiry | None = None

    @model_validator(mode="after")
    def _one_expiry(self) -> ExclusionUpdate:
        if self.expires_in_days is not None and self.expires_at is not None:
            raise ValueError(_ONE_EXPIRY)
        return self

    @property
    def changes_expiry(self) -> bool:
        return bool({"expires_in_days", "expires_at"} & self.model_fields_set)


class ExclusionRead(BaseModel):
    id: int
    instance_id: int
    scope: Scope
    arr_id: int
    title: str
    reason: str
    expires_at: datetime | None
    active: bool = Field(description="false once expires_at has passed; the row stays listed")
    created_at: datetime
    created_by: str


class ExclusionPage(BaseModel):
    items: list[ExclusionRead]
    total: int
    page: int
    page_size: int
