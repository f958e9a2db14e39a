"""How the per-family readers talk to an *arr: every call through the instance's client (its
timeouts, retries of idempotent reads, redaction), counted, with progress reported per page.

Wanted lists are walked in pages of `PAGE_SIZE` with `arr.paging.iter_pages`, which raises on a
page that is missing or short: a sync never mistakes a partial list for the whole backlog.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import TypeAdapter

from vibe_quality_searcharr.arr.clients import MediaClient
from vibe_quality_searcharr.arr.paging import iter_pages
from vibe_quality_searcharr.arr.schemas.common import Page, QualityProfile, Tag
from vibe_quality_searcharr.arr.versions import ServerInfo
from vibe_quality_searcharr.library.snapshot import Snapshot, clip

__all__ = ["PAGE_SIZE", "FetchContext", "Progress", "read_profiles_and_tags"]

PAGE_SIZE = 1000
T = TypeVar("T")
# progress(phase, done, total): `done`/`total` count records (or parents for file details).
Progress = Callable[[str, int, int | None], None]


def _no_progress(_phase: str, _done: int, _total: int | None) -> None:
    return None


@dataclass
class FetchContext:
    client: MediaClient[Any]
    now: datetime
    snapshot: Snapshot = field(default_factory=Snapshot)
    progress: Progress = _no_progress
    # files_key of each parent in the current mirror (episode apps skip unchanged parents).
    previous_files_keys: dict[int, str] = field(default_factory=dict)
    max_file_fetches: int = 250
    file_concurrency: int = 4

    async def get(
        self, path: str, adapter: TypeAdapter[T], params: dict[str, Any] | None = None
    ) -> T:
        self.snapshot.api_calls += 1
        return await self.client.http.get(path, adapter, params)

    async def server(self) -> ServerInfo:
        self.snapshot.api_calls += 1
        return await self.client.server_info(refresh=True)

    async def pages(
        self,
        path: str,
        adapter: TypeAdapter[Page[T]],
        params: dict[str, Any],
        phase: str,
    ) -> AsyncIterator[list[T]]:
        """Each page's records in turn; raises (ArrError) on any failed or short page.

        The next page is requested while the caller works on this one: the *arr renders page
        n+1 while this process turns page n into rows, so a sync takes about the longer of the
        two instead of their sum. At most one page is in flight ahead."""
        done = 0
        ahead: dict[int, asyncio.Task[Page[T]]] = {}

        async def get_page(page: int, size: int) -> Page[T]:
            return await self.get(path, adapter, {**params, "page": page, "pageSize": size})

        async def fetch(page: int, size: int) -> Page[T]:
            task = ahead.pop(page, None)
            result = await task if task is not None else await get_page(page, size)
            if result.records and page * size < result.total_records:
                ahead[page + 1] = asyncio.create_task(get_page(page + 1, size))
            return result

        client = self.client
        try:
            async for page in iter_pages(
                fetch, page_size=PAGE_SIZE, app=client.label, url=client.http.url
            ):
                done += len(page.records)
                self.progress(phase, done, page.total_records)
                yield page.records
        finally:
            for task in ahead.values():
                task.cancel()
            if ahead:
                await asyncio.gather(*ahead.values(), return_exceptions=True)


async def read_profiles_and_tags(ctx: FetchContext) -> dict[int, QualityProfile]:
    """Quality profiles and tags into the snapshot; returns the profiles by id."""
    ctx.progress("profiles", 0, None)
    profiles = await ctx.get("qualityprofile", TypeAdapter(list[QualityProfile]))
    tags = await ctx.get("tag", TypeAdapter(list[Tag]))
    snapshot = ctx.snapshot
    for profile in profiles:
        snapshot.profiles[profile.id] = (
            clip(profile.name, 200),
            bool(profile.upgrade_allowed),
            profile.cutoff_format_score,
        )
    for tag in tags:
        snapshot.tags[tag.id] = (clip(tag.label, 200),)
    return {profile.id: profile for profile in profiles}


def wants_format_check(profile: QualityProfile | None) -> bool:
    """Only a profile that allows upgrades and sets a cutoff format score can leave a file
    below its format cutoff; for any other, reading file details would find nothing."""
    return profile is not None and profile.upgrade_allowed and profile.cutoff_format_score > 0
