"""Radarr and Whisparr v3: wanted movies and format candidates (movies have no parent).

Radarr 5.6+ and Whisparr v3: system/status, qualityprofile, tag, then wanted/missing (monitored
and unmonitored) and wanted/cutoff in pages of 1000, plus one `movie` call when some profile
allows upgrades with a cutoff format score (the candidates come from `movieFile`).
Radarr before 5.6 has no wanted endpoints: one `movie` call gives everything, filtered the way
Radarr's wanted lists would (missing: no file and available; cutoff: monitored, with a file
below the quality cutoff).
"""

from __future__ import annotations

from typing import Any

from vibe_quality_searcharr.arr.schemas.common import QualityProfile
from vibe_quality_searcharr.library.fetching import (
    FetchContext,
    read_profiles_and_tags,
    wants_format_check,
)
from vibe_quality_searcharr.library.snapshot import item_row, tag_text
from vibe_quality_searcharr.library.wire import MOVIE_PAGE, MOVIES, SyncMovie, movie_release

__all__ = ["fetch_movies"]


def _row(movie: SyncMovie, *, missing: bool, cutoff: bool) -> tuple[Any, ...]:
    file = movie.movie_file
    return item_row(
        parent_id=None,
        season_number=None,
        episode_number=None,
        title=movie.title,
        released_at=movie_release(movie),
        monitored=movie.monitored,
        parent_monitored=True,
        has_file=movie.has_file,
        missing=missing,
        cutoff_unmet=cutoff,
        format_score=file.custom_format_score if file is not None and movie.has_file else None,
        quality_profile_id=movie.quality_profile_id,
        year=movie.year or None,
        status=movie.status,
        tags=tag_text(movie.tags),
        arr_last_search=movie.last_search_time,
    )


def _is_format_candidate(movie: SyncMovie, profiles: dict[int, QualityProfile]) -> bool:
    file = movie.movie_file
    profile = profiles.get(movie.quality_profile_id or -1)
    return (
        movie.has_file
        and file is not None
        and file.custom_format_score is not None
        and wants_format_check(profile)
        and profile is not None
        and file.custom_format_score < profile.cutoff_format_score
    )


async def fetch_movies(ctx: FetchContext) -> None:
    server = await ctx.server()
    profiles = await read_profiles_and_tags(ctx)
    snapshot = ctx.snapshot
    if not server.has_wanted_endpoints:
        ctx.progress("movies", 0, None)
        movies = await ctx.get("movie", MOVIES)
        ctx.progress("movies", len(movies), len(movies))
        for movie in movies:
            missing = not movie.has_file and movie.is_available
            cutoff = movie.is_cutoff_unmet
            if missing or cutoff or _is_format_candidate(movie, profiles):
                snapshot.add_item(movie.id, _row(movie, missing=missing, cutoff=cutoff))
        return
    for monitored in (True, False):
        phase = "wanted/missing" if monitored else "wanted/missing (unmonitored)"
        async for records in ctx.pages(
            "wanted/missing", MOVIE_PAGE, {"monitored": monitored}, phase
        ):
            for movie in records:
                snapshot.add_item(movie.id, _row(movie, missing=True, cutoff=False))
    async for records in ctx.pages(
        "wanted/cutoff", MOVIE_PAGE, {"monitored": True}, "wanted/cutoff"
    ):
        for movie in records:
            snapshot.add_item(movie.id, _row(movie, missing=False, cutoff=True))
    if any(wants_format_check(profile) for profile in profiles.values()):
        ctx.progress("movie files", 0, None)
        movies = await ctx.get("movie", MOVIES)
        snapshot.file_fetches = 1
        ctx.progress("movie files", len(movies), len(movies))
        for movie in movies:
            wanted = _is_format_candidate(movie, profiles) or movie.id in snapshot.items
            if wanted and movie.has_file:
                snapshot.add_item(movie.id, _row(movie, missing=False, cutoff=False))
