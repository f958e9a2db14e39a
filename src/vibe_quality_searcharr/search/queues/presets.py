"""The built-in starting points for a queue. A preset is only a set of values: a queue created
from one copies them (explicit fields of the request win) and remembers the preset's name, so
the UI can say where it came from; changing a preset later never changes stored queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from vibe_quality_searcharr.search.planner import Order, Source, Strategy

__all__ = ["PRESETS", "Preset", "PresetName"]


class PresetName(StrEnum):
    STEADY_MISSING = "steady_missing"
    WEEKLY_UPGRADES = "weekly_upgrades"
    NEW_RELEASES = "new_releases"


@dataclass(frozen=True)
class Preset:
    name: PresetName
    title: str
    description: str
    strategy: Strategy
    order: Order
    batch_size: int
    minutes: int
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def schedule(self) -> dict[str, Any]:
        return {"kind": "interval", "minutes": self.minutes}


PRESETS: MappingProxyType[PresetName, Preset] = MappingProxyType(
    {
        PresetName.STEADY_MISSING: Preset(
            PresetName.STEADY_MISSING,
            "Steady missing",
            "Searches 10 missing items every hour, best chance first (priority order): "
            "works through the backlog without flooding indexers.",
            Strategy.MISSING,
            Order.PRIORITY,
            10,
            60,
        ),
        PresetName.WEEKLY_UPGRADES: Preset(
            PresetName.WEEKLY_UPGRADES,
            "Weekly upgrades",
            "Every 6 hours, 10 items whose file is below the quality cutoff or the custom "
            "format cutoff score; cycle mode searches each one once before any again, and a "
            "new round starts at most once a week. Needs custom formats (not Sonarr v3).",
            Strategy.CUSTOM,
            Order.PRIORITY,
            10,
            360,
            {
                "custom": {"sources": [Source.CUTOFF_UNMET.value, Source.FORMAT_UPGRADE.value]},
                "cycle": {"enabled": True, "min_days": 7},
            },
        ),
        PresetName.NEW_RELEASES: Preset(
            PresetName.NEW_RELEASES,
            "New releases",
            "Every 30 minutes, the newest items released in the last 14 days that are still "
            "missing, once 6 hours have passed since release (when indexers have them).",
            Strategy.RECENT,
            Order.NEWEST,
            10,
            30,
            {"recent_days": 14, "grace_hours": 6},
        ),
    }
)
