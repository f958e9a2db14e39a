"""Serialization shared by every app: dates, qualities, languages, null omission.

The apps omit null fields entirely, so every resource is built through `compact()`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vibe_quality_searcharr.simulator.model import Profile, Quality

__all__ = [
    "ENGLISH",
    "compact",
    "iso",
    "language",
    "profile_json",
    "quality_json",
    "quality_model",
    "timespan",
]

ENGLISH = {"id": 1, "name": "English"}


def iso(value: datetime | None) -> str | None:
    """UTC in the apps' form, 2024-01-31T20:00:00Z (isoformat is several times faster than
    strftime, which matters for pages of 1000 records)."""
    return None if value is None else value.isoformat(timespec="seconds")[:19] + "Z"


def timespan(seconds: float) -> str:
    """.NET TimeSpan text, which is how the apps serialize durations."""
    seconds = max(0.0, seconds)
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    days, hours = divmod(hours, 24)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}.{int((seconds - whole) * 10_000_000):07d}"
    return f"{days}.{text}" if days else text


def compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def quality_json(quality: Quality, family: str) -> dict[str, Any]:
    if family in ("album", "book"):
        return {"id": quality.id, "name": quality.name}
    data: dict[str, Any] = {
        "id": quality.id,
        "name": quality.name,
        "source": quality.source,
        "resolution": quality.resolution,
    }
    if family == "movie" and quality.modifier:
        data["modifier"] = quality.modifier
    return data


def quality_model(quality: Quality, family: str) -> dict[str, Any]:
    return {
        "quality": quality_json(quality, family),
        "revision": {"version": 1, "real": 0, "isRepack": False},
    }


def language() -> dict[str, Any]:
    return dict(ENGLISH)


def profile_json(
    profile: Profile, qualities: dict[int, Quality], family: str, app: str
) -> dict[str, Any]:
    ordered = [
        {
            "quality": quality_json(qualities[quality_id], family),
            "items": [],
            "allowed": quality_id in profile.allowed,
        }
        for quality_id in sorted(qualities, key=profile.rank)
    ]
    data: dict[str, Any] = {
        "id": profile.id,
        "name": profile.name,
        "upgradeAllowed": profile.upgrade_allowed,
        "cutoff": profile.cutoff,
        "items": ordered,
        "minFormatScore": profile.min_format_score,
        "cutoffFormatScore": profile.cutoff_format_score,
        "formatItems": [
            {"format": fid, "name": name, "score": score}
            for fid, name, score in profile.format_items
        ],
    }
    if app in ("sonarr", "radarr"):
        data["minUpgradeFormatScore"] = 1
    if app == "radarr":
        data["language"] = language()
    return data
