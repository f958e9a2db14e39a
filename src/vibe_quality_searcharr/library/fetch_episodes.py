"""Sonarr v3/v4 and Whisparr v2: series, seasons, wanted episodes and format candidates.

Calls: system/status, qualityprofile, tag, series (one each), then wanted/missing (monitored),
wanted/missing (unmonitored) and wanted/cutoff in pages of 1000, then at most
`max_file_fetches` calls of `episode?seriesId=&includeEpisodeFile=true`, only for series whose
profile allows upgrades with a cutoff format score (Sonarr v4 and Whisparr; Sonarr v3 has no
custom formats) and whose file statistics or profile changed since the last sync.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from vibe_quality_searcharr.arr.schemas.common import QualityProfile
from vibe_quality_searcharr.library.fetching import (
    FetchContext,
    read_profiles_and_tags,
    wants_format_check,
)
from vibe_quality_searcharr.library.snapshot import Snapshot, clip, item_row, tag_text
from vibe_quality_searcharr.library.wire import (
    EPISODE_PAGE,
    EPISODES,
    SERIES,
    SyncEpisode,
    SyncSeason,
    SyncSeries,
    poster,
)

__all__ = ["fetch_episodes", "files_key"]


def _stat(statistics: object, name: str) -> int:
    value = getattr(statistics, name, None)
    return int(value) if isinstance(value, int | float) else 0


def _when(statistics: object, name: str) -> datetime | None:
    value = getattr(statistics, name, None)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def files_key(series: SyncSeries, profile: QualityProfile | None) -> str:
    """Changes whenever a file of the series or the profile's format rule changes."""
    stats = series.statistics
    rule = (
        f"{profile.id}:{profile.cutoff_format_score}:{profile.upgrade_allowed}" if profile else ""
    )
    return f"{_stat(stats, 'episode_file_count')}:{_stat(stats, 'size_on_disk')}:{rule}"


class _Series:
    """What each episode row copies from its series."""

    __slots__ = ("monitored", "profile_id", "status", "tags", "year")

    def __init__(self, series: SyncSeries) -> None:
        self.monitored = series.monitored
        self.profile_id = series.quality_profile_id
        self.status = series.status
        self.tags = tag_text(series.tags)
        self.year = series.year


def _row(
    episode: SyncEpisode,
    series: _Series | None,
    *,
    missing: bool,
    cutoff: bool,
    score: int | None,
) -> tuple[Any, ...]:
    return item_row(
        parent_id=episode.series_id,
        season_number=episode.season_number,
        episode_number=episode.episode_number,
        title=episode.title,
        released_at=episode.released_at,
        monitored=episode.monitored,
        parent_monitored=series.monitored if series else True,
        has_file=not missing,
        missing=missing,
        cutoff_unmet=cutoff,
        format_score=score,
        quality_profile_id=series.profile_id if series else None,
        year=series.year if series else None,
        status=series.status if series else None,
        tags=series.tags if series else "",
        arr_last_search=episode.last_search_time,
    )


async def fetch_episodes(ctx: FetchContext) -> None:
    server = await ctx.server()
    legacy = server.is_sonarr_v3
    profiles = await read_profiles_and_tags(ctx)
    ctx.progress("series", 0, None)
    all_series = await ctx.get("series", SERIES)
    snapshot = ctx.snapshot
    by_id = {series.id: _Series(series) for series in all_series}
    seasons: list[_SeasonFacts] = []
    to_fetch: list[SyncSeries] = []
    for series in all_series:
        _add_series(ctx, series, _series_key(ctx, series, profiles, legacy, to_fetch), seasons)
    # What the rest needs of the series is in `by_id`, `seasons` and the snapshot: the series
    # list itself (the largest single answer) goes now, before the wanted pages pile up.
    to_fetch_ids = [(series.id, series.quality_profile_id) for series in to_fetch]
    del all_series, to_fetch
    # (series, season) -> unmonitored aired episodes without a file, seen in wanted/missing.
    unmonitored_missing: Counter[tuple[int, int]] = Counter()
    last_seen: dict[tuple[int, int], datetime] = {}

    sort = {
        "sortKey": "airDateUtc" if legacy else "episodes.airDateUtc",
        "sortDirection": "ascending",
    }
    for monitored in (True, False):
        phase = "wanted/missing" if monitored else "wanted/missing (unmonitored)"
        params = {**sort, "monitored": monitored}
        async for records in ctx.pages("wanted/missing", EPISODE_PAGE, params, phase):
            for episode in records:
                key = (episode.series_id, episode.season_number)
                if not episode.monitored:
                    unmonitored_missing[key] += 1
                released = episode.released_at
                if released is not None and (key not in last_seen or released > last_seen[key]):
                    last_seen[key] = released
                snapshot.add_item(
                    episode.id,
                    _row(
                        episode,
                        by_id.get(episode.series_id),
                        missing=True,
                        cutoff=False,
                        score=None,
                    ),
                )
    cutoff_params: dict[str, Any] = {**sort, "monitored": True}
    if not legacy:
        cutoff_params["includeEpisodeFile"] = True
    async for records in ctx.pages("wanted/cutoff", EPISODE_PAGE, cutoff_params, "wanted/cutoff"):
        for episode in records:
            file = episode.episode_file
            score = file.custom_format_score if file is not None else None
            snapshot.add_item(
                episode.id,
                _row(
                    episode, by_id.get(episode.series_id), missing=False, cutoff=True, score=score
                ),
            )
    for facts in seasons:
        facts.add_to(snapshot, unmonitored_missing, last_seen)
    await _format_candidates(ctx, to_fetch_ids, profiles, by_id)


