"""Prowlarr's indexers, their limits, statistics and status, and the apps it syncs to.

Limits live in an indexer's generic `fields[]` list (`baseSettings.queryLimit`, `grabLimit`,
`limitsUnit`), so `Indexer.limits` lifts them into a typed value the budget code can trust.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from vibe_quality_searcharr.arr.schemas.common import ArrModel

__all__ = [
    "Application",
    "Indexer",
    "IndexerLimits",
    "IndexerStatistics",
    "IndexerStats",
    "IndexerStatus",
    "ProviderField",
]


class ProviderField(ArrModel):
    name: str
    value: Any = None


def _field_value(fields: list[ProviderField], name: str) -> Any:
    for field in fields:
        if field.name == name:
            return field.value
    return None


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


class IndexerLimits(ArrModel):
    """None means unlimited. `unit` is the rolling window Prowlarr counts queries over."""

    query_limit: int | None = None
    grab_limit: int | None = None
    unit: Literal["day", "hour"] = "day"


class Indexer(ArrModel):
    id: int
    name: str = ""
    enable: bool = False
    protocol: str | None = None
    priority: int | None = None
    app_profile_id: int | None = None
    tags: list[int] = Field(default_factory=list)
    fields: list[ProviderField] = Field(default_factory=list)

    @property
    def limits(self) -> IndexerLimits:
        unit = _field_value(self.fields, "baseSettings.limitsUnit")
        return IndexerLimits(
            query_limit=_optional_int(_field_value(self.fields, "baseSettings.queryLimit")),
            grab_limit=_optional_int(_field_value(self.fields, "baseSettings.grabLimit")),
            unit="hour" if unit in (1, "1", "hour") else "day",
        )


class IndexerStatistics(ArrModel):
    indexer_id: int
    indexer_name: str = ""
    average_response_time: int = 0
    number_of_queries: int = 0
    number_of_grabs: int = 0
    number_of_rss_queries: int = 0
    number_of_failed_queries: int = 0


class IndexerStats(ArrModel):
    indexers: list[IndexerStatistics] = Field(default_factory=list)


class IndexerStatus(ArrModel):
    indexer_id: int
    disabled_till: datetime | None = None
    most_recent_failure: datetime | None = None
    initial_failure: datetime | None = None

    def is_backing_off(self, now: datetime) -> bool:
        return self.disabled_till is not None and self.disabled_till > now


class Application(ArrModel):
    id: int
    name: str = ""
    implementation: str | None = None
    sync_level: str | None = None
    tags: list[int] = Field(default_factory=list)
    fields: list[ProviderField] = Field(default_factory=list)

    @property
    def base_url(self) -> str | None:
        value = _field_value(self.fields, "baseUrl")
        return str(value) if value else None
