"""Quality profiles and tags every generated library starts with."""

from __future__ import annotations

from vibe_quality_searcharr.simulator.families import AppSpec
from vibe_quality_searcharr.simulator.model import Profile

__all__ = ["TAG_LABELS", "make_profiles", "make_tags"]

TAG_LABELS = ("anime", "kids", "4k", "archive", "priority")


def make_profiles(spec: AppSpec) -> list[Profile]:
    """Three profiles: upgrades with a format-score cutoff, a permissive one, and one without
    upgrades (whose effective cutoff is its first allowed quality)."""
    ids = [quality.id for quality in spec.qualities]
    half = max(1, len(ids) // 2)
    upper = ids[half - 1 :]
    return [
        Profile(
            id=1,
            name="HD" if len(ids) > 5 else "Standard",
            upgrade_allowed=True,
            cutoff=upper[min(2, len(upper) - 1)],
            allowed=upper,
            min_format_score=0,
            cutoff_format_score=50,
            format_items=[(1, "x265", 20), (2, "HDR", 30), (3, "Bad Group", -100)],
        ),
        Profile(
            id=2,
            name="Any",
            upgrade_allowed=True,
            cutoff=ids[half],
            allowed=list(ids),
        ),
        Profile(
            id=3,
            name="Best Only",
            upgrade_allowed=False,
            cutoff=ids[-1],
            allowed=ids[-2:],
        ),
    ]


def make_tags() -> list[tuple[int, str]]:
    return [(index + 1, label) for index, label in enumerate(TAG_LABELS)]