def _series_key(
    ctx: FetchContext,
    series: SyncSeries,
    profiles: dict[int, QualityProfile],
    legacy: bool,
    to_fetch: list[SyncSeries],
) -> str:
    """The series' files key, deciding on the way whether its episode files are read this
    time (appended to `to_fetch`) or its format candidates are carried from the mirror."""
    profile = profiles.get(series.quality_profile_id or -1)
    if (
        legacy
        or not wants_format_check(profile)
        or not _stat(series.statistics, "episode_file_count")
    ):
        return ""
    series_key = files_key(series, profile)
    previous = ctx.previous_files_keys.get(series.id)
    if previous == series_key:
        ctx.snapshot.carried_parents.add(series.id)
    elif len(to_fetch) < ctx.max_file_fetches:
        to_fetch.append(series)
    else:  # over this sync's cap: keep what the mirror has, read it next time
        ctx.snapshot.carried_parents.add(series.id)
        series_key = previous or ""
    return series_key


class _SeasonFacts:
    """A season as the series list gave it; completed with what the wanted lists showed."""

    __slots__ = ("counted", "files", "key", "monitored", "next_airing", "previous", "total")

    def __init__(self, series_id: int, season: SyncSeason) -> None:
        stats = season.statistics
        self.key = (series_id, season.season_number)
        self.monitored = bool(season.monitored)
        self.next_airing = _when(stats, "next_airing")
        self.previous = _when(stats, "previous_airing")
        self.total = _stat(stats, "total_episode_count")
        self.counted = _stat(stats, "episode_count")
        self.files = _stat(stats, "episode_file_count")

    def add_to(
        self,
        snapshot: Snapshot,
        unmonitored_missing: Counter[tuple[int, int]],
        last_seen: dict[tuple[int, int], datetime],
    ) -> None:
        # Sonarr counts an episode when it has a file or is monitored and aired: the rest are
        # unmonitored aired ones without a file (seen in wanted/missing) or still to air.
        to_air = max(0, self.total - self.counted - unmonitored_missing[self.key])
        last_aired = self.previous or last_seen.get(self.key)
        snapshot.seasons[self.key] = (
            self.monitored, self.next_airing, last_aired, self.total, self.files, to_air,
        )  # fmt: skip


def _add_series(
    ctx: FetchContext, series: SyncSeries, key: str, seasons: list[_SeasonFacts]
) -> None:
    stats = series.statistics
    ctx.snapshot.parents[series.id] = (
        "series", clip(series.title, 500), clip(series.sort_title or series.title, 500),
        clip(series.status, 50) or None, series.year, bool(series.monitored),
        series.quality_profile_id, tag_text(series.tags), poster(series.images),
        _stat(stats, "total_episode_count"), _stat(stats, "episode_file_count"), key,
    )  # fmt: skip
    seasons.extend(_SeasonFacts(series.id, season) for season in series.seasons)


async def _format_candidates(
    ctx: FetchContext,
    to_fetch: list[tuple[int, int | None]],
    profiles: dict[int, QualityProfile],
    by_id: dict[int, _Series],
) -> None:
    """Episodes whose file is below the profile's cutoff format score (Sonarr's cutoff list
    misses them when the quality itself meets the cutoff)."""
    gate = asyncio.Semaphore(ctx.file_concurrency)
    done = 0

    snapshot = ctx.snapshot

    async def one(series_id: int, profile_id: int | None) -> None:
        nonlocal done
        async with gate:
            episodes = await ctx.get(
                "episode", EPISODES, {"seriesId": series_id, "includeEpisodeFile": True}
            )
        done += 1
        ctx.progress("episode files", done, len(to_fetch))
        # Kept as rows at once, so the records of one series at a time are alive, not all.
        cutoff = profiles[profile_id or -1].cutoff_format_score
        parent = by_id.get(series_id)
        for episode in episodes:
            file = episode.episode_file
            if not episode.has_file or file is None or file.custom_format_score is None:
                continue
            score = file.custom_format_score
            if score < cutoff or episode.id in snapshot.items:
                snapshot.add_item(
                    episode.id, _row(episode, parent, missing=False, cutoff=False, score=score)
                )

    if to_fetch:
        ctx.progress("episode files", 0, len(to_fetch))
    tasks = [asyncio.create_task(one(*series)) for series in to_fetch]
    try:
        await asyncio.gather(*tasks)
    except BaseException:  # one failed call fails the sync: stop the others now
        for task in tasks:
            task.cancel()
        raise
    snapshot.file_fetches = len(to_fetch)
