"""Test-only mirror fill: reads a simulator's wanted lists through the real clients and writes
`library_*` rows. Small on purpose; the real `library.sync` replaces it after the merge."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.clients import (
    LidarrClient,
    RadarrClient,
    ReadarrClient,
    SonarrClient,
)
from vibe_quality_searcharr.arr.factory import make_client
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.library.models import (
    LibraryItem,
    LibraryParent,
    LibraryProfile,
    LibrarySeason,
    LibraryTag,
)
from vibe_quality_searcharr.simulator.testing import RunningSimulator


def _tags(values: list[int]) -> str:
    return ",".join(str(v) for v in sorted(values))


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _day(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


async def _collect(sim: RunningSimulator, app: str) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {
        "items": [],
        "parents": [],
        "seasons": [],
        "profiles": [],
        "tags": [],
    }
    async with make_client(app, sim.base_url, sim.api_key) as client:
        for profile in await client.quality_profiles():  # type: ignore[attr-defined]
            rows["profiles"].append(
                {"arr_id": profile.id, "name": profile.name, "upgrade_allowed": profile.upgrade_allowed,
                     "cutoff_format_score": profile.cutoff_format_score or None}
            )  # fmt: skip
        rows["tags"] = [{"arr_id": t.id, "label": t.label} for t in await client.tags()]
        if isinstance(client, SonarrClient):
            await _episodes(sim, client, rows)
        elif isinstance(client, RadarrClient):
            for movie in await client.movies():
                file = movie.movie_file
                rows["items"].append({
                    "arr_id": movie.id, "title": movie.title, "year": movie.year,
                    "released_at": _aware(movie.digital_release or movie.physical_release or movie.in_cinemas or movie.release_date),
                    "monitored": movie.monitored, "has_file": movie.has_file,
                    "missing": movie.is_missing, "cutoff_unmet": movie.is_cutoff_unmet,
                    "format_score": file.custom_format_score if file else None,
                    "quality_profile_id": movie.quality_profile_id, "status": movie.status,
                    "tags": _tags(movie.tags), "arr_last_search": movie.last_search_time,
                })  # fmt: skip
        else:
            assert isinstance(client, LidarrClient | ReadarrClient)
            seen: dict[int, Any] = {}
            for kind in ("missing", "cutoff"):
                for item in await client.wanted(kind, include_parent=True):
                    parent = getattr(item, "artist", None) or getattr(item, "author", None)
                    parent_id = getattr(item, "artist_id", None) or getattr(item, "author_id", None)
                    if parent is not None:
                        seen[parent.id] = parent
                    rows["items"].append({
                        "arr_id": item.id, "parent_id": parent_id, "title": item.title,
                        "released_at": _aware(item.release_date), "monitored": item.monitored,
                        "parent_monitored": parent.monitored if parent else True,
                        "has_file": kind == "cutoff", "missing": kind == "missing",
                        "cutoff_unmet": kind == "cutoff",
                        "quality_profile_id": parent.quality_profile_id if parent else None,
                        "tags": _tags(parent.tags) if parent else "",
                        "arr_last_search": getattr(item, "last_search_time", None),
                    })  # fmt: skip
            for parent in seen.values():
                name = getattr(parent, "artist_name", None) or getattr(parent, "author_name", "")
                rows["parents"].append({
                    "arr_id": parent.id, "kind": "artist" if isinstance(client, LidarrClient) else "author",
                    "title": name, "monitored": parent.monitored, "tags": _tags(parent.tags),
                    "quality_profile_id": parent.quality_profile_id,
                })  # fmt: skip
    return rows


async def _episodes(
    sim: RunningSimulator, client: SonarrClient, rows: dict[str, list[Any]]
) -> None:
    series = {s.id: s for s in await client.series()}
    release: dict[int, datetime | None] = {}
    if client.app == "whisparr":  # Whisparr v2 dates episodes by releaseDate only
        async with httpx.AsyncClient(base_url=sim.api_root, headers=sim.headers) as raw:
            for kind in ("missing", "cutoff"):
                page = (await raw.get(f"/wanted/{kind}", params={"pageSize": 10000})).json()
                release.update({r["id"]: _day(r.get("releaseDate")) for r in page["records"]})
    scores: dict[int, int | None] = {}
    for kind in ("missing", "cutoff"):
        wanted = await client.wanted(kind)
        if kind == "cutoff":
            for series_id in {e.series_id for e in wanted}:
                for file in await client.episode_files(series_id):
                    scores[file.id] = file.custom_format_score
        for episode in wanted:
            show = series[episode.series_id]
            rows["items"].append({
                "arr_id": episode.id, "parent_id": episode.series_id, "season_number": episode.season_number,
                "episode_number": episode.episode_number, "title": episode.title or "",
                "released_at": episode.air_date_utc or release.get(episode.id),
                "monitored": episode.monitored, "parent_monitored": show.monitored,
                "has_file": kind == "cutoff", "missing": kind == "missing", "cutoff_unmet": kind == "cutoff",
                "format_score": scores.get(episode.episode_file_id or 0),
                "quality_profile_id": show.quality_profile_id, "status": show.status,
                "year": show.year, "tags": _tags(show.tags), "arr_last_search": episode.last_search_time,
            })  # fmt: skip
    for show in series.values():
        rows["parents"].append({"arr_id": show.id, "kind": "series", "title": show.title,
                                    "monitored": show.monitored, "tags": _tags(show.tags),
                                    "quality_profile_id": show.quality_profile_id, "year": show.year})  # fmt: skip
        for season in show.seasons:
            stats = season.statistics or {}
            rows["seasons"].append({
                "series_id": show.id, "season_number": season.season_number, "monitored": season.monitored,
                "next_airing": _parse(stats.get("nextAiring")), "last_aired": _parse(stats.get("previousAiring")),
            })  # fmt: skip


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def write_mirror(session: Session, instance_id: int, rows: dict[str, list[Any]]) -> None:
    models = {"items": LibraryItem, "parents": LibraryParent, "seasons": LibrarySeason,
              "profiles": LibraryProfile, "tags": LibraryTag}  # fmt: skip
    seen: set[int] = set()
    for key, model in models.items():
        for values in rows[key]:
            if key == "items":
                if values["arr_id"] in seen:
                    continue
                seen.add(values["arr_id"])
            session.add(model(instance_id=instance_id, **values))
    session.flush()


def fill_mirror(database: Database, instance_id: int, sim: RunningSimulator) -> int:
    """Mirror the simulator's wanted items for `instance_id`; returns how many were written."""
    rows = asyncio.run(_collect(sim, sim.app.replace("-", "_")))
    with database.session_scope() as session:
        write_mirror(session, instance_id, rows)
    return len({row["arr_id"] for row in rows["items"]})
