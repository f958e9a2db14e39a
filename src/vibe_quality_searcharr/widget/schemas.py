"""The widget's answer: a flat object of counts, easy to map in a dashboard."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["WidgetRead"]


class WidgetRead(BaseModel):
    missing: int = Field(description="Wanted items with no file, over every instance.")
    cutoff_unmet: int = Field(description="Items below their quality cutoff.")
    searches_today: int = Field(description="Search commands sent since 00:00 UTC.")
    grabs_today: int = Field(description="Items grabbed after a search since 00:00 UTC.")
    instances_up: int = Field(description="Enabled instances that are healthy.")
    instances_down: int = Field(description="Enabled instances that are down.")
